"""政企服务 on a 390 px phone (issue 15): an enterprise contact raises a request, the department
it is routed to replies, the enterprise rates the reply 不满意 and the request reopens."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD
from keyprojects.engagement.models import EnterpriseRequest, RequestCategory, RoutingRule

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    p = context.new_page()
    p.base_url = live_server.url  # type: ignore[attr-defined]
    return context, p


def _fits(p) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_enterprise_raises_department_replies_enterprise_reopens(browser, live_server, world):
    from keyprojects.engagement.catalogue import ensure_categories

    ensure_categories()  # (an earlier transactional test flushed the migration's rows)
    RoutingRule.objects.create(category=RequestCategory.objects.get(code="factor"), region_id="370100", unit=world.dept)
    ent_ctx, ent = _phone(browser, live_server)
    dept_ctx, dept = _phone(browser, live_server)
    try:
        # the enterprise contact raises a request on the phone
        login(ent, "byd", PASSWORD)
        ent.goto(ent.base_url + "/engagement/new/")
        _fits(ent)
        ent.select_option("select[name=category]", label="要素保障")
        ent.fill("input[name=title]", "二期用地指标")
        ent.fill("textarea[name=description]", "二期用地约300亩，年度新增建设用地指标不足，请协调。")
        ent.fill("input[name=contact_phone]", "13800000000")
        ent.locator("[data-testid=submit-request]").click()
        ent.wait_for_load_state("networkidle")
        assert "诉求已提交" in ent.content()
        assert ent.locator("[data-testid=status]").first.inner_text() == "待受理"
        assert world.dept.name in ent.locator("[data-testid=units]").inner_text()
        _fits(ent)
        req = EnterpriseRequest.objects.get(title="二期用地指标")

        # the department it was routed to finds it and replies
        login(dept, "fgw", PASSWORD)
        dept.goto(dept.base_url + "/engagement/")
        dept.get_by_role("link", name="二期用地指标").click()
        dept.wait_for_load_state("networkidle")
        dept.fill("textarea[name=reply]", "已协调省自然资源厅统筹指标，下月下达。")
        dept.locator("[data-testid=submit-reply]").click()
        dept.wait_for_load_state("networkidle")
        assert dept.locator("[data-testid=status]").first.inner_text() == "已答复"
        _fits(dept)

        # the enterprise rates it 不满意 with a reason: it reopens
        ent.goto(ent.base_url + f"/engagement/{req.pk}/")
        assert "已协调省自然资源厅统筹指标" in ent.locator("[data-testid=reply]").inner_text()
        ent.get_by_role("radio", name="不满意", exact=True).check()
        ent.fill("input[name=reason]", "下达时间不明确")
        ent.locator("[data-testid=submit-rating]").click()
        ent.wait_for_load_state("networkidle")
        assert ent.locator("[data-testid=status]").first.inner_text() == "重新办理"
        history = ent.locator("[data-testid=history]").inner_text()
        assert "不满意重办" in history and "下达时间不明确" in history
        _fits(ent)
        req.refresh_from_db()
        assert req.status == "reopened" and req.reopen_count == 1
    finally:
        ent_ctx.close()
        dept_ctx.close()
