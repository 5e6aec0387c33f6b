"""PATCH /projects/{id}/ moving 实际开工日期 into a month closed for the project's region: 400 with
the field error on actual_start, nothing written (``dispatch.rules.date_change_refused``)."""

from __future__ import annotations

from typing import Any

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.projects.models import Project

from .utils import fields_of


def test_a_start_date_in_a_closed_month_is_400_and_writes_nothing(as_user: Any, dw: Any) -> None:
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p2, region_id="370100", closed_by=dw.users.city)  # Jinan closed February
    client = as_user(dw.users.county)
    url = f"/api/v1/projects/{p.pk}/"
    audits = AuditEvent.objects.filter(action="update").count()
    body = {"version": p.version, "actual_start": "2026-02-10"}
    assert fields_of(client.patch(url, body, format="json")) == {
        "actual_start": ["2026年2月已关账，数据不能再修改：实际开工日期不能早于2026-03-01"]
    }
    fresh = Project.objects.get(pk=p.pk)
    assert (fresh.actual_start, fresh.version) == (None, p.version)
    assert AuditEvent.objects.filter(action="update").count() == audits
    r = client.patch(url, {**body, "actual_start": "2026-03-01"}, format="json")
    assert r.status_code == 200 and r.json()["actual_start"] == "2026-03-01"
