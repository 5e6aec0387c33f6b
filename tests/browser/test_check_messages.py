"""A check's message in the English UI: typed 10× the usual month, the fill page warns in English
before submitting; submitted with a reason, the fill page, its history and the reviewer's page
say the flag in English (the reasons, people's words, stay as written)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.tests.test_plausibility import history  # noqa: F401  (the fixture)

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CJK = re.compile(r"[\u3400-\u9fff]")
SLIP = "This month's investment (350, 10k CNY) differs from earlier months (usually about 32, 10k CNY) by a factor of 10 or more"


def _english(page) -> None:
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")


def test_the_unit_slip_reads_in_english_while_filling_and_reviewing(page, browser, history):  # noqa: F811
    dw = history
    login(page, "lixia_tb", PASSWORD)
    _english(page)
    page.goto(page.base_url + reverse("dispatch:fill", kwargs={"period": "2026-04", "project_pk": dw.project.pk}))
    page.fill("input[name=invested_month]", "350")
    warning = page.locator("[data-testid=pre-warning]")
    warning.wait_for()
    assert SLIP in warning.inner_text()
    page.locator("input[name=invested_month]").press("Tab")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)  # the preview's swap after the change
    page.fill("textarea[name=reason_unit_slip]", "主体设备集中到货")
    page.locator("[data-testid=submit]").click()
    page.wait_for_load_state("networkidle")
    flags = page.locator("[data-testid=flags]").inner_text()
    assert SLIP in flags and not CJK.search(flags.replace("主体设备集中到货", ""))
    assert f"{SLIP}" in page.locator("[data-testid=steps]").inner_text()
    report = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    assert report.status == "submitted"

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    reviewer = context.new_page()
    reviewer.base_url = page.base_url  # type: ignore[attr-defined]
    login(reviewer, "lixia", PASSWORD)
    url = reviewer.base_url + reverse("dispatch:report", kwargs={"pk": report.pk})
    reviewer.goto(url)
    assert "请确认单位是否为万元" in reviewer.locator("[data-testid=flags]").inner_text()  # Chinese as stored
    _english(reviewer)
    reviewer.goto(url)
    flags = reviewer.locator("[data-testid=flags]").inner_text()
    assert flags.count(SLIP) == 2  # the flag and the acknowledgement's label
    assert not CJK.search(flags.replace("主体设备集中到货", ""))
    context.close()
