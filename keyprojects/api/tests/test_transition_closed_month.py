"""POST /projects/{id}/transition/ dated in a month closed for the project's region: 400 with the
field error on on_date, nothing written (``dispatch.rules.stage_change_allowed``)."""

from __future__ import annotations

from typing import Any

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.projects.models import Project, ProjectEvent

from .utils import fields_of


def test_a_change_dated_in_a_closed_month_is_400_and_writes_nothing(as_user: Any, dw: Any) -> None:
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p2, region_id="370100", closed_by=dw.users.city)  # Jinan closed February
    client = as_user(dw.users.county)
    url = f"/api/v1/projects/{p.pk}/transition/"
    events, audits = ProjectEvent.objects.filter(project=p).count(), AuditEvent.objects.filter(action="transition").count()
    body = {"to_stage": "cancelled", "version": p.version, "reason": "企业放弃投资", "on_date": "2026-02-10"}
    assert fields_of(client.post(url, body, format="json")) == {"on_date": ["2026年2月已关账，数据不能再修改：变更日期不能早于2026-03-01"]}
    fresh = Project.objects.get(pk=p.pk)
    assert (fresh.stage, fresh.version) == ("construction", p.version)
    assert ProjectEvent.objects.filter(project=p).count() == events
    assert AuditEvent.objects.filter(action="transition").count() == audits
    r = client.post(url, {**body, "on_date": "2026-03-01"}, format="json")
    assert r.status_code == 200 and r.json()["stage"] == "cancelled"
