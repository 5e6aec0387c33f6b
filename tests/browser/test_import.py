"""Importing in a real browser: a county user uploads the messy table the way it arrived, sees
every row-level error where Excel shows it (confirm disabled, nothing written), uploads the
fixed file, confirms, and finds the projects in the project list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from keyprojects.core.testing import PASSWORD
from keyprojects.dataio.tests.test_import_files import GOOD, MESSY, workbook
from keyprojects.projects.models import Project

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, name: str, data: bytes) -> None:
    page.goto(page.base_url + "/dataio/import/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_test_id("upload").click()
    page.wait_for_load_state("networkidle")


def test_county_user_fixes_a_messy_table_and_imports_it(page, world):
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "lixia", PASSWORD)
    page.get_by_role("button", name="数据").or_(page.get_by_role("link", name="数据")).first.click()
    if not page.get_by_test_id("nav-import").is_visible():  # inside the 数据 menu
        page.get_by_role("button", name="数据").or_(page.get_by_role("link", name="数据")).first.click()
    page.get_by_test_id("nav-import").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="数据导入")).to_be_visible()

    # the messy table: row-level errors with sheet, row, column, value and message; no confirm
    upload(page, "历下区1-6月（原表）.xlsx", workbook(MESSY))
    expect(page.get_by_test_id("status")).to_have_text("未通过")
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("所属区域超出您的管辖范围")
    expect(errors).to_contain_text("总投资不能为空")
    out_of_scope = errors.locator("tr", has_text="所属区域超出您的管辖范围")
    expect(out_of_scope.locator("td").nth(0)).to_have_text("1-6月")
    expect(out_of_scope.locator("td").nth(1)).to_have_text("5")
    expect(out_of_scope.locator("td").nth(2)).to_have_text("所属区域")
    expect(out_of_scope.locator("td").nth(3)).to_have_text("市中区")
    expect(page.get_by_test_id("warnings")).to_contain_text("无法识别的地名")
    expect(page.get_by_test_id("confirm")).to_be_disabled()
    with page.expect_download() as dl:
        page.get_by_test_id("download-issues").click()
    assert dl.value.suggested_filename.endswith("错误清单.xlsx")
    assert Project.objects.count() == 4

    # the fixed table: a preview with counts and totals, then 确认导入
    fixed = workbook(GOOD)
    upload(page, "历下区1-6月.xlsx", fixed)
    expect(page.get_by_test_id("status")).to_have_text("待确认")
    expect(page.get_by_test_id("created")).to_have_text("3")
    expect(page.get_by_test_id("total-investment")).to_contain_text("155,000.00")
    expect(page.get_by_test_id("invested-ytd")).to_contain_text("15,200.50")
    expect(page.get_by_test_id("sample")).to_contain_text("历下区智能制造产业园")
    page.get_by_test_id("confirm").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("status")).to_have_text("已导入")
    expect(page.get_by_role("alert").first).to_contain_text("导入完成：新增项目 3 个")

    # the projects are in the list
    page.get_by_test_id("to-projects").click()
    page.wait_for_load_state("networkidle")
    for name in ("历下区智能制造产业园", "历下区城市更新片区", "历下区第一中学扩建"):
        expect(page.get_by_role("link", name=name)).to_have_count(1)

    # the same file once more is recognised
    upload(page, "历下区1-6月（再次）.xlsx", fixed)
    expect(page.get_by_test_id("file-errors")).to_contain_text("该文件已于")
    expect(page.get_by_test_id("confirm")).to_be_disabled()
    assert csp_errors == []


def test_a_large_upload_shows_its_progress_then_lands_on_the_preview(page, world, settings, monkeypatch):
    """Above the byte threshold the preview runs as a job (in its thread, as in production): the
    job page shows its phase (读取文件/解析/校验) with a percentage, htmx's poll is sent on to the preview page once the
    job is done, and 确认导入 of that file runs in the background too."""
    import time

    from keyprojects.dataio import services_jobs

    settings.KEYPROJECTS_IMPORT_BACKGROUND_BYTES = 100
    settings.JOBS_BACKGROUND = True
    preview = services_jobs.import_preview

    def slow_preview(**kwargs):  # long enough for the page to poll at least once
        time.sleep(1.5)
        return preview(**kwargs)

    monkeypatch.setattr(services_jobs, "import_preview", slow_preview)
    visited: list[str] = []
    page.on("framenavigated", lambda f: visited.append(f.url) if f == page.main_frame else None)
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/dataio/import/")
    page.set_input_files("input[name=file]", files=[{"name": "历下区1-6月.xlsx", "mimeType": XLSX, "buffer": workbook(GOOD)}])
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("import-job")).to_have_attribute("data-status", "running")
    expect(page.get_by_test_id("import-phase")).to_have_text(re.compile("读取文件|解析|校验"))
    expect(page.get_by_test_id("import-refresh")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("待确认", timeout=30_000)
    assert "/job/" in visited[-2] and visited[-1].endswith("/") and "/job/" not in visited[-1]
    expect(page.get_by_test_id("created")).to_have_text("3")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("导入完成：新增项目 3 个", timeout=30_000)
    assert Project.objects.filter(name__startswith="历下区").count() == 4
