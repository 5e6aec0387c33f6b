"""月调度 review in a real browser: a city user opens the review queue, returns one report with an
opinion, approves another, then refreshes the summaries and closes the month from the board: the
checklist, the typed confirmation and the background close to its result."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD, ProjectFactory
from keyprojects.dispatch.models import MonthlyReport, PeriodClosure
from keyprojects.dispatch.services import period_get_or_open, report_review, report_save, report_submit
from keyprojects.projects.models import Project

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def county_forwarded(world, project, period, amount):
    """Filled and submitted by the county's clerk, approved by the county (four eyes): now
    waiting for the city."""
    clerk = world.users.county_clerk
    r = report_save(user=clerk, project=project, period=period, data={"invested_month": amount, "physical_progress": "主体施工"})
    report_submit(user=clerk, report=r)
    report_review(user=world.users.county, report=r, action="approve")
    r.refresh_from_db()
    assert r.pending_level == "city"
    return r


def test_city_user_reviews_and_closes_the_month(page, world, settings):
    settings.JOBS_BACKGROUND = True  # the close runs in the background as in production
    second = ProjectFactory(name="历下区智能制造产业园", region_id="370102", plan=(2026, 900, "city"))
    Project.objects.filter(
        pk__in=[world.projects.own_county.pk, world.projects.sibling_county.pk, world.projects.city_level.pk, second.pk]
    ).update(stage="construction")
    period = period_get_or_open(year=2026, month=10)
    to_return = county_forwarded(world, world.projects.own_county, period, "120")
    to_approve = county_forwarded(world, second, period, "300")

    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/dispatch/review/")
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 2

    # return the first with an opinion
    page.get_by_role("link", name="历下区项目", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "本月与上月对比" in page.content()
    page.fill("#review-form textarea[name=opinion]", "形象进度描述不完整，请补充")
    page.locator("[data-testid=return]").click()
    page.wait_for_load_state("networkidle")
    assert "已退回" in page.locator(".alert").first.inner_text()
    assert rows.count() == 1

    # approve the other
    page.get_by_role("link", name="历下区智能制造产业园").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "已审定" in page.locator(".alert").first.inner_text()
    assert rows.count() == 0

    to_return.refresh_from_db()
    to_approve.refresh_from_db()
    assert (to_return.status, to_return.return_opinion) == ("returned", "形象进度描述不完整，请补充")
    assert to_approve.status == "approved"

    # the board: refresh the summaries, then close the month (confirming the dialog)
    page.get_by_role("link", name="调度看板").click()
    page.wait_for_load_state("networkidle")
    assert "2026年10月调度看板" in page.locator("h1").inner_text()
    lixia = page.locator("[data-testid=board-row][data-region='370102']")
    assert lixia.locator("[data-col=due]").inner_text() == "2"
    assert lixia.locator("[data-col=approved]").inner_text() == "1"
    page.locator("[data-testid=refresh]").click()
    page.wait_for_load_state("networkidle")
    assert "已刷新汇总" in page.locator(".alert").first.inner_text()
    assert "%" in page.locator("[data-testid=board-total] [data-col=completion]").inner_text()

    # 关账: the checklist shows the returned report, the close needs the typed confirmation and
    # runs in the background until its result
    page.locator("[data-testid=close]").click()
    page.wait_for_url("**/dispatch/2026-10/board/close/")
    assert page.locator("[data-testid=checklist] [data-region='370102'] [data-col=returned]").inner_text() == "1"
    assert "项未完成" in page.locator("[data-testid=open-total]").inner_text()
    page.fill("[data-testid=close-confirm]", "2026-10")
    page.locator("[data-testid=close-submit]").click()
    page.wait_for_url("**/dispatch/2026-10/board/close/jobs/*/")
    result = page.locator("[data-testid=close-result]")
    result.wait_for(timeout=60_000)
    assert "已关账" in result.inner_text()
    assert page.locator("[data-testid=close-percent]").inner_text() == "100%"
    page.locator("[data-testid=close-board]").click()
    page.wait_for_url("**/dispatch/2026-10/board/")
    assert page.locator("[data-testid=period-status]").inner_text() == "已关账"
    assert page.locator("[data-testid=close]").count() == 0
    assert PeriodClosure.objects.filter(period=period, region_id="370100").exists()
    assert MonthlyReport.objects.filter(period=period).count() == 2
