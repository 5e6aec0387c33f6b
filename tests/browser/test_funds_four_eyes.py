"""到资 four eyes in a real browser: the county's first account enters 到资 on a signed lead, it
waits (待确认) with no confirm button for her; the county's second account finds it through the
lead list's 到资待我确认, cannot return it without a reason, then confirms it; only then do the
lead's 累计到资 and 资金到位率 move, and the history names both people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_lead(world):
    from keyprojects.attraction.services import lead_advance, lead_create, lead_sign

    today = timezone.localdate()
    county = world.users.county
    lead = lead_create(
        user=county,
        data={
            "name": "储能电池系统集成项目", "investor_name": "深圳储能科技有限公司", "investor_origin": "out_province",
            "investor_location": "广东深圳", "source": "leader_trip", "intended_amount": Decimal("50000"),
            "industry_section": "C", "industry_division": "38", "obtained_on": today - dt.timedelta(days=30),
        },
    )  # fmt: skip
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=20))
    return lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent,
        signed_on=today - dt.timedelta(days=10), amount="48000", title="投资协议",
    )  # fmt: skip


def test_funds_wait_for_the_second_account_of_the_county(page, world):
    lead = _signed_lead(world)
    detail = f"{page.base_url}/attraction/{lead.pk}/"

    # the county's first account enters 1,200 万元: it waits, and she cannot confirm it
    login(page, "lixia", PASSWORD)
    page.goto(detail)
    funds = page.get_by_test_id("lead-funds")
    assert "累计到资 0" in funds.get_by_test_id("funds-total").inner_text()
    form = page.get_by_test_id("funds-form")
    form.locator("input[name=arrived_on]").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    form.locator("input[name=arrived_amount]").fill("1200")
    page.get_by_test_id("funds-save").click()
    page.wait_for_load_state("networkidle")
    entry = lead.funds.get()
    assert page.get_by_test_id(f"fund-status-{entry.pk}").inner_text() == "待确认"
    assert page.get_by_test_id(f"fund-confirm-{entry.pk}").count() == 0
    assert page.get_by_test_id(f"fund-own-{entry.pk}").count() == 1
    before = page.get_by_test_id("funds-total").inner_text()
    assert "累计到资 0" in before and "0.00%" in before

    # the second account finds it through the lead list's 到资待我确认
    page.context.clear_cookies()
    login(page, "lixia_tb", PASSWORD)
    page.goto(page.base_url + "/attraction/")
    page.get_by_test_id("funds-to-confirm").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="储能电池系统集成项目").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("funds-total").inner_text() == before

    # a return without a reason is refused, with the message; nothing changed
    page.get_by_test_id(f"fund-return-{entry.pk}").click()
    page.wait_for_load_state("networkidle")
    assert "请填写退回理由" in page.locator(".alert-danger, [role=alert]").first.inner_text()
    assert page.get_by_test_id(f"fund-status-{entry.pk}").inner_text() == "待确认"

    # she confirms it: only now the figures move
    page.get_by_test_id(f"fund-decide-{entry.pk}").locator("input[name=note]").fill("已核对进账单")
    page.get_by_test_id(f"fund-confirm-{entry.pk}").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id(f"fund-status-{entry.pk}").inner_text() == "已确认"
    after = page.get_by_test_id("funds-total").inner_text()
    assert "1,200" in after or "1200" in after
    assert "2.50%" in after  # 1,200 of 48,000 万元
    history = page.get_by_test_id(f"fund-history-{entry.pk}").inner_text()
    assert "登记" in history and "确认" in history
    users = world.users
    for person in (users.county, users.county_clerk):
        shown = person.get_full_name() or person.username
        assert shown in history, (shown, history)
