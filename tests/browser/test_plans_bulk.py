"""分月计划批量填报 in a real browser: a city user opens the page from the project list, downloads
the sheet, fills the twelve months of two projects in it (openpyxl, as Excel would), uploads it,
reads the preview, confirms, and finds the amounts on each project's 分月计划 page; the same city
narrowed to one county with the 区域 drop-down (its sheet has that county's project only; the
whole city's sheet uploaded while narrowed names the other rows as outside the region); a county
user's upload with an error row shows the row's Chinese message and writes nothing."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyPlan

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OWN = [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200]  # 历下区项目: 1200万元
SIBLING = [0, 0, 200, 100, 100, 100, 100, 100, 100, 0, 0, 0]  # 市中区项目: 800万元
FIRST_ROW, NAME_COL, FIRST_MONTH_COL = 4, 2, 6  # the sheet's first project row and columns (1-based)


def download(page) -> bytes:
    """The sheet as the page's download button gives it."""
    with page.expect_download() as dl:
        page.get_by_test_id("bulk-export").click()
    assert dl.value.suggested_filename.startswith("分月计划批量填报-") and dl.value.suggested_filename.endswith(".xlsx")
    return Path(dl.value.path()).read_bytes()


def fill(content: bytes, values_by_name: dict[str, list[float]]) -> tuple[bytes, list[str]]:
    """The downloaded sheet with the months of the projects named filled in, and the names of
    every project row in it."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    names = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        name = ws.cell(r, NAME_COL).value
        names.append(name)
        for m, v in enumerate(values_by_name.get(name, [])):
            ws.cell(r, FIRST_MONTH_COL + m).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), names


def upload(page, data: bytes, name: str = "分月计划（已填）.xlsx") -> None:
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_test_id("bulk-preview").click()
    page.wait_for_load_state("networkidle")


def stored(project) -> list[Decimal]:
    return list(MonthlyPlan.objects.filter(project=project, year=2026).order_by("month").values_list("planned", flat=True))


def expect_plan_page(page, project, months: list[float]) -> None:
    """The project's 分月计划 page shows the twelve amounts as its own plan."""
    page.goto(f"{page.base_url}/projects/{project.pk}/plans/2026/")
    expect(page.get_by_test_id("plan-source")).to_have_text("项目自定")
    for m, v in enumerate(months, start=1):
        expect(page.get_by_test_id(f"plan-month-{m}").locator("input")).to_have_value(re.compile(rf"^{v}(\.0+)?$"))
    expect(page.get_by_test_id("plan-total")).to_contain_text(f"{sum(months):,}")


def test_a_city_fills_the_sheet_uploads_it_and_confirms(page, dw):
    own, sibling = dw.projects.own_county, dw.projects.sibling_county
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/projects/")
    page.get_by_test_id("plans-bulk-link").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("bulk-title")).to_contain_text("2026年分月计划批量填报")
    expect(page.get_by_test_id("bulk-count")).to_have_text("共 3 个项目")

    data, names = fill(download(page), {"历下区项目": OWN, "市中区项目": SIBLING})
    assert sorted(names) == sorted(["历下区项目", "市中区项目", "济南市本级项目"])
    upload(page, data)

    # the preview: two projects change, one left as exported; the changed months marked
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("共 3 行，将修改 2 个项目，1 个项目未改动")
    changes = page.get_by_test_id("bulk-change")
    expect(changes).to_have_count(2)
    own_row = changes.filter(has_text="历下区项目")
    expect(own_row.locator("td.table-warning")).to_have_count(4)  # from 100 a month: 2月, 3月, 4月 and 12月
    expect(page.get_by_test_id("bulk-errors")).to_have_count(0)
    assert not MonthlyPlan.objects.exists()  # a preview writes nothing

    page.get_by_test_id("bulk-confirm").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert").filter(has_text="已导入2个项目的分月计划")).to_be_visible()
    assert stored(own) == [Decimal(v) for v in OWN] and stored(sibling) == [Decimal(v) for v in SIBLING]

    expect_plan_page(page, own, OWN)
    expect_plan_page(page, sibling, SIBLING)
    assert csp_errors == []


def test_a_city_narrowed_to_a_county_with_the_region_drop_down(page, dw):
    own = dw.projects.own_county
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/projects/plans/?year=2026")
    whole_city = download(page)
    page.select_option("[data-testid=region-select]", "370102")  # submits itself
    page.wait_for_url(re.compile(r"region=370102"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("bulk-region")).to_contain_text("只含济南市历下区的项目")
    expect(page.get_by_test_id("bulk-count")).to_have_text("共 1 个项目")

    # the whole city's sheet uploaded while narrowed: the other counties' rows are outside the region
    data, _ = fill(whole_city, {"历下区项目": OWN, "市中区项目": SIBLING})
    upload(page, data)
    errors = page.get_by_test_id("bulk-error")
    expect(errors).to_have_count(2)
    expect(page.get_by_test_id("bulk-errors")).to_contain_text("不在所选区域（济南市历下区）内")
    expect(page.get_by_test_id("bulk-confirm")).to_have_count(0)
    assert not MonthlyPlan.objects.exists()

    # the county's own sheet: one row, filled, previewed, confirmed
    data, names = fill(download(page), {"历下区项目": OWN})
    assert names == ["历下区项目"]
    upload(page, data)
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("共 1 行，将修改 1 个项目，0 个项目未改动")
    page.get_by_test_id("bulk-confirm").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert").filter(has_text="已导入1个项目的分月计划")).to_be_visible()
    expect(page.get_by_test_id("bulk-region")).to_contain_text("只含济南市历下区的项目")  # back on the narrowed page
    assert page.locator("#region-select").input_value() == "370102"
    assert stored(own) == [Decimal(v) for v in OWN] and MonthlyPlan.objects.count() == 12
    expect_plan_page(page, own, OWN)


def test_an_error_row_is_said_in_chinese_and_nothing_is_written(page, dw):
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/projects/plans/?year=2026")
    expect(page.get_by_test_id("region-select")).to_have_count(0)  # a county has nothing to narrow to
    expect(page.get_by_test_id("bulk-count")).to_have_text("共 1 个项目")
    bad = [100, -1, *OWN[2:]]  # 2月 negative (and the sum off)
    data, _ = fill(download(page), {"历下区项目": bad})
    events = AuditEvent.objects.filter(action="update").count()
    upload(page, data)

    expect(page.get_by_test_id("bulk-errors")).to_contain_text("未导入任何数据，请改正后重新上传")
    negative = page.get_by_test_id("bulk-error").filter(has_text="金额不能为负数")
    expect(negative).to_have_count(1)
    cells = negative.locator("td")
    expect(cells.nth(0)).to_have_text(str(FIRST_ROW))  # the Excel row
    expect(cells.nth(2)).to_have_text("2月")
    expect(page.get_by_test_id("bulk-changes")).to_have_count(0)
    expect(page.get_by_test_id("bulk-confirm")).to_have_count(0)
    assert not MonthlyPlan.objects.exists()
    assert AuditEvent.objects.filter(action="update").count() == events

    # the project's page still shows the default spread
    page.goto(f"{page.base_url}/projects/{dw.projects.own_county.pk}/plans/2026/")
    expect(page.get_by_test_id("plan-source")).to_have_text("按默认分布")
