"""要素保障与审批 in a real browser (issue 14): a county user records a project's approval steps and
a factor need; the department works the item it handles and the need it owns; a city user holds a
会商 that escalates the need to the province; the overdue (red) code shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save(page, testid: str) -> None:
    page.locator(f"form[data-testid={testid}] button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_approvals_needs_and_an_escalating_consultation(page, world):
    from keyprojects.approvals.catalogue import ensure_catalogue
    from keyprojects.approvals.models import ApprovalItem, FactorNeed

    ensure_catalogue()  # a transactional test starts from a flushed database
    ApprovalItem.objects.filter(code="eia").update(department_unit=world.dept)
    project = world.projects.own_county
    today = timezone.localdate()
    long_ago = (today - dt.timedelta(days=90)).isoformat()
    recently = (today - dt.timedelta(days=3)).isoformat()
    url = f"{page.base_url}/approvals/project/{project.pk}/"

    # the county chooses the items that apply and records the first one, long past its limit
    login(page, "lixia", PASSWORD)
    page.goto(url)
    page.get_by_label("项目审批/核准/备案").check()
    page.get_by_label("环评批复").check()
    save(page, "items-form")
    assert "已保存适用的审批事项" in page.content()
    page.locator("[data-testid=edit-project-approval]").click()
    page.select_option("select[name=status]", "in_progress")
    page.fill("input[name=applied_on]", long_ago)
    page.fill("input[name=accepted_on]", long_ago)
    save(page, "approval-form")
    row = page.locator("tr[data-item=project-approval]")
    assert row.locator("[data-code=red]").inner_text() == "红码"  # the overdue code

    # the county records a land need owned by the city's 发改委
    page.locator("[data-testid=new-need]").click()
    page.select_option("select[name=kind]", "land")
    page.select_option("select[name=subtype]", "new_quota")
    page.fill("input[name=quantity]", "120.5")
    page.select_option("select[name=owner_unit]", str(world.dept.pk))
    page.fill("input[name=due_on]", (today + dt.timedelta(days=30)).isoformat())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "120.50" in page.locator("[data-testid=project-needs]").inner_text()
    page.context.clear_cookies()

    # the department works the item it handles (环评) and the need it owns
    login(page, "fgw", PASSWORD)
    page.goto(url)
    assert page.locator("[data-testid=edit-project-approval]").count() == 0  # not its item
    page.locator("[data-testid=edit-eia]").click()
    assert page.locator("select[name=handling_unit]").count() == 0  # who handles it is the region's call
    page.select_option("select[name=status]", "in_progress")
    page.fill("input[name=applied_on]", recently)
    page.fill("input[name=accepted_on]", recently)
    save(page, "approval-form")
    assert "办理中" in page.locator("tr[data-item=eia]").inner_text()
    page.get_by_role("link", name="保障").click()
    page.select_option("select[name=status]", "in_progress")
    page.fill("input[name=secured]", "20")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "100.50" in page.locator("[data-testid=project-needs]").inner_text()  # the gap
    page.context.clear_cookies()

    # the city holds a 会商 that escalates the need to the province
    need = FactorNeed.objects.get(project=project)
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/approvals/consultations/new/")
    page.fill("input[name=held_on]", today.isoformat())
    page.fill("input[name=convener]", "市政府分管副市长")
    page.select_option("select[name=need]", str(need.pk))
    page.fill("textarea[name=decision], input[name=decision]", "市内无法调剂，提请省级协调用地指标")
    page.check("input[name=escalate]")
    save(page, "consultation-form")
    assert "已记录会商" in page.content() and "省级" in page.content()
    need.refresh_from_db()
    assert need.level == "province"
    page.goto(url)
    assert "省级" in page.locator("[data-testid=project-needs]").inner_text()
    assert "提级至" in page.locator("[data-testid=project-topics]").inner_text()

    # the overdue code shows in the city's list of approvals, filtered to 红码
    page.goto(page.base_url + "/approvals/?code=red")
    assert "历下区项目" in page.content() and page.locator("[data-code=red]").count() >= 1
    # and the 四张清单 export is offered
    assert page.goto(page.base_url + "/approvals/needs/").status == 200
    assert page.locator("[data-testid=needs-export]").count() == 1
