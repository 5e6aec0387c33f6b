"""三权分立 in the browser (issue 11): the system administrator creates an account and hands out
its one-time password, the security administrator gives it a role, the new user changes the
password at first login and sees their county's projects."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sysadmin_creates_secadmin_assigns_user_changes_password(page, world):
    login(page, "sysadmin", PASSWORD)
    page.click("[data-testid=nav-accounts]")
    page.click("[data-testid=account-new]")
    page.fill("input[name=username]", "zhangsan")
    page.fill("input[name=last_name]", "张")
    page.fill("input[name=first_name]", "三")
    page.locator("[data-testid=account-create-form] button").click()
    one_time = page.locator("[data-testid=one-time-password] code").inner_text().strip()
    assert len(one_time) >= 8
    page.locator("[data-testid=nav-account] > button").click()  # 退出 is in the account menu
    page.locator("form[action='/accounts/logout/'] button").first.click()

    login(page, "secadmin", PASSWORD)
    page.goto(page.base_url + "/accounts/manage/?q=zhangsan")
    page.click("text=zhangsan")
    page.select_option("select[name=role]", "county")
    page.select_option("select[name=region]", "370102")
    page.locator("[data-testid=account-assign-form] button").click()
    assert "济南市历下区" in page.locator("[data-testid=account-facts]").inner_text() or "历下区" in page.content()
    page.locator("[data-testid=nav-account] > button").click()  # 退出 is in the account menu
    page.locator("form[action='/accounts/logout/'] button").first.click()

    login(page, "zhangsan", one_time)
    assert "/accounts/password/change/" in page.url
    page.fill("input[name=old_password]", one_time)
    page.fill("input[name=new_password1]", "Xin-Mima-2026!")
    page.fill("input[name=new_password2]", "Xin-Mima-2026!")
    page.locator("[data-testid=password-change-form] button").click()
    page.goto(page.base_url + "/projects/")
    assert "历下区项目" in page.content() and "青岛市南区项目" not in page.content()
    assert re.search(r"县级工作人员", page.locator("[data-testid=whoami]").inner_text())
