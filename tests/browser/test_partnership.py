"""政企合作协议 in a real browser: a city user records an agreement with a commitment, the
enterprise records its fulfilment with an evidence file, the city (another person) confirms it,
and the 履约率 goes from 0 % to 100 %."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rate(page) -> str:
    page.goto(page.base_url + "/partnership/rates/")
    return page.locator("[data-testid=rates-regions] tr[data-key='370102'] [data-testid=rate]").inner_text().strip()


def test_agreement_fulfilment_confirmed_by_another_user(page, browser, world):
    due = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/partnership/")
    page.get_by_test_id("agreement-new").click()
    page.fill("input[name=title]", "比亚迪零部件项目投资合作协议")
    page.select_option("select[name=enterprise]", str(world.ent.pk))
    page.select_option("select[name=region]", "370102")
    page.select_option("select[name=signatory_unit]", str(world.dept.pk))
    page.fill("input[name=signed_on]", "2026-01-15")
    page.fill("input[name=amount]", "50000")
    page.select_option("select[name=c-0-party]", "enterprise")
    page.select_option("select[name=c-0-kind]", "investment")
    page.fill("input[name=c-0-description]", "完成固定资产投资5亿元")
    page.fill("input[name=c-0-target_value]", "50000")
    page.fill("input[name=c-0-due_on]", due)
    page.get_by_test_id("agreement-save").click()
    page.wait_for_load_state("networkidle")
    assert "比亚迪零部件项目投资合作协议" in page.get_by_test_id("agreement-title").inner_text()
    assert page.get_by_test_id("commitment-state").inner_text() == "逾期未履行"
    assert _rate(page) == "0.00%"

    # the enterprise records its fulfilment with evidence (in its own browser session)
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone-sized screen
    ent = ctx.new_page()
    ent.base_url = page.base_url
    login(ent, "byd", PASSWORD)
    ent.goto(ent.base_url + "/partnership/")
    ent.get_by_role("link", name="比亚迪零部件项目投资合作协议").click()
    ent.get_by_test_id("claim-open").click()
    form = ent.get_by_test_id("claim-form")
    form.locator("select[name=result]").select_option("fulfilled")
    form.locator("input[name=achieved_value]").fill("52000")
    form.locator("textarea[name=evidence_text]").fill("年度审计报告确认完成投资5.2亿元")
    form.locator("input[name=evidence_file]").set_input_files(
        files=[{"name": "审计报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% evidence\n"}]
    )
    ent.get_by_test_id("claim-submit").click()
    ent.wait_for_load_state("networkidle")
    assert ent.get_by_test_id("commitment-state").inner_text() == "待确认"
    assert ent.get_by_test_id("confirm-form").count() == 0  # an enterprise never confirms
    ctx.close()

    # the city user confirms (not the person who recorded it); the rate follows
    page.goto(page.base_url + "/partnership/")
    assert "待我确认的履约登记" in page.get_by_test_id("confirmations").inner_text()
    page.get_by_test_id("confirmations").get_by_role("link").first.click()
    assert page.get_by_test_id("evidence-link").count() == 1
    page.get_by_test_id("confirm-accept").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("commitment-state").inner_text() == "已履行"
    assert _rate(page) == "100.00%"
