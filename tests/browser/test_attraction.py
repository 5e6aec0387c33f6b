"""招商引资 in a real browser (issue 16): a county investment-promotion officer records a trip,
a lead from it, advances it to signing (the 政企合作协议 with a commitment) and landing, and the
project appears in the registry with its lead shown."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_officer_takes_a_lead_from_a_trip_to_a_project(page, world):
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/attraction/")
    page.locator("[data-testid=activity-new]").click()
    page.select_option("select[name=kind]", "trip")
    page.fill("input[name=destination]", "广东深圳")
    page.fill("input[name=participants]", "区委书记、区投资促进局局长")
    page.fill("input[name=result]", "对接储能企业3家")
    page.locator("[data-testid=activity-save]").click()
    page.wait_for_load_state("networkidle")

    # the lead form comes prefilled with the trip as its source
    assert page.locator("[data-testid=lead-form]").count() == 1
    page.fill("input[name=name]", "储能电池系统集成项目")
    page.fill("input[name=investor_name]", "深圳储能科技有限公司")
    page.fill("input[name=investor_location]", "广东深圳")
    page.fill("input[name=intended_amount]", "60000")
    page.locator("[data-testid=lead-save]").click()
    page.wait_for_load_state("networkidle")
    assert "信息获取" in page.locator("[data-testid=lead-stage]").inner_text()

    page.locator("[data-testid=advance]").click()
    page.wait_for_load_state("networkidle")
    assert "考察洽谈" in page.locator("[data-testid=lead-stage]").inner_text()

    form = page.locator("[data-testid=sign-form]")
    form.locator("select[name=enterprise]").select_option(str(world.ent.pk))
    form.locator("input[name=amount]").fill("58000")
    form.locator("select[name=c-0-party]").select_option("enterprise")
    form.locator("select[name=c-0-kind]").select_option("investment")
    form.locator("input[name=c-0-description]").fill("两年内完成投资5.8亿元")
    form.locator("input[name=c-0-due_on]").fill("2028-12-31")
    page.locator("[data-testid=sign]").click()
    page.wait_for_load_state("networkidle")
    assert "签约" in page.locator("[data-testid=lead-stage]").inner_text()
    assert "两年内完成投资5.8亿元" in page.locator("[data-testid=lead-agreement]").inner_text()

    page.locator("[data-testid=land-form] input[name=annual_plan]").fill("15000")
    page.locator("[data-testid=land]").click()
    page.wait_for_load_state("networkidle")
    assert "落地" in page.locator("[data-testid=lead-stage]").inner_text()

    # the registry has the project, and its page shows where it came from
    page.locator("[data-testid=lead-project-link]").click()
    page.wait_for_load_state("networkidle")
    assert "储能电池系统集成项目" in page.locator("h1").inner_text()
    assert "深圳储能科技有限公司" in page.locator("[data-testid=project-lead]").inner_text()
    page.goto(page.base_url + "/projects/?q=储能电池")
    assert page.get_by_role("link", name="储能电池系统集成项目").count() == 1

    # a peer county does not see the lead
    page.context.clear_cookies()
    login(page, "shizhong", PASSWORD)
    page.goto(page.base_url + "/attraction/")
    assert page.get_by_text("储能电池系统集成项目").count() == 0
