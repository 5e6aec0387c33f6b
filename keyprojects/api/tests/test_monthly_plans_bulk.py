"""``/api/v1/monthly-plans/``: the 分月计划 of a scope listed (by year, narrowed to a region,
paginated) and set many at once through the page's service — all or nothing, row errors (row,
project, month, message) with 400, a stale ``expected`` with 409; who may, as the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keyprojects.api.plans_views import DRY_RUN_IN_BODY
from keyprojects.audit.models import AuditEvent
from keyprojects.core.money import format_wan_exact as exact_wan
from keyprojects.dispatch.models import MonthlyPlan, PeriodClosure
from keyprojects.projects.models import ProjectYear

from .utils import error_of, fields_of

LIST = "/api/v1/monthly-plans/"
BULK = "/api/v1/monthly-plans/bulk/"
CURVE = ["100", "0", "0", "200", "100", "100", "100", "100", "100", "100", "100", "200"]  # 历下区项目: 1200


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [item["name"] for item in response.json()["results"]]


def listed(client: Any, **query: str) -> dict[str, dict[str, Any]]:
    r = client.get(LIST, {"year": "2026", **query})
    assert r.status_code == 200, r.content[:500]
    return {item["name"]: item for item in r.json()["results"]}


def row(project: Any, months: list[str], expected: list[str]) -> dict[str, Any]:
    return {"project": project.pk, "months": months, "expected": expected}


def stored(project: Any) -> list[Decimal]:
    return list(MonthlyPlan.objects.filter(project=project, year=2026).order_by("month").values_list("planned", flat=True))


def test_the_list_of_a_county_a_city_and_a_province(as_user: Any, dw: Any) -> None:
    items = listed(as_user(dw.users.county))
    assert set(items) == {"历下区项目"}
    item = items["历下区项目"]
    assert item["project"] == dw.projects.own_county.pk and item["region"] == "370102" and item["region_name"] == "历下区"
    assert item["year"] == 2026 and item["annual_plan"] == "1200.0000" and item["own"] is False
    assert item["expected"] == ["100.0000"] * 12 and item["months"][0]["planned"] == "100.0000" and "unchanged" not in item
    assert set(listed(as_user(dw.users.city))) == {"历下区项目", "市中区项目", "济南市本级项目"}
    # a city narrowed to one county, the province to a county and to a city
    assert set(listed(as_user(dw.users.city), region="370102")) == {"历下区项目"}
    assert set(listed(as_user(dw.users.province), region="370103")) == {"市中区项目"}
    assert set(listed(as_user(dw.users.province), region="370200")) == {"青岛市南区项目"}
    assert set(listed(as_user(dw.users.province))) == {"历下区项目", "市中区项目", "济南市本级项目", "青岛市南区项目"}
    # a year without annual plans lists nothing
    assert names(as_user(dw.users.city).get(LIST, {"year": "2027"})) == []


def test_the_list_is_paginated_like_the_others(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.city)
    r = client.get(LIST, {"year": "2026", "page_size": "2"})
    body = r.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(client.get(LIST, {"year": "2026", "page_size": "2", "page": "2"}).json()["results"]) == 1
    error_of(client.get(LIST, {"year": "2026", "page": "3"}), 404, "not_found")


def test_list_query_errors_and_regions_outside_the_scope(as_user: Any, dw: Any) -> None:
    city = as_user(dw.users.city)
    assert "year" in fields_of(city.get(LIST))
    assert "year" in fields_of(city.get(LIST, {"year": "1999"}))
    assert "year" in fields_of(city.get(LIST, {"year": "abc"}))
    assert "region" in fields_of(city.get(LIST, {"year": "2026", "region": "3701"}))
    assert "region" in fields_of(city.get(LIST, {"year": "2026", "region": ""}))
    # another city's county and a code naming nothing: one 404, one message (no leak)
    other = error_of(city.get(LIST, {"year": "2026", "region": "370202"}), 404, "not_found")
    r1 = city.get(LIST, {"year": "2026", "region": "370202"}).json()["message"]
    r2 = city.get(LIST, {"year": "2026", "region": "999999"}).json()["message"]
    assert other == {} and r1 == r2 == "所选区域不存在或不在您的管辖范围内"
    # a county cannot widen itself to its city nor look at its sibling
    county = as_user(dw.users.county)
    error_of(county.get(LIST, {"year": "2026", "region": "370100"}), 404, "not_found")
    error_of(county.get(LIST, {"year": "2026", "region": "370103"}), 404, "not_found")


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("county", 200, 200),
        ("city", 200, 200),
        ("province", 200, 200),
        ("department", 200, 200),
        ("leader", 200, 403),
        ("enterprise", 403, 403),
        ("sysadmin", 403, 403),
        ("secadmin", 403, 403),
        ("auditor", 403, 403),
    ],
)
def test_who_may(as_user: Any, dw: Any, who: str, read: int, write: int) -> None:
    client = as_user(getattr(dw.users, who))
    assert client.get(LIST, {"year": "2026"}).status_code == read
    r = client.post(BULK, {"year": 2026, "plans": [row(dw.projects.own_county, CURVE, ["100"] * 12)]}, format="json")
    assert r.status_code == write, r.content[:300]
    if write == 403:
        error_of(r, 403, "permission_denied")
        assert not MonthlyPlan.objects.exists()
    else:
        assert stored(dw.projects.own_county) == [Decimal(v) for v in CURVE]


def test_a_leader_reads_what_they_see(as_user: Any, dw: Any) -> None:
    assert set(listed(as_user(dw.users.leader))) == {"历下区项目", "市中区项目", "济南市本级项目"}
    assert set(listed(as_user(dw.users.leader), region="370103")) == {"市中区项目"}


SIB_CURVE = ["0", "0", "200", "100", "100", "100", "100", "100", "100", "0", "0", "0"]


def _city_sheet(as_user: Any, dw: Any, monkeypatch: Any) -> tuple[Any, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The city's client after a refresh of both periods, its list, three rows (own county's and
    sibling county's curves changed, the city-level project's left as read) and the calls of
    ``refresh_after`` from then on."""
    import keyprojects.analytics.refresh as refresh
    from keyprojects.analytics.services import facts_refresh

    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)
    client = as_user(dw.users.city)
    items = listed(client)
    own, sib, city_level = dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level
    plans = [
        row(own, CURVE, items["历下区项目"]["expected"]),
        row(sib, SIB_CURVE, items["市中区项目"]["expected"]),
        row(city_level, items["济南市本级项目"]["expected"], items["济南市本级项目"]["expected"]),  # as read: left alone
    ]
    calls: list[dict[str, Any]] = []
    real = refresh.refresh_after
    monkeypatch.setattr(refresh, "refresh_after", lambda **kw: (calls.append(kw), real(**kw))[1])
    return client, items, plans, calls


def test_many_projects_set_at_once_with_one_refresh(as_user: Any, dw: Any, monkeypatch: Any) -> None:
    client, items, plans, calls = _city_sheet(as_user, dw, monkeypatch)
    own, sib, city_level = dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level
    events = AuditEvent.objects.filter(action="update").count()
    body = {"year": 2026, "plans": plans}
    r = client.post(BULK, body, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"year": 2026, "changed": 2, "unchanged": 1, "projects": sorted([own.pk, sib.pk])}
    assert stored(own) == [Decimal(v) for v in CURVE] and stored(sib)[2] == Decimal(200) and stored(city_level) == []
    assert AuditEvent.objects.filter(action="update").count() == events + 2  # one per project, as the single save
    assert len(calls) == 1 and set(calls[0]["project_ids"]) == {own.pk, sib.pk}
    # the list says what was written; the same again changes nothing
    items = listed(client)
    assert items["历下区项目"]["own"] is True and items["历下区项目"]["months"][3]["planned_to_date"] == "300.0000"
    again = {"year": 2026, "plans": [row(own, CURVE, items["历下区项目"]["expected"])]}
    assert client.post(BULK, again, format="json").json() == {"year": 2026, "changed": 0, "unchanged": 1, "projects": []}


def test_row_errors_are_listed_and_nothing_is_written(as_user: Any, dw: Any) -> None:
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    client = as_user(dw.users.city)
    items = listed(client)
    own, sib, city_level = dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level
    city_jan = items["济南市本级项目"]["expected"][0]  # closed: kept
    good = row(city_level, [city_jan, str(500 - Decimal(city_jan)), *(["0"] * 10)], items["济南市本级项目"]["expected"])  # valid by itself
    sib_jan = items["市中区项目"]["expected"][0]
    body = {
        "year": 2026,
        "plans": [
            good,
            row(own, ["100", "-1", *CURVE[2:]], items["历下区项目"]["expected"]),  # 2月 negative
            row(sib, ["1", *(["0"] * 11)], items["市中区项目"]["expected"]),  # 1月 closed, changed; and the sum
            row(dw.projects.other_city, CURVE, ["100"] * 12),  # another city's: out of scope
            {"project": 999999, "months": CURVE, "expected": CURVE},  # no such project
            good,  # twice
        ],
    }
    events = AuditEvent.objects.count()
    r = client.post(BULK, body, format="json")
    extra = error_of(r, 400, "invalid")
    said = {(e["row"], e["project"], e["month"]): e["message"] for e in extra["errors"]}
    assert [e["row"] for e in extra["errors"]] == sorted(e["row"] for e in extra["errors"])
    assert said[(2, own.pk, 2)] == "金额不能为负数"
    assert said[(3, sib.pk, 1)] == f"1月已关账，分月计划须保持{exact_wan(Decimal(sib_jan))}万元"
    assert said[(4, dw.projects.other_city.pk, None)] == f"项目“{dw.projects.other_city.pk}”不存在或不在您的管辖范围内"
    assert said[(5, 999999, None)] == "项目“999999”不存在或不在您的管辖范围内"
    assert said[(6, city_level.pk, None)] == "该项目已在第1行填写"
    assert not any(e["row"] == 1 for e in extra["errors"])
    # nothing written: not even the valid first row, no audit record
    assert not MonthlyPlan.objects.exists() and AuditEvent.objects.count() == events
    assert client.post(BULK, {"year": 2026, "plans": [good]}, format="json").json()["changed"] == 1  # (it was valid)
    # the sum is said at the row
    r = client.post(BULK, {"year": 2026, "plans": [row(own, ["100"] * 11 + ["99"], items["历下区项目"]["expected"])]}, format="json")
    (error,) = error_of(r, 400, "invalid")["errors"]
    assert error["month"] is None and "12个月合计1,199.00万元，2026年年度计划投资1,200.00万元，相差1.00万元" in error["message"]


def test_a_year_without_annual_plan_is_a_row_error(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.county)
    r = client.post(BULK, {"year": 2027, "plans": [row(dw.projects.own_county, CURVE, ["0"] * 12)]}, format="json")
    (error,) = error_of(r, 400, "invalid")["errors"]
    assert error == {"row": 1, "project": dw.projects.own_county.pk, "month": None, "message": error["message"]}
    assert "2027年尚无年度计划投资" in error["message"]


def test_a_city_narrowed_to_a_county_refuses_the_others(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.city)
    items = listed(client)
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    body = {
        "year": 2026,
        "region": "370102",
        "plans": [
            row(own, CURVE, items["历下区项目"]["expected"]),
            row(sib, ["0", "0", "200", "100", "100", "100", "100", "100", "100", "0", "0", "0"], items["市中区项目"]["expected"]),
        ],
    }
    (error,) = error_of(client.post(BULK, body, format="json"), 400, "invalid")["errors"]
    assert error == {"row": 2, "project": sib.pk, "month": None, "message": f"项目“{sib.pk}”不在所选区域（济南市历下区）内"}
    assert not MonthlyPlan.objects.exists()
    body["plans"] = body["plans"][:1]
    assert client.post(BULK, body, format="json").json()["projects"] == [own.pk]
    # a region outside the scope (or naming nothing) is the body's error, said alike
    for code in ("370202", "999999"):
        fields = fields_of(client.post(BULK, {**body, "region": code}, format="json"))
        assert fields == {"region": ["所选区域不存在或不在您的管辖范围内"]}


def test_a_curve_changed_since_it_was_read_refuses_the_batch(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.city)
    items = listed(client)
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    # the sibling's annual plan changes after the list was read: its default spread moves
    ProjectYear.objects.filter(project=sib, year=2026).update(annual_plan=Decimal(900))
    body = {
        "year": 2026,
        "plans": [
            row(own, CURVE, items["历下区项目"]["expected"]),
            row(sib, ["0", "0", "200", "100", "100", "100", "100", "100", "100", "100", "0", "0"], items["市中区项目"]["expected"]),
        ],
    }
    r = client.post(BULK, body, format="json")
    extra = error_of(r, 409, "conflict")
    assert extra["stale"] == [sib.pk] and [(e["row"], e["project"]) for e in extra["errors"]] == [(2, sib.pk)]
    assert "读取之后，以下项目的分月计划已被修改：市中区项目" in r.json()["message"]
    assert not MonthlyPlan.objects.exists()


def test_malformed_bodies_name_the_field(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.county)
    p = dw.projects.own_county
    assert "plans" in fields_of(client.post(BULK, {"year": 2026, "plans": []}, format="json"))
    assert "plans" in fields_of(client.post(BULK, {"year": 2026, "plans": [row(p, CURVE[:11], CURVE)]}, format="json"))
    assert "plans" in fields_of(client.post(BULK, {"year": 2026, "plans": [{**row(p, CURVE, CURVE), "version": 1}]}, format="json"))
    assert "plans" in fields_of(client.post(BULK, {"year": 2026, "plans": [row(p, [100] * 12, CURVE)]}, format="json"))
    assert "year" in fields_of(client.post(BULK, {"year": 1999, "plans": [row(p, CURVE, CURVE)]}, format="json"))
    assert "extra" in fields_of(client.post(BULK, {"year": 2026, "plans": [row(p, CURVE, CURVE)], "extra": 1}, format="json"))
    assert not MonthlyPlan.objects.exists()


# ---- dry run ----------------------------------------------------------------------------------


def _written() -> tuple[int, int, int]:
    """What a bulk write leaves behind: plan rows, audit records, project-year figures."""
    from keyprojects.analytics.models import ProjectPeriodFact

    return MonthlyPlan.objects.count(), AuditEvent.objects.count(), ProjectPeriodFact.objects.count()


def test_a_dry_run_answers_like_the_real_call_and_writes_nothing(as_user: Any, dw: Any, monkeypatch: Any) -> None:
    client, items, plans, calls = _city_sheet(as_user, dw, monkeypatch)
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    before = _written()
    dry = client.post(BULK, {"year": 2026, "plans": plans, "dry_run": True}, format="json")
    assert dry.status_code == 200, dry.content
    assert dry.json() == {"year": 2026, "changed": 2, "unchanged": 1, "projects": sorted([own.pk, sib.pk])}
    # nothing written: no plan rows, no audit record, no refresh; the list reads as before
    assert _written() == before and not MonthlyPlan.objects.exists() and calls == []
    assert listed(client) == items
    # the same body without dry_run (or with it false) writes, and answers the same
    real_call = client.post(BULK, {"year": 2026, "plans": plans, "dry_run": False}, format="json")
    assert real_call.status_code == 200 and real_call.json() == dry.json()
    assert stored(own) == [Decimal(v) for v in CURVE] and len(calls) == 1
    assert MonthlyPlan.objects.count() == before[0] + 24 and AuditEvent.objects.count() > before[1]


def test_a_dry_run_with_row_errors_or_a_stale_curve_answers_like_the_real_call(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.city)
    items = listed(client)
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    bad = {
        "year": 2026,
        "plans": [
            row(own, ["100", "-1", *CURVE[2:]], items["历下区项目"]["expected"]),  # 2月 negative
            {"project": 999999, "months": CURVE, "expected": CURVE},  # no such project
        ],
    }
    before = _written()
    dry = client.post(BULK, {**bad, "dry_run": True}, format="json")
    extra = error_of(dry, 400, "invalid")
    assert [(e["row"], e["project"], e["month"]) for e in extra["errors"]] == [(1, own.pk, 2), (2, 999999, None)]
    assert _written() == before
    real = client.post(BULK, bad, format="json")
    assert real.status_code == 400 and real.json() == dry.json()
    # a curve changed since it was read: 409 in a dry run too, nothing written
    ProjectYear.objects.filter(project=sib, year=2026).update(annual_plan=Decimal(900))
    stale = {"year": 2026, "dry_run": True, "plans": [row(sib, ["75"] * 12, items["市中区项目"]["expected"])]}
    assert error_of(client.post(BULK, stale, format="json"), 409, "conflict")["stale"] == [sib.pk]
    assert _written() == before


def test_dry_run_is_a_json_boolean(as_user: Any, dw: Any) -> None:
    client = as_user(dw.users.county)
    body = {"year": 2026, "plans": [row(dw.projects.own_county, CURVE, ["100"] * 12)]}
    for value in (1, "true", "1"):
        assert "dry_run" in fields_of(client.post(BULK, {**body, "dry_run": value}, format="json"))
    # asked as a query parameter: refused (never written as if it were a real call)
    for query in ("?dry_run=1", "?dry_run=true", "?dry_run=0"):
        assert fields_of(client.post(BULK + query, body, format="json")) == {"dry_run": [DRY_RUN_IN_BODY]}
    assert not MonthlyPlan.objects.exists()
