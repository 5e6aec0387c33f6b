"""The warnings list at 1366 px: the 说明 column keeps a reading width (not a tall thin column)
and the table fits the page, in Chinese and in English; in English every kind reads in English."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.tests.test_warning_text import _all_kinds

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CJK = re.compile(r"[\u3400-\u9fff]")


def _check(page) -> list[str]:
    page.goto(page.base_url + "/dispatch/warnings/?period=all")  # every month (the list defaults to the latest)
    table = page.locator("[data-testid=results] .table-responsive")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")  # no sideways scrolling
    width = page.locator("th.kp-col-text").evaluate("th => th.getBoundingClientRect().width")
    assert width >= 256, width  # app.css: .kp-col-text { min-width: 16rem }
    return page.locator("[data-testid=warning-row] td.kp-col-text").all_inner_texts()


def test_the_description_column_reads_at_1366_px(page, dw):
    _all_kinds(dw)
    login(page, "jinan", PASSWORD)
    chinese = _check(page)
    assert len(chinese) == 9 and all(CJK.search(t) for t in chinese)
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    english = _check(page)
    # only names stay Chinese: the approvals and their departments, the need's owner unit
    named = [t for t in english if "working days" in t or "need short by" in t]
    assert len(named) == 2 and not [t for t in english if t not in named and CJK.search(t)]
