"""The top bar at 1366 px (UI tour): the province sees every menu; labels never break one
character per line (项/目/库) and, in English, wrap onto a second row instead of widening the page."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    heights = page.eval_on_selector_all("nav .navbar-nav > .nav-item > .nav-link", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and max(heights) < 1.6 * min(heights), heights  # every label on one line


def test_the_province_top_bar_fits_in_chinese_and_english(page, world):
    login(page, "prov", PASSWORD)
    page.goto(page.base_url + "/projects/")
    _check(page)
    page.locator("[data-testid=nav-account] > button").click()
    assert page.locator("[data-testid=nav-otp]").is_visible()
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state("networkidle")
    _check(page)
