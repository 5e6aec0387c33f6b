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


def test_a_leaders_title_is_not_broken_across_lines_in_english(page, world):
    """The 领导招商 table in English gives 去向 most of the width: 历下区委书记's title 区委书记 was
    broken into 区 / 委书记 in the narrow first column."""
    from keyprojects.attraction.services import activity_create
    from keyprojects.regions.models import Region

    jinan = Region.objects.get(code="370100")
    world.leader.name, world.leader.title = "历下区委书记", "区委书记"
    world.leader.save()
    places = ["广东广州", "广东深圳", "上海", "北京", "广东东莞", "湖南长沙"]
    for i in range(30):
        activity_create(user=world.users.city, data={
            "kind": "trip", "held_on": dt.date(2026, 1, 1) + dt.timedelta(days=i), "days": 3, "destination": places[i % 6],
            "leader": world.leader, "participants": "区委书记、分管副区长、区投资促进局局长", "region": jinan,
        })  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "jinan", PASSWORD)
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/attraction/leaders/")
    assert "广东广州 (5 times)" in page.get_by_test_id("leader-counts").inner_text()
    title = page.get_by_test_id("leader-title").first
    assert title.evaluate("e => e.getClientRects().length") == 1
