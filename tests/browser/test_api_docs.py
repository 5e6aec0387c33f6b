"""The API documentation pages render in a real browser under the site's CSP (UI tour: ReDoc
was a blank page)."""

from __future__ import annotations

import pytest

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_redoc_renders_the_schema_with_its_styles(page, world):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/api/redoc/")
    heading = page.locator("#redoc-container h1").first
    heading.wait_for()
    assert "keyprojects API" in heading.inner_text()
    assert page.locator("#redoc-container [data-section-id]").count() > 10  # the operations
    # ReDoc's own styles applied: its <style> elements carry the nonce and the sidebar is laid out
    styled = "[...document.querySelectorAll('style[data-styled]')].some(s => s.sheet && s.sheet.cssRules.length > 0)"
    assert page.evaluate(styled)
    assert page.evaluate("getComputedStyle(document.querySelector('.menu-content')).position") in ("sticky", "fixed")
    # what the browser still refuses is harmless: the bundle's scrollbar CSS (native scrollbars
    # are used), empty style attributes and the CDN logo; never a script
    assert not [m for m in refused if "script-src" in m], refused


def test_redoc_search_finds_operations(page, world):
    """ReDoc's search runs in a blob: web worker: the page's CSP allows that worker (and only on
    this page), so typing an operation's name lists it."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "worker-src" in m.text or "script-src" in m.text else None)
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/api/redoc/")
    page.locator("#redoc-container h1").first.wait_for()
    page.locator("#redoc-container input").first.fill("figures")
    hit = page.locator("#redoc-container li[data-item-id='tag/v1/operation/figures_regions']").first
    hit.wait_for(timeout=10_000)
    assert "Figures" in (hit.get_attribute("aria-label") or "")
    assert not refused, refused
