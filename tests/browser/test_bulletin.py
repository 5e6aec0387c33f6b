"""The month's bulletin in a real browser: a city user opens 分析 → 通报, downloads the Word
document and the workbook, and both open (python-docx, openpyxl)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (fixture)
from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_user_downloads_the_bulletin(page, rw, tmp_path):  # noqa: F811  (rw is the imported fixture)
    from keyprojects.dispatch.services import period_close

    period_close(user=rw.users.city, period=rw.p2, confirm="确认关账")
    login(page, "jinan", PASSWORD)
    page.locator("[data-testid=nav-analysis] > a").click()
    page.get_by_role("link", name="通报", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.select_option("#bl-period", "2026-02")  # the form submits itself
    page.wait_for_url("**/analytics/bulletin/?period=2026-02")
    page.wait_for_load_state("networkidle")
    assert "2026年2月全市重点项目建设情况通报" in page.content()
    assert page.locator("[data-testid=period-status]").inner_text() == "已关账"
    page.screenshot(path=str(tmp_path / "bulletin.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("[data-testid=bulletin-docx]").click()
    download = info.value
    assert download.suggested_filename == "2026年2月济南市重点项目建设情况通报.docx"
    download.save_as(tmp_path / "b.docx")
    doc = Document(io.BytesIO((tmp_path / "b.docx").read_bytes()))
    assert doc.paragraphs[2].text == "2026年2月全市重点项目建设情况通报"
    assert [c.text for c in doc.tables[0].rows[1].cells][:2] == ["1", "市中区"]

    with page.expect_download() as info:
        page.locator("[data-testid=bulletin-xlsx]").click()
    info.value.save_as(tmp_path / "b.xlsx")
    assert load_workbook(tmp_path / "b.xlsx").sheetnames[:3] == ["概况", "排名", "滞后项目"]

    page.goto(page.base_url + "/analytics/rankings/?period=2026-02")
    assert page.locator("[data-testid=ranking-row]").count() == 4
    page.screenshot(path=str(tmp_path / "rankings.png"), full_page=True)
