"""``/api/v1/projects/{id}/monthly-plans/{year}/``: read the 分月计划, set it, return it to the
default spread; errors in the API's shape (400 naming the month, 409 on a stale ``expected``,
403 for read-only roles, 404 out of scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from keyprojects.dispatch.models import MonthlyPlan, PeriodClosure

from .utils import error_of, fields_of

CURVE = ["100", "0", "0", "200", "100", "100", "100", "100", "100", "100", "100", "200"]
EVEN = ["100.0000"] * 12


def url(project: Any, year: int = 2026) -> str:
    return f"/api/v1/projects/{project.pk}/monthly-plans/{year}/"


def test_get_put_and_back_to_default(as_user: Any, dw: Any) -> None:
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    client = as_user(dw.users.county)
    r = client.get(url(p))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["annual_plan"] == "1200.0000" and body["own"] is False and body["expected"] == EVEN
    assert body["months"][0] == {"month": 1, "planned": "100.0000", "planned_to_date": "100.0000", "frozen": True}
    assert body["months"][11]["planned_to_date"] == "1200.0000" and not body["months"][11]["frozen"]

    r = client.put(url(p), {"months": CURVE, "expected": body["expected"]}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["own"] is True and body["months"][3]["planned"] == "200.0000" and body["months"][3]["planned_to_date"] == "300.0000"
    assert MonthlyPlan.objects.filter(project=p, year=2026).count() == 12

    r = client.put(url(p), {"default": True, "expected": body["expected"]}, format="json")
    assert r.status_code == 200 and r.json()["own"] is False
    assert not MonthlyPlan.objects.filter(project=p).exists()


def test_errors(as_user: Any, dw: Any) -> None:
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    client = as_user(dw.users.county)
    fields = fields_of(client.put(url(p), {"months": ["100"] * 11 + ["50"], "expected": EVEN}, format="json"))
    assert "1,150.00" in fields["months"][0]
    fields = fields_of(client.put(url(p), {"months": ["0", "200", *CURVE[2:]], "expected": EVEN}, format="json"))
    assert "1月已关账" in fields["month_1"][0]
    fields = fields_of(client.put(url(p), {"months": ["100"] * 11, "expected": EVEN}, format="json"))
    assert "months" in fields
    fields = fields_of(client.put(url(p), {"months": [100] * 12, "expected": EVEN}, format="json"))  # decimals are text
    assert "months" in fields
    fields = fields_of(client.put(url(p), {"expected": EVEN}, format="json"))
    assert "months" in fields
    fields = fields_of(client.put(url(p), {"months": CURVE, "expected": EVEN, "version": 1}, format="json"))
    assert "version" in fields
    assert not MonthlyPlan.objects.exists()
    # a stale expected: somebody saved meanwhile
    assert client.put(url(p), {"months": CURVE, "expected": EVEN}, format="json").status_code == 200
    error_of(client.put(url(p), {"months": ["100"] * 12, "expected": EVEN}, format="json"), 409, "conflict")
    assert list(MonthlyPlan.objects.filter(project=p).values_list("planned", flat=True)) == [Decimal(v) for v in CURVE]


def test_scope_and_roles(as_user: Any, dw: Any) -> None:
    p = dw.projects.own_county
    body = {"months": CURVE, "expected": EVEN}
    error_of(as_user(dw.users.other_city).get(url(p)), 404, "not_found")
    error_of(as_user(dw.users.other_city).put(url(p), body, format="json"), 404, "not_found")
    assert as_user(dw.users.leader).get(url(p)).status_code == 200  # a leader reads it
    for user in (dw.users.leader, dw.users.sysadmin):
        error_of(as_user(user).put(url(p), body, format="json"), 403, "permission_denied")
    error_of(as_user(dw.users.enterprise).put(url(p), body, format="json"), 403, "permission_denied")
    error_of(as_user(dw.users.county).get(url(p, 1999)), 404, "not_found")
    assert not MonthlyPlan.objects.exists()


def test_a_get_put_back_as_it_came(as_user: Any, dw: Any) -> None:
    from keyprojects.audit.models import AuditEvent
    from keyprojects.projects.models import ProjectYear

    p = dw.projects.own_county
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=Decimal(1000))  # 83.3333 / 83.3334 a month
    client = as_user(dw.users.county)
    body = client.get(url(p)).json()
    assert any(not v.endswith("00") for v in body["expected"]) and body["unchanged"] is False
    events = AuditEvent.objects.count()
    r = client.put(url(p), {"months": body["expected"], "expected": body["expected"]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["unchanged"] is True and r.json()["own"] is False and r.json()["expected"] == body["expected"]
    assert not MonthlyPlan.objects.exists() and AuditEvent.objects.count() == events
    months = ["83.3337", *body["expected"][1:11], "83.3329"]
    r = client.put(url(p), {"months": months, "expected": body["expected"]}, format="json")
    assert r.status_code == 200 and r.json()["own"] is True and r.json()["unchanged"] is False, r.content
    assert fields_of(client.put(url(p), {"months": ["1.00001", *months[1:]], "expected": months}, format="json"))["months"]


def test_closed_months_as_counted(as_user: Any, dw: Any) -> None:
    from keyprojects.analytics.services import facts_refresh
    from keyprojects.projects.models import ProjectYear

    p = dw.projects.own_county
    facts_refresh(period=dw.p1)  # 100 counted
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=Decimal(600))
    client = as_user(dw.users.county)
    body = client.get(url(p)).json()
    assert body["months"][0] == {"month": 1, "planned": "100.0000", "planned_to_date": "100.0000", "frozen": True}
    assert body["months"][1]["planned"] == "50.0000" and body["total"] == "650.0000"
    fields = fields_of(client.put(url(p), {"months": ["50"] * 12, "expected": body["expected"]}, format="json"))
    assert "1月已关账" in fields["month_1"][0]
    months = ["100", *["50"] * 10, "0"]
    r = client.put(url(p), {"months": months, "expected": body["expected"]}, format="json")
    assert r.status_code == 200 and r.json()["total"] == "600.0000", r.content
