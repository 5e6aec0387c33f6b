"""Wide tables at 1366 px in English: a project's 审批事项 and the 招商 转化与履约 table wrap their
headers, so they fit the page and their last columns (红黄码, 资金到位率) show without sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_project_approvals_fit_at_1366_px_in_english(page, world):
    from keyprojects.approvals.catalogue import ensure_catalogue
    from keyprojects.approvals.models import ApprovalItem, ProjectApproval
    from keyprojects.approvals.services import approval_items_set

    ensure_catalogue()  # a transactional test starts from a flushed database
    project = world.projects.own_county
    approval_items_set(user=world.users.county, project=project, item_ids=list(ApprovalItem.objects.values_list("pk", flat=True)))
    first = ProjectApproval.objects.filter(project=project).order_by("item__order").first()
    ProjectApproval.objects.filter(pk=first.pk).update(
        status="in_progress", applied_on=dt.date(2026, 1, 5), accepted_on=dt.date(2026, 1, 6), approval_number="济发改审批〔2026〕12号"
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "jinan", PASSWORD)
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/approvals/project/{project.pk}/")
    wrapper = page.locator("table[data-testid=project-approvals]").locator("xpath=..")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth"), wrapper.evaluate("w => [w.scrollWidth, w.clientWidth]")
    badge = page.locator("table[data-testid=project-approvals] [data-code]").first
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366
    assert page.locator("table[data-testid=project-approvals] th", has_text="Red/yellow code").is_visible()


def test_attraction_funnel_fits_at_1366_px_in_english(page, world):
    """The 转化与履约 table has sixteen columns; in English with headers on one line it was
    2,096 px wide in a 1,318 px frame (资金到位率 off the page)."""
    from decimal import Decimal

    from django.utils import timezone

    from keyprojects.attraction.catalogue import ensure_standards
    from keyprojects.attraction.services import fund_arrival_add, fund_decide, lead_advance, lead_create, lead_sign

    ensure_standards()
    today = timezone.localdate()
    county = world.users.county
    lead = lead_create(
        user=county,
        data={
            "name": "新能源电池材料项目", "investor_name": "深圳某新能源科技有限公司", "investor_origin": "out_province",
            "investor_location": "广东深圳", "source": "leader_trip", "intended_amount": Decimal("523850"),
            "industry_section": "C", "industry_division": "38", "obtained_on": today - dt.timedelta(days=60),
        },
    )  # fmt: skip
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=40))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=today - dt.timedelta(days=20),
        amount="523850", title="投资协议",
    )  # fmt: skip
    entry = fund_arrival_add(user=county, lead=lead, arrived_on=today - dt.timedelta(days=5), arrived_amount="99155")
    fund_decide(user=world.users.county_clerk, entry=entry, expected_version=entry.version, accept=True)  # four eyes: now it counts
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "jinan", PASSWORD)
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/attraction/funnel/")
    wrapper = page.locator("table[data-testid=funnel]").locator("xpath=..")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth"), wrapper.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert "523,850.00" in page.locator("table[data-testid=funnel]").inner_text()
