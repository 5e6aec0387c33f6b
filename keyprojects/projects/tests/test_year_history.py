"""A change of a project's year (年度计划投资, lists, nature: ``services._save_years``) is recorded
old → new in its history; a save that changes no year value records nothing and refreshes
nothing."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD
from keyprojects.projects.models import ProjectYear
from keyprojects.projects.services import project_update
from keyprojects.projects.views import history_rows


def updates(project: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="projects.project", object_id=str(project.pk), action="update").order_by("id"))


def refreshes(monkeypatch: Any) -> list[Any]:
    import keyprojects.analytics.services as analytics

    calls: list[Any] = []
    real = analytics.facts_refresh_project
    monkeypatch.setattr(analytics, "facts_refresh_project", lambda **kw: (calls.append(kw), real(**kw))[1])
    return calls


@pytest.mark.django_db
def test_a_changed_annual_plan_is_recorded_old_to_new(dw: Any, client: Any, monkeypatch: Any) -> None:
    p = dw.projects.own_county
    calls = refreshes(monkeypatch)
    row = ProjectYear.objects.get(project=p, year=2026)
    year = {"year": 2026, "annual_plan": D(1500), "on_county_list": row.on_county_list, "on_city_list": not row.on_city_list}
    p = project_update(user=dw.users.county, project=p, expected_version=p.version, data={}, years=[year])
    [event] = updates(p)
    assert event.changes["years"] == [
        {"year": 2026, "annual_plan": ["1200.0000", "1500"], "on_city_list": [row.on_city_list, not row.on_city_list]}
    ]
    assert len(calls) == 1
    [change] = history_rows(p)[0]["changes"]
    assert change["label"] == "2026年度计划"
    assert change["old"] == f"年度计划投资（万元）：1,200.00，市级重点：{'是' if row.on_city_list else '否'}"
    assert change["new"] == f"年度计划投资（万元）：1,500.00，市级重点：{'否' if row.on_city_list else '是'}"
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert "年度计划投资（万元）：1,200.00" in html and "年度计划投资（万元）：1,500.00" in html


@pytest.mark.django_db
def test_a_save_with_no_year_value_changed_records_nothing(dw: Any, monkeypatch: Any) -> None:
    p = dw.projects.own_county
    calls = refreshes(monkeypatch)
    row = ProjectYear.objects.get(project=p, year=2026)
    same = {
        "year": 2026,
        "annual_plan": "1200.00",  # as typed: the same amount
        "on_province_list": row.on_province_list,
        "on_city_list": row.on_city_list,
        "on_county_list": row.on_county_list,
        "nature": row.nature,
    }
    p = project_update(user=dw.users.county, project=p, expected_version=p.version, data={"name": p.name}, years=[same])
    assert updates(p) == [] and calls == []
    assert ProjectYear.objects.get(project=p, year=2026).annual_plan == D(1200)


@pytest.mark.django_db
def test_a_new_year_is_recorded_without_an_old_value(dw: Any) -> None:
    p = dw.projects.own_county
    p = project_update(user=dw.users.county, project=p, expected_version=p.version, data={}, years=[{"year": 2027, "annual_plan": D(300)}])
    [event] = updates(p)
    assert event.changes["years"] == [{"year": 2027, "annual_plan": [None, "300"]}]
    [change] = history_rows(p)[0]["changes"]
    assert change["old"] == "" and change["new"] == "年度计划投资（万元）：300.00"


@pytest.mark.django_db
def test_a_record_of_before_is_still_shown(dw: Any) -> None:
    p = dw.projects.own_county
    from keyprojects.audit.services import audit_record

    audit_record(action="update", user=dw.users.county, obj=p, changes={"years": [{"year": 2026, "annual_plan": "5253"}]})
    [change] = history_rows(p)[0]["changes"]
    assert change["old"] == "" and change["new"] == "年度计划投资（万元）：5,253.00"
