"""Main user journeys in a real browser: log in, filter the list, open a project, edit it, move it
through a stage, and see both in its history."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_finds_edits_and_advances_a_project(page, world):
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/projects/")
    rows = page.locator("table tbody tr")
    # 历下区 sees its own project only, not the sibling county's or another city's
    assert page.get_by_role("link", name="历下区项目").count() == 1
    assert page.get_by_text("市中区项目").count() == 0
    assert page.get_by_text("青岛市南区项目").count() == 0

    # filter by text, then by stage
    page.fill("input[name=q]", "不存在的项目")
    page.locator("form#project-filter button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="历下区项目").count() == 0
    page.fill("input[name=q]", "历下")
    page.locator("form#project-filter button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert rows.count() >= 1
    page.get_by_role("link", name="历下区项目").click()
    page.wait_for_load_state("networkidle")
    assert "历下区项目" in page.locator("h1").inner_text()

    # edit it
    page.get_by_role("link", name="编辑").click()
    page.fill("input[name=name]", "历下区项目（二期）")
    page.fill("input[name=contact_name]", "王工")
    page.locator("form#project-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "历下区项目（二期）" in page.locator("h1").inner_text()

    # move it through a stage
    page.locator("form[data-stage-target=preparation] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "前期手续" in page.locator("[data-testid=stage]").inner_text()

    # the history shows both the edit (old → new) and the transition
    history = page.locator("[data-testid=history]").inner_text()
    assert "历下区项目" in history and "历下区项目（二期）" in history
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "前期手续" in timeline


def test_wrong_password_shows_chinese_message(page, world):
    login(page, "lixia", "wrong-password")
    assert "用户名或密码错误" in page.content()


def test_out_of_scope_project_is_404(page, world):
    login(page, "lixia", PASSWORD)
    resp = page.goto(page.base_url + f"/projects/{world.projects.other_city.pk}/")
    assert resp.status == 404
