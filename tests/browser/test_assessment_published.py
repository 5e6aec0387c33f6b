"""双考核 published to the assessed, in the browser: the city publishes a computed result (after
confirming), the county opens it from its 考核结果 menu and reads the ranking and its own
explanation, which fits a phone's width; in English too."""

from __future__ import annotations

import pytest

from keyprojects.analytics.tests.test_assessment import closed  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_exports import snap  # noqa: F401
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401
from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_city_publishes_and_the_county_reads_its_own_result(page, snap):  # noqa: F811
    from keyprojects.analytics.models import AssessmentSnapshot

    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + snap.result_url)
    assert "未发布" in page.get_by_test_id("publication").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # 发布后不能撤回，确定发布？
    page.get_by_test_id("publish").click()
    page.wait_for_load_state("networkidle")
    assert "已于" in page.get_by_test_id("publication").inner_text() and page.get_by_test_id("publish").count() == 0
    assert AssessmentSnapshot.objects.get(pk=snap.snapshot.pk).published_at is not None

    page.context.clear_cookies()
    login(page, "lixia", PASSWORD)
    page.get_by_test_id("nav-assessment").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("own-row")
    assert "4/4" in row.inner_text() and "64.67" in row.inner_text()
    row.get_by_role("link", name="2026年2月").click()
    page.wait_for_load_state("networkidle")
    own = page.get_by_test_id("own-result")
    assert "本单位：历下区" in own.inner_text() and own.locator("[data-indicator]").count() == 2
    assert own.get_by_role("link", name="历下区项目").count() == 2
    assert page.get_by_test_id("score-row").count() == 4 and page.get_by_test_id("explain").count() == 0
    assert page.locator("tr[aria-current=true]").get_attribute("data-key") == "370102"

    page.set_viewport_size({"width": 390, "height": 800})  # the explanation scrolls in its card, not the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "Own unit: 历下区" in text and "Published on" in text
    assert page.get_by_test_id("nav-assessment").inner_text() == "Assessment results"
