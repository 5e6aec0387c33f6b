"""Unit-slip and plausibility guards where the figure is typed (issue 10 §2).

The issue's defect: on a project of 3,960 万元 total, 本月完成投资 = 3500000 (元 typed as 万元)
was submitted with no warning and acknowledged with one click. Now the form and the grid warn
before submitting (the checks of ``rules.report_checks``, one definition for form, grid, API and
importer), a warning needs the filler's written reason to go on, cumulative above the total
investment is an error, and the reviewer accepts each warning with a reason; both reasons are
stored and shown in the history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from keyprojects.core.errors import ValidationFailed
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import period_get_or_open, report_acknowledge, report_review, report_save, report_submit
from keyprojects.projects.models import Project


def test_usual_month_and_the_checks_on_plain_values():
    assert rules.usual_month([D(30), D(35)]) is None  # fewer than three months with investment
    assert rules.usual_month([D(30), D(0), D(35), D(32)]) == D(32)  # the median of the months with investment
    assert rules.usual_month([D(i) for i in (1, 2, 3, 4, 5, 6, 1000)]) == D("3.5")  # the latest six

    class R:
        invested_month, invested_ytd, invested_to_date, physical_progress_pct, no_activity = D(0), D(0), D(10), D(40), False

    class Proj:
        total_investment, stage, actual_start, actual_completion = D(3960), "construction", dt.date(2025, 6, 1), None

    class Per:
        year, month = 2026, 4

    codes = {
        c: s
        for c, s, _ in rules.report_checks(report=R, period=Per, project=Proj, prev_ytd=None, history=[], slip_factor=10, prev_pct=D(50))
    }
    assert codes == {"progress_falling": "warning", "zero_without_reason": "warning"}
    R.no_activity = True
    assert [c for c, _, _ in rules.report_checks(report=R, period=Per, project=Proj, prev_ytd=None, history=[], slip_factor=10)] == []


@pytest.fixture
def history(dw):
    """历下区项目 (3,960 万元 total, 300 before tracking) with 30, 35 and 32 万元 approved in
    January to March: its usual month is 32 万元. April is open."""
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960), actual_start=dt.date(2025, 6, 1))  # under construction
    p.refresh_from_db()
    for period, amount in ((dw.p1, "30"), (dw.p2, "35"), (dw.p3, "32")):
        r = report_save(user=dw.users.county_clerk, project=p, period=period, data={"invested_month": amount})
        report_submit(user=dw.users.county_clerk, report=r)
        report_review(user=dw.users.county, report=r, action="approve")
        report_review(user=dw.users.city, report=r, action="approve")
    dw.p4 = period_get_or_open(year=2026, month=4)
    dw.project = p
    return dw


def fill_url(dw):
    return reverse("dispatch:fill", kwargs={"period": "2026-04", "project_pk": dw.project.pk})


def test_the_issues_figure_is_an_error_and_a_warning_before_submitting(history, client):
    dw = history
    client.force_login(dw.users.county_clerk)
    # typing: the preview already warns (before any submit)
    resp = client.get(
        reverse("dispatch:fill_preview", kwargs={"period": "2026-04", "project_pk": dw.project.pk}),
        {"invested_month": "3500000"},
        HTTP_HX_REQUEST="true",
    )
    page = resp.content.decode()
    assert 'data-testid="pre-error"' in page and "超过项目总投资（3,960万元）" in page
    assert 'data-testid="pre-warning"' in page and "请确认单位是否为万元" in page and 'name="reason_unit_slip"' in page
    # submitting: refused (an error), even with a reason; the draft keeps the figure
    resp = client.post(fill_url(dw), {"invested_month": "3500000", "version": 0, "action": "submit", "reason_unit_slip": "确认无误"})
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    assert r.status == "draft" and "超过项目总投资" in resp.content.decode()
    with pytest.raises(ValidationFailed) as exc:
        report_submit(user=dw.users.county_clerk, report=r, reasons={"unit_slip": "确认无误"})
    assert {c["code"]: c["severity"] for c in exc.value.extra["checks"]} == {"to_date_above_total": "error", "unit_slip": "warning"}
    # … unless the total investment is adjusted through the project
    Project.objects.filter(pk=dw.project.pk).update(total_investment=D(4_000_000))
    report_submit(user=dw.users.county_clerk, report=r, reasons={"unit_slip": "总投资已调增，本月设备款集中支付"})
    assert MonthlyReport.objects.get(pk=r.pk).status == "submitted"


def test_a_warning_needs_a_written_reason_on_the_form_and_the_reviewer_a_reason_each(history, client):
    dw = history
    client.force_login(dw.users.county_clerk)
    resp = client.post(fill_url(dw), {"invested_month": "350", "version": 0, "action": "submit"})  # 10× the usual 32
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    page = resp.content.decode()
    assert r.status == "draft" and "须填写说明" in page and 'name="reason_unit_slip"' in page  # refused without a reason
    resp = client.post(
        fill_url(dw), {"invested_month": "350", "version": r.version, "action": "submit", "reason_unit_slip": "主体设备集中到货"}
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == "submitted" and r.warning_reasons == {"unit_slip": "主体设备集中到货"}
    flag = r.flags.get(code="unit_slip")
    assert flag.reason == "主体设备集中到货"
    assert "主体设备集中到货" in client.get(fill_url(dw)).content.decode()  # in the history
    # the reviewer: one click is not enough any more
    with pytest.raises(ValidationFailed):
        report_acknowledge(user=dw.users.county, report=r)
    report_acknowledge(user=dw.users.county, report=r, reasons={"unit_slip": "已电话核实，与合同付款一致"})
    flag.refresh_from_db()
    assert flag.acknowledge_reason == "已电话核实，与合同付款一致"
    client.force_login(dw.users.county)
    page = client.get(reverse("dispatch:report", kwargs={"pk": r.pk})).content.decode()
    assert "主体设备集中到货" in page and "已电话核实，与合同付款一致" in page


def test_the_grid_warns_on_the_row_and_submits_only_with_a_reason(history, client):
    dw = history
    client.force_login(dw.users.county_clerk)
    row_url = reverse("dispatch:grid_row", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    resp = client.post(row_url, {"invested_month": "350", "version": 0}, HTTP_HX_REQUEST="true")
    page = resp.content.decode()
    assert 'data-testid="row-warnings"' in page and "请确认单位是否为万元" in page and 'name="warning_reason"' in page
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    resp = client.post(reverse("dispatch:grid_submit", kwargs={"period": "2026-04"}), {"report": f"{r.pk}:{r.version}"}, follow=True)
    assert any("须填写说明" in str(m) for m in resp.context["messages"])
    assert MonthlyReport.objects.get(pk=r.pk).status == "draft"
    client.post(row_url, {"invested_month": "350", "version": r.version, "warning_reason": "集中采购"}, HTTP_HX_REQUEST="true")
    r.refresh_from_db()
    client.post(reverse("dispatch:grid_submit", kwargs={"period": "2026-04"}), {"report": f"{r.pk}:{r.version}"})
    r.refresh_from_db()
    assert r.status == "submitted" and r.flags.get(code="unit_slip").reason == "集中采购"


def test_progress_falling_and_zero_without_no_activity(history):
    dw = history
    r = report_save(user=dw.users.county_clerk, project=dw.project, period=dw.p4, data={"invested_month": "0"})
    with pytest.raises(ValidationFailed) as exc:
        report_submit(user=dw.users.county_clerk, report=r)
    assert exc.value.extra["reasons_required"] == ["zero_without_reason"]
    r = report_save(
        user=dw.users.county_clerk,
        project=dw.project,
        period=dw.p4,
        data={"invested_month": "0", "no_activity": True, "no_activity_reason": "冬季停工"},
    )
    report_submit(user=dw.users.county_clerk, report=r)  # 本月无进展: nothing to explain
    MonthlyReport.objects.filter(project=dw.project, period=dw.p3).update(physical_progress_pct=D(60))
    p5 = period_get_or_open(year=2026, month=5)
    r5 = report_save(
        user=dw.users.county_clerk, project=dw.project, period=p5, data={"invested_month": "30", "physical_progress_pct": "40"}
    )
    with pytest.raises(ValidationFailed) as exc:
        report_submit(user=dw.users.county_clerk, report=r5)
    assert exc.value.extra["reasons_required"] == ["progress_falling"]
