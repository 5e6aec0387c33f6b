"""A project's 审批事项 at 1366 px in English: the headers wrap, so the table fits and the 红黄码
column shows without sideways scrolling (the headers kept on one line pushed it off the page)."""

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
