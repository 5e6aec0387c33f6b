"""Monthly dispatch workflow: fill → submit → review chain → approve / return; derived figures;
immutability and corrections; one report per project and period; atomic steps."""

from __future__ import annotations

from decimal import Decimal as D
from unittest import mock

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.dispatch.models import MonthlyReport, ReportStep
from keyprojects.dispatch.services import (
    AlreadySubmitted,
    NotEditable,
    report_acknowledge,
    report_review,
    report_save,
    report_submit,
    revision_decide,
    revision_request,
)


def fill(user, project, period, amount, **kw):
    return report_save(user=user, project=project, period=period, data={"invested_month": amount, **kw})


def test_county_fills_city_approves_and_figures_are_derived(dw):
    clerk = dw.users.county_clerk  # fills; lixia reviews (four eyes)
    p, county, city = dw.projects.own_county, dw.users.county, dw.users.city
    r1 = fill(clerk, p, dw.p1, "100", physical_progress="基础施工")
    assert (r1.invested_ytd, r1.invested_to_date) == (D(100), D(400))  # 300 before tracking
    report_submit(user=clerk, report=r1)
    r1.refresh_from_db()
    assert r1.status == "submitted" and r1.review_levels == ["county", "city"] and r1.pending_level == "county"
    with pytest.raises(PermissionDenied):
        report_review(user=city, report=r1, action="approve")  # not the city's turn yet
    report_review(user=county, report=r1, action="approve")
    r1.refresh_from_db()
    assert r1.status == "submitted" and r1.pending_level == "city"
    report_review(user=city, report=r1, action="approve")
    r1.refresh_from_db()
    assert r1.status == "approved" and r1.approved_by == city
    r2 = fill(clerk, p, dw.p2, "50.5")
    assert (r2.invested_ytd, r2.invested_to_date) == (D("150.5"), D("450.5"))
    actions = list(ReportStep.objects.filter(report=r1).values_list("action", flat=True))
    assert actions == ["save", "submit", "forward", "approve"]
    assert AuditEvent.objects.filter(object_type="dispatch.monthlyreport", object_id=str(r1.pk), action="approve").exists()


def test_return_needs_opinion_and_makes_it_editable(dw):
    clerk = dw.users.county_clerk  # fills; lixia reviews (four eyes)
    p, county = dw.projects.own_county, dw.users.county
    r = fill(clerk, p, dw.p1, "100")
    report_submit(user=clerk, report=r)
    with pytest.raises(ValidationFailed):
        report_review(user=county, report=r, action="return", opinion=" ")
    report_review(user=county, report=r, action="return", opinion="请补充形象进度")
    r.refresh_from_db()
    assert r.status == "returned" and r.return_opinion == "请补充形象进度"
    r = fill(clerk, p, dw.p1, "120", physical_progress="主体封顶")
    report_submit(user=clerk, report=r)
    r.refresh_from_db()
    assert r.status == "submitted" and r.invested_month == D(120)


def test_double_submit_and_second_tab_leave_one_report(dw):
    p, county = dw.projects.own_county, dw.users.county
    r = fill(county, p, dw.p1, "100")
    stale_version = r.version
    report_submit(user=county, report=r)
    with pytest.raises(AlreadySubmitted) as exc:
        report_submit(user=county, report=r, expected_version=stale_version)
    assert "已提交" in exc.value.message
    with pytest.raises(NotEditable):
        fill(county, p, dw.p1, "999")
    assert MonthlyReport.objects.filter(project=p, period=dw.p1).count() == 1


def test_stale_draft_edit_conflicts(dw):
    p, county = dw.projects.own_county, dw.users.county
    r = fill(county, p, dw.p1, "100")
    v = r.version
    report_save(user=county, project=p, period=dw.p1, data={"invested_month": "110"}, expected_version=v)
    with pytest.raises(ConflictError):
        report_save(user=county, project=p, period=dw.p1, data={"invested_month": "120"}, expected_version=v)
    r.refresh_from_db()
    assert r.invested_month == D(110)


@pytest.mark.parametrize("value,message", [("-5", "负数"), ("abc", "数字"), ("1e400x", "数字")])
def test_bad_amounts_are_field_errors(dw, value, message):
    with pytest.raises(ValidationFailed) as exc:
        fill(dw.users.county, dw.projects.own_county, dw.p1, value)
    assert message in exc.value.extra["fields"]["invested_month"][0]
    assert not MonthlyReport.objects.exists()


def test_no_activity_is_an_explicit_zero_with_reason(dw):
    p = dw.projects.own_county
    with pytest.raises(ValidationFailed):
        fill(dw.users.county, p, dw.p1, "0", no_activity=True)
    with pytest.raises(ValidationFailed):
        fill(dw.users.county, p, dw.p1, "10", no_activity=True, no_activity_reason="冬季停工")
    r = fill(dw.users.county, p, dw.p1, "0", no_activity=True, no_activity_reason="冬季停工")
    assert r.no_activity and r.invested_month == 0


def test_unit_slip_is_a_warning_the_reviewer_must_acknowledge(dw):
    clerk = dw.users.county_clerk  # fills; lixia reviews (four eyes)
    p, county = dw.projects.own_county, dw.users.county
    from keyprojects.dispatch.services import period_get_or_open

    for m in (1, 2, 3):
        r = fill(clerk, p, period_get_or_open(year=2026, month=m), "100")
        report_submit(user=clerk, report=r)
        report_review(user=county, report=r, action="approve")
        report_review(user=dw.users.city, report=r, action="approve")
    r4 = fill(clerk, p, period_get_or_open(year=2026, month=4), "1000000")  # 元 typed as 万元
    with pytest.raises(ValidationFailed) as exc:  # above the total investment: an error
        report_submit(user=clerk, report=r4)
    assert {c["code"]: c["severity"] for c in exc.value.extra["checks"]} == {"to_date_above_total": "error", "unit_slip": "warning"}
    r4 = fill(clerk, p, period_get_or_open(year=2026, month=4), "1000")  # 10× the usual 100
    with pytest.raises(ValidationFailed) as exc:  # a warning needs a written reason to go on
        report_submit(user=clerk, report=r4)
    assert exc.value.extra["reasons_required"] == ["unit_slip"]
    report_submit(user=clerk, report=r4, reasons={"unit_slip": "主体设备集中到货，已核实"})
    assert list(r4.flags.values_list("code", "severity", "reason")) == [("unit_slip", "warning", "主体设备集中到货，已核实")]
    with pytest.raises(ValidationFailed):
        report_review(user=county, report=r4, action="approve")
    with pytest.raises(ValidationFailed):
        report_acknowledge(user=county, report=r4)  # a reason per warning
    report_acknowledge(user=county, report=r4, reasons={"unit_slip": "与合同付款进度一致"})
    report_review(user=county, report=r4, action="approve")
    r4.refresh_from_db()
    assert r4.pending_level == "city"


def test_completion_without_start_blocks_submit(dw):
    p, county = dw.projects.own_county, dw.users.county
    type(p).objects.filter(pk=p.pk).update(actual_start=None)
    r = fill(county, p, dw.p1, "100", physical_progress_pct="100")
    with pytest.raises(ValidationFailed) as exc:
        report_submit(user=county, report=r)
    assert any(c["code"] == "completion_without_start" for c in exc.value.extra["checks"])
    r.refresh_from_db()
    assert r.status == "draft"


def test_failure_inside_submit_rolls_back(dw):
    p, county = dw.projects.own_county, dw.users.county
    r = fill(county, p, dw.p1, "100")
    with mock.patch("keyprojects.dispatch.services.audit_record", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        report_submit(user=county, report=r)
    r.refresh_from_db()
    assert r.status == "draft" and not r.steps.filter(action="submit").exists()


def test_scope(dw):
    with pytest.raises(NotFound):
        fill(dw.users.sibling, dw.projects.own_county, dw.p1, "1")
    with pytest.raises(NotFound):
        fill(dw.users.leader, dw.projects.own_county, dw.p1, "1")
    r = fill(dw.users.enterprise, dw.projects.own_county, dw.p1, "5")  # the owner fills
    report_submit(user=dw.users.enterprise, report=r)
    with pytest.raises(NotFound):
        report_review(user=dw.users.other_city, report=r, action="approve")


def test_approved_report_is_corrected_through_a_revision_one_level_up(dw):
    clerk = dw.users.county_clerk  # fills; lixia reviews (four eyes)
    p, county, city, prov = dw.projects.own_county, dw.users.county, dw.users.city, dw.users.province
    reports = []
    for period, amount in ((dw.p1, "100"), (dw.p2, "50")):
        r = fill(clerk, p, period, amount)
        report_submit(user=clerk, report=r)
        report_review(user=county, report=r, action="approve")
        report_review(user=city, report=r, action="approve")
        reports.append(r)
    with pytest.raises(NotEditable):
        fill(clerk, p, dw.p1, "80")
    with pytest.raises(ValidationFailed):
        revision_request(user=county, report=reports[0], reason="", new_values={"invested_month": "80"})
    rev = revision_request(user=county, report=reports[0], reason="误将2月数据计入1月", new_values={"invested_month": "80"})
    assert rev.approval_level == "province"  # the chain ended at the city
    with pytest.raises(PermissionDenied):
        revision_decide(user=city, revision=rev, approve=True)
    revision_decide(user=prov, revision=rev, approve=True, opinion="同意")
    reports[0].refresh_from_db()
    reports[1].refresh_from_db()
    assert reports[0].invested_month == D(80) and reports[0].invested_ytd == D(80)
    assert reports[1].invested_ytd == D(130) and reports[1].invested_to_date == D(430)


def test_four_decimal_amounts_accumulate_exactly(dw):
    """SQLite returns sums of decimals with float noise; cumulative figures stay at 4 places."""
    p, county = dw.projects.own_county, dw.users.county
    report_submit(user=county, report=fill(county, p, dw.p1, "120.1234"))  # counted months (ADR 0011)
    report_submit(user=county, report=fill(county, p, dw.p2, "0.0001"))
    r3 = fill(county, p, dw.p3, "10.5")
    assert r3.invested_ytd == D("130.6235") and r3.invested_to_date == D("430.6235")
