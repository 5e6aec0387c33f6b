"""Month close freezes a period; summaries and warnings come from the one set of metrics."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from keyprojects.analytics import metrics
from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.services import region_metrics
from keyprojects.core.errors import ApplicationError, PermissionDenied
from keyprojects.dispatch.models import PeriodClosure, ProjectWarning
from keyprojects.dispatch.selectors import missing_reports
from keyprojects.dispatch.services import (
    PeriodClosed,
    period_close,
    report_review,
    report_save,
    report_submit,
    revision_decide,
    revision_request,
)


def approved(dw, project, period, amount):
    r = report_save(
        user=dw.users.county_clerk if project.region_id == "370102" else dw.users.city_clerk,
        project=project,
        period=period,
        data={"invested_month": amount},
    )
    report_submit(user=dw.users.city_clerk, report=r)  # the clerks fill, lixia and jinan review (four eyes)
    r.refresh_from_db()
    while r.status == "submitted":
        user = {"county": dw.users.county, "city": dw.users.city}[r.pending_level]
        report_review(user=user, report=r, action="approve")
        r.refresh_from_db()
    return r


def test_close_freezes_figures_and_raises_warnings(dw):
    p = dw.projects.own_county  # plan 1200 in 2026
    approved(dw, p, dw.p1, "100")
    approved(dw, p, dw.p2, "20")
    with pytest.raises(PermissionDenied):
        period_close(user=dw.users.county, period=dw.p2, confirm="确认关账")
    period_close(user=dw.users.city, period=dw.p2, confirm="确认关账")
    assert PeriodClosure.objects.filter(period=dw.p2, region_id="370100").exists()
    with pytest.raises(ApplicationError):
        period_close(user=dw.users.city, period=dw.p2, confirm="确认关账")

    fact = ProjectPeriodFact.objects.get(period=dw.p2, project=p)
    assert (fact.invested_month, fact.invested_ytd, fact.annual_plan, fact.planned_ytd) == (D(20), D(120), D(1200), D(200))
    assert fact.invested_to_date == D(420)
    rate = metrics.completion_rate(fact.invested_ytd, fact.annual_plan)
    assert rate == D("0.1000") and metrics.ahead_points(rate, 2) == D("-6.67")

    county = RegionPeriodSummary.objects.get(period=dw.p2, region_id="370102")
    assert county.frozen and county.invested_ytd == D(120) and county.annual_plan == D(1200)
    city = RegionPeriodSummary.objects.get(period=dw.p2, region_id="370100")
    # 济南: own county (1200) + sibling county (800) + city level (500)
    assert city.annual_plan == D(2500) and city.invested_ytd == D(120) and city.reports_due == 3
    m = region_metrics(city, 2)
    assert m["completion_rate"] == metrics.completion_rate(D(120), D(2500))
    assert m["on_time_rate"] is not None

    # the sibling county and the city-level project did not report: missing, with warnings
    kinds = set(ProjectWarning.objects.filter(period=dw.p2).values_list("project_id", "kind"))
    assert (dw.projects.sibling_county.pk, "missing_report") in kinds
    assert (dw.projects.own_county.pk, "low_progress_index") in kinds  # 120 / 200 = 0.6
    assert not missing_reports(user=dw.users.city, period=dw.p2).filter(pk=p.pk).exists()

    # frozen: no more filling, and a later correction does not change the closed month
    with pytest.raises(PeriodClosed):
        report_save(user=dw.users.sibling, project=dw.projects.sibling_county, period=dw.p2, data={"invested_month": "1"})
    jan = p.reports.get(period=dw.p1)
    rev = revision_request(user=dw.users.county, report=jan, reason="更正", new_values={"invested_month": "150"})
    revision_decide(user=dw.users.province, revision=rev, approve=True)
    fact.refresh_from_db()
    assert fact.invested_ytd == D(120)  # frozen
    assert RegionPeriodSummary.objects.get(period=dw.p2, region_id="370102").invested_ytd == D(120)
    assert ProjectPeriodFact.objects.get(period=dw.p1, project=p).invested_ytd == D(150)  # open month refreshed


def test_other_city_not_frozen_by_jinan_close(dw):
    period_close(user=dw.users.city, period=dw.p1, confirm="确认关账")
    r = report_save(user=dw.users.other_city, project=dw.projects.other_city, period=dw.p1, data={"invested_month": "10"})
    assert r.pk


def test_province_close_closes_the_period(dw):
    period_close(user=dw.users.province, period=dw.p1, confirm="确认关账")
    dw.p1.refresh_from_db()
    assert dw.p1.status == "closed"
    with pytest.raises(PeriodClosed):
        report_save(user=dw.users.other_city, project=dw.projects.other_city, period=dw.p1, data={"invested_month": "10"})


def test_the_tasks_page_says_a_month_its_city_closed_is_closed(dw, client):
    """A city closes its own month before the province: its staff and its counties' read 已关账 on
    their tasks page (it said 填报已截止，待关账 and "现在提交记为迟报" for reports that can no
    longer be submitted); another city's month is as it was."""
    import re

    period_close(user=dw.users.city, period=dw.p1, confirm="确认关账")

    def state(user):
        client.force_login(user)
        html = client.get(f"/dispatch/?period={dw.p1.label}").content.decode()
        return re.search(r'data-testid="period-state">([^<]*)<', html).group(1), "现在提交记为迟报" in html

    assert state(dw.users.city) == ("已关账", False)
    assert state(dw.users.county) == ("已关账", False)
    other, _late = state(dw.users.other_city)
    assert other != "已关账" and other == dw.p1.status_label
