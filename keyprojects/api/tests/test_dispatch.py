"""Monthly dispatch over the API: periods, save → submit → review → approve / return, the
friendly answers to double submits and stale edits, checks, corrections, month close,
warnings and problem items. Every write goes through ``keyprojects.dispatch.services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import MonthlyReport, PeriodClosure, ProblemItem, ProjectWarning, ReportingPeriod, ReportRevision
from keyprojects.dispatch.services import period_get_or_open
from keyprojects.projects.models import Project

from .utils import error_of, fields_of

REPORTS = "/api/v1/reports/"


@pytest.fixture
def dw(world: Any) -> Any:
    """The world with its projects under construction in 2026 and three open periods (as the
    dispatch tests' fixture of the same name)."""
    Project.objects.filter(pk__in=[p.pk for p in vars(world.projects).values()]).update(stage="construction")
    Project.objects.filter(pk=world.projects.own_county.pk).update(invested_before=Decimal("300"))
    for p in vars(world.projects).values():
        p.refresh_from_db()
    world.p1 = period_get_or_open(year=2026, month=1)
    world.p2 = period_get_or_open(year=2026, month=2)
    world.p3 = period_get_or_open(year=2026, month=3)
    return world


def client_for(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def save(client: APIClient, project: Any, period: str = "2026-01", **values: Any) -> Any:
    return client.post(REPORTS, {"project": project.pk, "period": period, **values}, format="json")


def submitted(dw: Any, project: Any = None, period: str = "2026-01", amount: str = "100") -> dict[str, Any]:
    """A report of ``project`` (default 历下区项目) saved and submitted by the county's clerk
    (lixia_tb): the county user (lixia) reviews it (four eyes)."""
    county = client_for(dw.users.county_clerk)
    r = save(county, project or dw.projects.own_county, period, invested_month=amount)
    assert r.status_code == 201, r.content
    r = county.post(f"{REPORTS}{r.json()['id']}/submit/", {}, format="json")
    assert r.status_code == 200, r.content
    return r.json()  # type: ignore[no-any-return]


# ---- periods ------------------------------------------------------------------------------


def test_periods_list_and_lookup_by_label_or_id(dw: Any) -> None:
    client = client_for(dw.users.county)
    r = client.get("/api/v1/periods/")
    assert r.status_code == 200
    assert [p["label"] for p in r.json()["results"]] == ["2026-03", "2026-02", "2026-01"]
    by_label = client.get("/api/v1/periods/2026-02/").json()
    by_id = client.get(f"/api/v1/periods/{dw.p2.pk}/").json()
    assert by_label == by_id and by_label["status"] == "open" and by_label["fill_end"] == "2026-03-05"
    error_of(client.get("/api/v1/periods/2031-02/"), 404, "not_found")
    error_of(client.get("/api/v1/periods/987654/"), 404, "not_found")
    error_of(client.get("/api/v1/periods/2026-1/"), 404, "not_found")  # not a route


def test_close_period_through_the_api(dw: Any) -> None:
    error_of(client_for(dw.users.county).post("/api/v1/periods/2026-01/close/"), 403, "permission_denied")
    error_of(client_for(dw.users.leader).post("/api/v1/periods/2026-01/close/"), 403, "permission_denied")
    city = client_for(dw.users.city)
    checklist = city.get("/api/v1/periods/2026-01/checklist/").json()
    assert checklist["region"] == "370100" and checklist["total"]["missing"] == 3  # 历下, 市中, 市本级: nothing reported
    extra = error_of(city.post("/api/v1/periods/2026-01/close/"), 400, "close_not_confirmed")
    assert extra["checklist"] == checklist
    r = city.post("/api/v1/periods/2026-01/close/", {"confirm": "2026-01"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["open_items"] == 3 and r.json()["confirmation"] == "2026-01"
    assert r.json()["region"] == "370100" and r.json()["period"] == "2026-01"
    assert PeriodClosure.objects.filter(period=dw.p1, region_id="370100").count() == 1
    assert city.get("/api/v1/periods/2026-01/").json()["closed_regions"] == ["370100"]
    error_of(city.post("/api/v1/periods/2026-01/close/"), 409, "already_closed")
    # A closed month takes no more figures (济南 is closed; 青岛 is not).
    extra = error_of(save(client_for(dw.users.county), dw.projects.own_county, invested_month="5"), 409, "period_closed")
    assert extra == {}
    assert not MonthlyReport.objects.filter(period=dw.p1, project=dw.projects.own_county).exists()
    r = save(client_for(dw.users.other_city), dw.projects.other_city, invested_month="5")
    assert r.status_code == 201, r.content
    # The province closes the whole month: the period itself is frozen.
    r = client_for(dw.users.province).post(f"/api/v1/periods/{dw.p1.pk}/close/", {"confirm": "确认关账"}, format="json")
    assert r.status_code == 200 and r.json()["region"] == "370000"
    assert ReportingPeriod.objects.get(pk=dw.p1.pk).status == "closed"


# ---- save, submit, review -----------------------------------------------------------------


def test_fill_submit_and_approve_along_the_chain(dw: Any) -> None:
    county, city = client_for(dw.users.county), client_for(dw.users.city)
    p = dw.projects.own_county
    r = save(county, p, invested_month="100", physical_progress="基础施工", workers=35)
    assert r.status_code == 201, r.content
    rep = r.json()
    assert (rep["status"], rep["period"], rep["project"], rep["version"]) == ("draft", "2026-01", p.pk, 1)
    assert (rep["invested_month"], rep["invested_ytd"], rep["invested_to_date"]) == ("100.0000", "100.0000", "400.0000")
    # The same POST again updates the one draft (a retry never makes a second row).
    r = save(county, p, invested_month="120", physical_progress="主体施工")
    assert r.status_code == 200 and r.json()["id"] == rep["id"] and r.json()["version"] == 2
    assert r.json()["workers"] == 35  # absent fields keep their value
    # PATCH with the version read.
    r = county.patch(f"{REPORTS}{rep['id']}/", {"invested_month": "110", "version": 2}, format="json")
    assert r.status_code == 200 and r.json()["invested_month"] == "110.0000" and r.json()["version"] == 3
    # Submit: pending at the county (the project is on the city list: county → city).
    r = county.post(f"{REPORTS}{rep['id']}/submit/", {"version": 3}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["pending_level"], r.json()["review_levels"]) == ("submitted", "county", ["county", "city"])
    error_of(city.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json"), 403, "permission_denied")  # not its turn
    error_of(county.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json"), 403, "permission_denied")  # filled it: four eyes
    r = client_for(dw.users.county_clerk).post(f"{REPORTS}{rep['id']}/approve/", {"opinion": "数据属实"}, format="json")
    assert r.status_code == 200 and r.json()["pending_level"] == "city"
    assert city.get(REPORTS, {"pending_level": "city"}).json()["count"] == 1
    r = city.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [s["action"] for s in r.json()["steps"]] == ["save", "save", "save", "submit", "forward", "approve"]
    report = MonthlyReport.objects.get(pk=rep["id"])
    assert report.status == "approved" and report.approved_by == dw.users.city
    actions = set(
        AuditEvent.objects.filter(object_type="dispatch.monthlyreport", object_id=str(report.pk)).values_list("action", flat=True)
    )
    assert actions == {"create", "update", "submit", "forward", "approve"}
    # Approved means immutable.
    error_of(save(county, p, invested_month="1"), 409, "not_editable")
    error_of(county.patch(f"{REPORTS}{rep['id']}/", {"invested_month": "1", "version": report.version}, format="json"), 409, "not_editable")


def test_double_submit_gives_one_row_and_a_friendly_409(dw: Any) -> None:
    rep = submitted(dw)
    county = client_for(dw.users.county)
    # A second tab submitting with the version it read before the first submit, and a plain retry.
    for body in ({"version": 1}, {}):
        r = county.post(f"{REPORTS}{rep['id']}/submit/", body, format="json")
        error_of(r, 409, "already_submitted")
        assert r.json()["message"] == "该月报已提交，请勿重复提交"
    assert MonthlyReport.objects.filter(project=dw.projects.own_county, period=dw.p1).count() == 1
    assert AuditEvent.objects.filter(action="submit", object_id=str(rep["id"])).count() == 1
    # Saving over a submitted report is refused too.
    error_of(save(county, dw.projects.own_county, invested_month="9"), 409, "not_editable")


def test_return_needs_an_opinion_and_reopens_the_report(dw: Any) -> None:
    rep = submitted(dw)
    county = client_for(dw.users.county)
    fields = fields_of(county.post(f"{REPORTS}{rep['id']}/return/", {}, format="json"))
    assert "opinion" in fields
    fields = fields_of(county.post(f"{REPORTS}{rep['id']}/return/", {"opinion": "  "}, format="json"))
    assert "opinion" in fields
    r = county.post(f"{REPORTS}{rep['id']}/return/", {"opinion": "请补充形象进度"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["return_opinion"] == "请补充形象进度"
    error_of(county.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json"), 409, "not_pending")
    r = save(county, dw.projects.own_county, invested_month="130", physical_progress="主体封顶")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    r = county.post(f"{REPORTS}{rep['id']}/submit/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["return_opinion"] == ""


def test_stale_edit_is_409_and_keeps_the_newer_figures(dw: Any) -> None:
    county = client_for(dw.users.county)
    rep = save(county, dw.projects.own_county, invested_month="100").json()
    assert county.patch(f"{REPORTS}{rep['id']}/", {"invested_month": "110", "version": 1}, format="json").status_code == 200
    r = county.patch(f"{REPORTS}{rep['id']}/", {"invested_month": "120", "version": 1}, format="json")
    error_of(r, 409, "conflict")
    assert MonthlyReport.objects.get(pk=rep["id"]).invested_month == Decimal("110")
    assert "version" in fields_of(county.patch(f"{REPORTS}{rep['id']}/", {"invested_month": "1"}, format="json"))


def test_put_and_delete_are_not_offered(dw: Any) -> None:
    county = client_for(dw.users.county)
    rep = save(county, dw.projects.own_county, invested_month="100").json()
    error_of(county.put(f"{REPORTS}{rep['id']}/", {"invested_month": "1", "version": 1}, format="json"), 405, "method_not_allowed")
    error_of(county.delete(f"{REPORTS}{rep['id']}/"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "values,field,fragment",
    [
        ({"invested_month": "-5"}, "invested_month", ""),
        ({"invested_month": "abc"}, "invested_month", ""),
        ({"invested_month": "1e400"}, "invested_month", ""),
        ({"physical_progress_pct": "101"}, "physical_progress_pct", ""),
        ({"workers": 10**12}, "workers", ""),
        ({"no_activity": True, "invested_month": "0"}, "no_activity_reason", "原因"),
        ({"no_activity": True, "no_activity_reason": "冬季停工", "invested_month": "10"}, "invested_month", "0"),
        ({"period": "2026-13"}, "period", ""),
        ({"period": "26-01"}, "period", "YYYY-MM"),
        ({"period": "2099-01"}, "period", "尚未开始"),
        ({"project": "x"}, "project", ""),
        ({"project": 10**20}, "project", ""),
        ({"problems": "a\x00b"}, "problems", ""),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(dw: Any, values: dict[str, Any], field: str, fragment: str) -> None:
    body = {"project": dw.projects.own_county.pk, "period": "2026-01", "invested_month": "1", **values}
    r = client_for(dw.users.county).post(REPORTS, body, format="json")
    fields = fields_of(r)
    assert field in fields and fragment in " ".join(fields[field]), fields
    assert not MonthlyReport.objects.exists()
    assert not ReportingPeriod.objects.filter(year=2099).exists()


def test_no_activity_is_an_explicit_zero(dw: Any) -> None:
    r = save(client_for(dw.users.county), dw.projects.own_county, invested_month="0", no_activity=True, no_activity_reason="冬季停工")
    assert r.status_code == 201 and r.json()["no_activity"] is True and r.json()["invested_month"] == "0.0000"


def test_first_save_opens_a_past_period(dw: Any) -> None:
    r = save(client_for(dw.users.county), dw.projects.own_county, period="2025-12", invested_month="10")
    assert r.status_code == 201 and r.json()["period"] == "2025-12"
    assert ReportingPeriod.objects.filter(year=2025, month=12).count() == 1


def test_failed_checks_block_submit_with_extra_checks(dw: Any) -> None:
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=None)
    county = client_for(dw.users.county)
    rep = save(county, p, invested_month="100", physical_progress_pct="100").json()
    extra = error_of(county.post(f"{REPORTS}{rep['id']}/submit/", {}, format="json"), 400, "invalid")
    assert any(c["code"] == "completion_without_start" and c["severity"] == "error" for c in extra["checks"])
    assert MonthlyReport.objects.get(pk=rep["id"]).status == "draft"
    assert not AuditEvent.objects.filter(action="submit").exists()


def test_warnings_need_acknowledgement_before_approval(dw: Any) -> None:
    clerk = client_for(dw.users.county_clerk)
    Project.objects.filter(pk=dw.projects.own_county.pk).update(actual_start=dt.date(2025, 6, 1))  # under construction
    rep = save(clerk, dw.projects.own_county, invested_month="0").json()  # 0 without 本月无进展: a warning
    extra = error_of(clerk.post(f"{REPORTS}{rep['id']}/submit/", {}, format="json"), 400, "invalid")
    assert extra["reasons_required"] == ["zero_without_reason"]  # a written reason to go on
    # a reason is text, as the schema says: a number or an object is refused, not turned into text
    for wrong in ({"zero_without_reason": 5}, {"zero_without_reason": {"x": 1}}, ["设备待安装"]):
        assert "reasons" in fields_of(clerk.post(f"{REPORTS}{rep['id']}/submit/", {"reasons": wrong}, format="json"))
    r = clerk.post(f"{REPORTS}{rep['id']}/submit/", {"reasons": {"zero_without_reason": "设备待安装"}}, format="json")
    assert r.status_code == 200, r.content
    rep = r.json()
    assert [(f["code"], f["severity"], f["reason"], f["acknowledged"]) for f in rep["flags"]] == [
        ("zero_without_reason", "warning", "设备待安装", False)
    ]
    county = client_for(dw.users.county)
    extra = error_of(county.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json"), 400, "invalid")
    assert "acknowledge" in extra["fields"]
    error_of(client_for(dw.users.city).post(f"{REPORTS}{rep['id']}/acknowledge/", {}, format="json"), 403, "permission_denied")
    assert "reasons" in fields_of(county.post(f"{REPORTS}{rep['id']}/acknowledge/", {}, format="json"))  # a reason each
    r = county.post(f"{REPORTS}{rep['id']}/acknowledge/", {"reasons": {"zero_without_reason": "已核实"}}, format="json")
    assert r.status_code == 200 and r.json()["flags"][0]["acknowledged"] is True
    assert r.json()["flags"][0]["acknowledge_reason"] == "已核实"
    assert county.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json").json()["pending_level"] == "city"


def test_stale_review_is_409(dw: Any) -> None:
    rep = submitted(dw)
    county = client_for(dw.users.county)
    error_of(county.post(f"{REPORTS}{rep['id']}/approve/", {"version": rep["version"] - 1}, format="json"), 409, "conflict")
    assert MonthlyReport.objects.get(pk=rep["id"]).pending_level == "county"


def test_list_filters(dw: Any) -> None:
    submitted(dw)
    county = client_for(dw.users.county)
    save(county, dw.projects.own_county, period="2026-02", invested_month="5")
    city = client_for(dw.users.city)
    save(city, dw.projects.city_level, period="2026-02", invested_month="7")

    def ids(**params: Any) -> list[tuple[str, int]]:
        r = city.get(REPORTS, params)
        assert r.status_code == 200, r.content
        return [(row["period"], row["project"]) for row in r.json()["results"]]

    own, city_level = dw.projects.own_county.pk, dw.projects.city_level.pk
    assert ids() == [("2026-02", own), ("2026-02", city_level), ("2026-01", own)]
    assert ids(period="2026-01") == [("2026-01", own)]
    assert ids(period=str(dw.p2.pk), project=str(city_level)) == [("2026-02", city_level)]
    assert ids(status="submitted") == [("2026-01", own)]
    assert ids(pending_level="county") == [("2026-01", own)] and ids(pending_level="city") == []
    assert ids(region="370102") == [("2026-02", own), ("2026-01", own)]
    assert ids(region="999999") == []
    for bad in (
        {"period": "2026/01"},
        {"status": "nope"},
        {"pending_level": "x"},
        {"project": "x"},
        {"project": "1.5"},
        {"project": "1" + "0" * 20},
    ):
        fields_of(city.get(REPORTS, bad))  # a 400, never a 500 (an id beyond BIGINT overflowed SQLite)


def test_list_query_count_does_not_grow(dw: Any, django_assert_max_num_queries: Any) -> None:
    for p in (dw.projects.own_county, dw.projects.city_level):
        save(client_for(dw.users.city), p, invested_month="3")
    city = client_for(dw.users.city)
    with django_assert_max_num_queries(8):
        r = city.get(REPORTS)
    assert r.json()["count"] == 2


# ---- corrections --------------------------------------------------------------------------


def test_correction_of_an_approved_report(dw: Any) -> None:
    rep = submitted(dw)
    county, city, prov = client_for(dw.users.county), client_for(dw.users.city), client_for(dw.users.province)
    assert county.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json").status_code == 200
    url = f"{REPORTS}{rep['id']}/revisions/"
    error_of(county.post(url, {"reason": "x", "new_values": {"invested_month": "80"}}, format="json"), 409, "not_approved")
    assert city.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json").json()["status"] == "approved"
    assert "reason" in fields_of(county.post(url, {"new_values": {"invested_month": "80"}}, format="json"))
    assert "new_values" in fields_of(county.post(url, {"reason": "误报", "new_values": {"invested_month": "-1"}}, format="json"))
    r = county.post(url, {"reason": "误将2月数据计入1月", "new_values": {"invested_month": "80"}}, format="json")
    assert r.status_code == 201, r.content
    rev = r.json()
    assert (rev["status"], rev["approval_level"], rev["old_values"], rev["new_values"]) == (
        "pending",
        "province",
        {"invested_month": "100.0000"},
        {"invested_month": "80.0000"},
    )
    error_of(county.post(url, {"reason": "再次", "new_values": {"invested_month": "70"}}, format="json"), 409, "revision_pending")
    assert [x["id"] for x in prov.get("/api/v1/revisions/", {"status": "pending"}).json()["results"]] == [rev["id"]]
    error_of(city.post(f"/api/v1/revisions/{rev['id']}/decide/", {"approve": True}, format="json"), 403, "permission_denied")
    error_of(
        client_for(dw.users.sibling).post(f"/api/v1/revisions/{rev['id']}/decide/", {"approve": True}, format="json"), 404, "not_found"
    )
    assert "approve" in fields_of(prov.post(f"/api/v1/revisions/{rev['id']}/decide/", {}, format="json"))
    r = prov.post(f"/api/v1/revisions/{rev['id']}/decide/", {"approve": True, "opinion": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["decision_opinion"] == "同意"
    assert MonthlyReport.objects.get(pk=rep["id"]).invested_month == Decimal("80")
    error_of(prov.post(f"/api/v1/revisions/{rev['id']}/decide/", {"approve": False}, format="json"), 409, "revision_decided")
    assert ReportRevision.objects.count() == 1


def test_a_correction_may_clear_a_nullable_value_and_is_decided_one_level_up(dw: Any) -> None:
    """null clears 形象进度% / 在岗工人数 (stored as null, not the text "None"); a field that must
    have a value refuses null with a field message (issue 17 §1)."""
    county, city, prov = client_for(dw.users.county), client_for(dw.users.city), client_for(dw.users.province)
    clerk = client_for(dw.users.county_clerk)  # fills; the county reviews (four eyes)
    r = save(clerk, dw.projects.own_county, invested_month="100", physical_progress_pct="40", workers=12)
    rep = r.json()
    assert clerk.post(f"{REPORTS}{rep['id']}/submit/", {}, format="json").status_code == 200
    for reviewer in (county, city):
        assert reviewer.post(f"{REPORTS}{rep['id']}/approve/", {}, format="json").status_code == 200
    url = f"{REPORTS}{rep['id']}/revisions/"
    for field in ("invested_month", "no_activity", "physical_progress"):
        assert field in fields_of(county.post(url, {"reason": "清空", "new_values": {field: None}}, format="json"))["new_values"]
    r = county.post(url, {"reason": "工人数与进度未核实", "new_values": {"workers": None, "physical_progress_pct": None}}, format="json")
    assert r.status_code == 201, r.content
    rev = r.json()
    assert rev["new_values"] == {"workers": None, "physical_progress_pct": None}
    assert rev["old_values"] == {"workers": "12", "physical_progress_pct": "40.00"}
    stored = ReportRevision.objects.get(pk=rev["id"])
    assert stored.new_values == {"workers": None, "physical_progress_pct": None} and stored.old_values["workers"] == 12
    r = prov.post(f"/api/v1/revisions/{rev['id']}/decide/", {"approve": True}, format="json")
    assert r.status_code == 200, r.content
    report = MonthlyReport.objects.get(pk=rep["id"])
    assert (report.workers, report.physical_progress_pct, report.invested_month) == (None, None, Decimal("100"))


def test_service_messages_name_the_fields_unit(dw: Any) -> None:
    """形象进度 is a percentage and 在岗工人数 a head count: their messages say so, not 万元."""
    from keyprojects.core.errors import ValidationFailed
    from keyprojects.dispatch.services import report_save

    def message(**data: Any) -> str:
        with pytest.raises(ValidationFailed) as exc:
            report_save(user=dw.users.county, project=dw.projects.own_county, period=dw.p1, data=data)
        ((field, (msg, *_)),) = exc.value.extra["fields"].items()
        assert field == next(iter(data))
        return str(msg)

    assert "%" in message(physical_progress_pct="None") and "万元" not in message(physical_progress_pct="abc")
    assert "人" in message(workers="None") and "人" in message(workers="1.5")
    assert "万元" in message(invested_month="abc")


# ---- warnings and problems ----------------------------------------------------------------


def test_warnings_list_follows_scope_and_filters(dw: Any) -> None:
    for p, kind in (
        (dw.projects.own_county, "missing_report"),
        (dw.projects.sibling_county, "behind_schedule"),
        (dw.projects.other_city, "missing_report"),
    ):
        ProjectWarning.objects.create(project=p, period=dw.p1, kind=kind, message="测试预警")
    ProjectWarning.objects.create(project=dw.projects.own_county, period=dw.p2, kind="zero_investment", message="测试预警")

    def rows(user: Any, **params: Any) -> list[tuple[int, str, str]]:
        r = client_for(user).get("/api/v1/warnings/", params)
        assert r.status_code == 200, r.content
        return sorted((w["project"], w["period"], w["kind"]) for w in r.json()["results"])

    own, sib = dw.projects.own_county.pk, dw.projects.sibling_county.pk
    assert rows(dw.users.county) == [(own, "2026-01", "missing_report"), (own, "2026-02", "zero_investment")]
    assert rows(dw.users.city, period="2026-01") == [(own, "2026-01", "missing_report"), (sib, "2026-01", "behind_schedule")]
    assert rows(dw.users.city, kind="behind_schedule") == [(sib, "2026-01", "behind_schedule")]
    assert rows(dw.users.city, region="370103") == [(sib, "2026-01", "behind_schedule")]
    assert len(rows(dw.users.province)) == 4
    assert rows(dw.users.leader, region="370102", period=str(dw.p2.pk)) == [(own, "2026-02", "zero_investment")]
    assert rows(dw.users.sysadmin) == []
    fields_of(client_for(dw.users.city).get("/api/v1/warnings/", {"kind": "nope"}))


def test_problem_items(dw: Any) -> None:
    county = client_for(dw.users.county)
    p = dw.projects.own_county
    body = {"project": p.pk, "description": "用地指标未落实", "responsible_unit": dw.dept.pk, "due_date": "2026-04-30"}
    r = county.post("/api/v1/problems/", body, format="json")
    assert r.status_code == 201, r.content
    item = r.json()
    assert (item["status"], item["responsible_unit_name"], item["version"]) == ("open", dw.dept.name, 1)
    # The responsible department sees it; the sibling county does not.
    assert [x["id"] for x in client_for(dw.users.department).get("/api/v1/problems/").json()["results"]] == [item["id"]]
    assert client_for(dw.users.sibling).get("/api/v1/problems/").json()["count"] == 0
    error_of(client_for(dw.users.sibling).get(f"/api/v1/problems/{item['id']}/"), 404, "not_found")
    url = f"/api/v1/problems/{item['id']}/status/"
    assert "resolution" in fields_of(county.post(url, {"status": "solved"}, format="json"))
    assert "status" in fields_of(county.post(url, {"status": "done"}, format="json"))
    r = county.post(url, {"status": "in_progress", "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_progress" and r.json()["version"] == 2
    error_of(county.post(url, {"status": "solved", "resolution": "已落实", "version": 1}, format="json"), 409, "conflict")
    r = client_for(dw.users.department).post(url, {"status": "solved", "resolution": "指标已下达"}, format="json")
    assert r.status_code == 200 and r.json()["solved_at"]
    assert client_for(dw.users.city).get("/api/v1/problems/", {"status": "solved"}).json()["count"] == 1
    assert client_for(dw.users.city).get("/api/v1/problems/", {"status": "open"}).json()["count"] == 0
    error_of(client_for(dw.users.leader).post(url, {"status": "open"}, format="json"), 403, "permission_denied")
    error_of(client_for(dw.users.sibling).post(url, {"status": "open"}, format="json"), 404, "not_found")


def test_problem_input_errors(dw: Any) -> None:
    county = client_for(dw.users.county)
    p = dw.projects.own_county
    assert "description" in fields_of(county.post("/api/v1/problems/", {"project": p.pk, "description": " "}, format="json"))
    other = save(client_for(dw.users.city), dw.projects.city_level, invested_month="1").json()
    r = county.post("/api/v1/problems/", {"project": p.pk, "description": "x", "report": other["id"]}, format="json")
    assert "report" in fields_of(r)
    error_of(
        county.post("/api/v1/problems/", {"project": dw.projects.sibling_county.pk, "description": "x"}, format="json"), 404, "not_found"
    )
    error_of(county.post("/api/v1/problems/", {"project": 987654321, "description": "x"}, format="json"), 404, "not_found")
    assert not ProblemItem.objects.exists()


def test_an_impossible_version_is_a_conflict_not_an_overflow(dw: Any) -> None:
    """2**31 - 1 is a valid version in the schema; on PostgreSQL ``version + 1`` overflowed the
    integer column (500) although no row matched (found by schemathesis)."""
    county = client_for(dw.users.county)
    rep = save(county, dw.projects.own_county, invested_month="5").json()
    top = 2**31 - 1
    error_of(county.post(f"{REPORTS}{rep['id']}/submit/", {"version": top}, format="json"), 409, "conflict")
    error_of(county.patch(f"{REPORTS}{rep['id']}/", {"version": top, "invested_month": "6"}, format="json"), 409, "conflict")
    item = ProblemItem.objects.create(project=dw.projects.own_county, description="用地")
    url = f"/api/v1/problems/{item.pk}/status/"
    error_of(county.post(url, {"status": "in_progress", "version": top}, format="json"), 409, "conflict")
