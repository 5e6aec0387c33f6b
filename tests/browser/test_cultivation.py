"""“双50”培育 in a real browser: 历下区 nominates 比亚迪 to Jinan's list from the top bar, the city
(another person) admits it, and the 比亚迪 contact sees that its enterprise is on the list."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD
from keyprojects.cultivation.services import list_create
from keyprojects.regions.models import Region

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nominate_admit_and_the_enterprise_sees_it(page, browser, world):
    clist = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="backbone")
    login(page, "lixia", PASSWORD)
    page.get_by_test_id("nav-partnership").click()
    page.get_by_test_id("nav-cultivation").click()
    page.get_by_role("link", name=str(clist)).click()
    page.get_by_test_id("nominate-open").click()
    form = page.get_by_test_id("nominate-form")
    form.locator("select[name=enterprise]").select_option(str(world.ent.pk))
    form.locator("textarea[name=reason]").fill("新能源汽车龙头企业")
    form.locator("input[name=revenue]").fill("1850000")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("entry-status").inner_text() == "已推荐"
    assert page.get_by_test_id("decide-form").count() == 0  # the nominator does not decide

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    city = ctx.new_page()
    city.base_url = page.base_url
    login(city, "jinan", PASSWORD)
    city.goto(page.url)
    city.get_by_test_id("decide-form").locator("select[name=decision]").select_option("admit")
    city.get_by_test_id("decide-form-submit").click()
    city.wait_for_load_state("networkidle")
    assert city.get_by_test_id("entry-status").inner_text() == "已入选"
    city.goto(city.base_url + "/cultivation/")
    assert "1/50" in city.get_by_test_id("cultivation-lists").inner_text()
    ctx.close()

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    ent = ctx.new_page()
    ent.base_url = page.base_url
    login(ent, "byd", PASSWORD)
    ent.goto(ent.base_url + "/cultivation/")
    row = ent.get_by_test_id("own-entry")
    assert row.count() == 1 and "已入选" in row.inner_text() and str(clist) in row.inner_text()
    ctx.close()
