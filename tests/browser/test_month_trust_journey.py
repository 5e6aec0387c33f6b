"""Issue 10 "A month users can trust", the whole story in a real browser: one wrong figure from the
grid to the warning, the reason, the second reviewer, the close checklist and a correction that
reissues the bulletin.

历下区项目 (3,960 万元 total, usual month about 320 万元) — the county clerk ``lixia_tb`` types
3500000 (元 typed as 万元) into the bulk grid for April: the grid shows the error (above the total
investment) and the ≥10× warning before any submit; with the total investment adjusted only the
warning stays, and the submit is refused until the clerk writes a reason. The clerk cannot approve
what they filled; ``lixia`` (the county's second account) sees the warning and the clerk's reason,
acknowledges it with its own reason and approves, ``jinan`` approves for the city. The province
closes April through the checklist with the typed confirmation and waits for the background close.
The clerk asks to correct 3500000 → 350; the province (one level above the city, the final
approver) decides; the board shows 已更正 and the bulletin downloads as 更正版."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from docx import Document

from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyReport, PeriodClosure
from keyprojects.dispatch.services import period_get_or_open, report_review, report_save, report_submit
from keyprojects.projects.models import Project

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def alert_text(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_a_wrong_figure_from_the_grid_to_the_corrected_bulletin(page, dw, tmp_path, settings):
    settings.JOBS_BACKGROUND = True  # the close runs in the background as in production
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960), actual_start=dt.date(2025, 6, 1))
    p.refresh_from_db()
    # January–March approved at a few hundred 万元 a month (four eyes: clerk fills, county and
    # city review): the usual month is 320 万元
    for period, amount in ((dw.p1, "300"), (dw.p2, "350"), (dw.p3, "320")):
        r = report_save(user=dw.users.county_clerk, project=p, period=period, data={"invested_month": amount})
        report_submit(user=dw.users.county_clerk, report=r)
        report_review(user=dw.users.county, report=r, action="approve")
        report_review(user=dw.users.city, report=r, action="approve")
        assert MonthlyReport.objects.get(pk=r.pk).status == "approved"
    period_get_or_open(year=2026, month=4)
    row = f"[data-testid=grid-row][data-project='{p.pk}']"

    # 1. the clerk types 元 as 万元 in the bulk grid: the error and the warning before submit
    login(page, "lixia_tb", PASSWORD)
    page.goto(page.base_url + "/dispatch/2026-04/grid/")
    assert "2026年4月 批量填报" in page.locator("h1").inner_text()
    page.fill(f"#g{p.pk}-invested_month", "3500000")
    page.locator(f"#g{p.pk}-invested_month").press("Tab")
    page.locator(f"{row} [data-testid=row-warnings]").wait_for()
    pre_error = page.locator(f"{row} [data-testid=row-pre-error]").inner_text()
    assert "超过项目总投资（3,960万元）" in pre_error and "请核对本月完成投资的单位是否为万元" in pre_error
    warning = page.locator(f"{row} [data-testid=row-warnings]").inner_text()
    assert "本月完成投资3,500,000万元与以往月份（通常约320万元）相差10倍以上" in warning and "请确认单位是否为万元" in warning
    page.screenshot(path=str(tmp_path / "1-grid-error-and-warning.png"), full_page=True)

    # above the total investment is an error: refused even with a reason
    page.locator(f"{row} [data-testid=select]").check()
    page.locator("[data-testid=submit-selected]").click()
    page.wait_for_load_state("networkidle")
    assert "未提交" in alert_text(page) and "超过项目总投资" in alert_text(page)
    assert MonthlyReport.objects.get(project=p, period__month=4).status == "draft"

    # the total investment adjusted through the project (as the error says): only the warning stays
    page.goto(page.base_url + f"/projects/{p.pk}/edit/")
    page.fill("#id_total_investment", "4000000")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    # a tenfold change of the total needs its own written reason (the same unit-slip guard)
    assert "相差10倍以上" in page.content() and Project.objects.get(pk=p.pk).total_investment == D(3960)
    page.fill("#id_total_investment", "4000000")
    page.fill("#id_total_investment_reason", "项目扩建，总投资经发改委批复调整")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "1-project-total-adjusted.png"), full_page=True)
    assert Project.objects.get(pk=p.pk).total_investment == D(4_000_000)
    page.goto(page.base_url + "/dispatch/2026-04/grid/")
    assert page.locator(f"{row} [data-testid=row-pre-error]").count() == 0
    assert "请确认单位是否为万元" in page.locator(f"{row} [data-testid=row-warnings]").inner_text()
    assert page.locator(f"{row} [data-testid=row-reason]").get_attribute("placeholder") == "请说明原因后再提交"

    # 2. submit without a reason: refused, the report stays a draft
    page.locator(f"{row} [data-testid=select]").check()
    page.locator("[data-testid=submit-selected]").click()
    page.wait_for_load_state("networkidle")
    assert "未提交" in alert_text(page) and "须填写说明" in alert_text(page)
    assert MonthlyReport.objects.get(project=p, period__month=4).status == "draft"
    page.screenshot(path=str(tmp_path / "2-grid-refused-without-reason.png"), full_page=True)

    # 3. the clerk writes the reason (saved with the row) and submits
    page.fill(f"{row} [data-testid=row-reason]", "本月设备款集中支付")
    page.locator(f"{row} [data-testid=row-reason]").press("Tab")
    page.locator(f"{row} [data-testid=row-saved]").wait_for()
    assert page.locator(f"{row} [data-testid=row-reason]").input_value() == "本月设备款集中支付"
    page.locator(f"{row} [data-testid=select]").check()
    page.locator("[data-testid=submit-selected]").click()
    page.wait_for_load_state("networkidle")
    assert "已提交 1 份月报" in alert_text(page)
    slip = MonthlyReport.objects.get(project=p, period__month=4)
    assert slip.status == "submitted" and slip.pending_level == "county"
    assert slip.flags.get(code="unit_slip").reason == "本月设备款集中支付"

    # 4. the same clerk cannot approve it: no review actions, the four-eyes explanation instead
    page.goto(page.base_url + f"/dispatch/reports/{slip.pk}/")
    assert (
        "这份月报由您填报或提交，按四眼原则由本级另一位审核人或上一级审核，您不能审核。"
        in page.locator("[data-testid=four-eyes]").inner_text()
    )
    assert page.locator("[data-testid=approve]").count() == 0
    assert page.locator("[data-testid=acknowledge-form]").count() == 0
    page.screenshot(path=str(tmp_path / "4-clerk-cannot-approve.png"), full_page=True)

    # 5. the county's second account: the warning and the clerk's reason, its own reason, approve
    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/dispatch/review/")
    page.get_by_role("link", name="历下区项目", exact=True).click()
    page.wait_for_load_state("networkidle")
    flag = page.locator("[data-testid=flags] [data-testid=flag]", has_text="请确认单位是否为万元")
    assert "待审核人确认" in flag.inner_text()
    assert flag.locator("[data-testid=flag-reason]").inner_text() == "填报人说明：本月设备款集中支付"
    assert page.locator("[data-testid=four-eyes]").count() == 0
    # approving before acknowledging is refused
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "请先确认校验提示" in alert_text(page)
    page.screenshot(path=str(tmp_path / "5-reviewer-sees-warning-and-reason.png"), full_page=True)
    page.fill("[data-testid=acknowledge-form] textarea[name=reason_unit_slip]", "已电话核实，设备款合同付款属实")
    page.locator("[data-testid=acknowledge]").click()
    page.wait_for_load_state("networkidle")
    assert "已确认 1 条校验提示" in alert_text(page)
    assert page.locator("[data-testid=ack-reason]").inner_text() == "已电话核实，设备款合同付款属实"
    steps = page.locator("[data-testid=steps]").inner_text()
    assert "已电话核实，设备款合同付款属实" in steps  # the acknowledgement's reason in the history
    assert "本月设备款集中支付" in steps  # and the clerk's, with the submission
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "已审定" in alert_text(page) or "审核通过" in alert_text(page)
    slip.refresh_from_db()
    assert slip.status == "submitted" and slip.pending_level == "city"

    # the city (the chain of a city-list project): sees the acknowledged warning with both reasons
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + f"/dispatch/reports/{slip.pk}/")
    flags = page.locator("[data-testid=flags]").inner_text()
    assert "本月设备款集中支付" in flags and "已电话核实，设备款合同付款属实" in flags and "已确认" in flags
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "已审定" in alert_text(page)
    slip.refresh_from_db()
    assert slip.status == "approved" and slip.approved_by == dw.users.city

    # 6. the province: 关账 with the checklist, the typed confirmation, the background close
    login(page, "prov", PASSWORD)
    page.goto(page.base_url + "/dispatch/2026-04/board/")
    page.locator("[data-testid=close]").click()
    page.wait_for_url("**/dispatch/2026-04/board/close/")
    assert "关账检查：山东省 2026年4月" in page.locator("h1").inner_text()
    checklist = page.locator("[data-testid=checklist]")
    assert checklist.locator("[data-region='370100'] [data-col=missing]").first.inner_text().startswith("2")  # 市中, 市本级
    assert checklist.locator("[data-region='370200'] [data-col=missing]").first.inner_text().startswith("1")
    assert "共 3 项未完成" in page.locator("[data-testid=open-total]").inner_text()
    page.screenshot(path=str(tmp_path / "6-close-checklist.png"), full_page=True)
    page.locator("[data-testid=close-submit]").click()  # the browser asks for the confirmation (required)
    assert page.url.endswith("/dispatch/2026-04/board/close/")
    page.fill("[data-testid=close-confirm]", "2026-04")
    page.locator("[data-testid=close-submit]").click()
    page.wait_for_url("**/dispatch/2026-04/board/close/jobs/*/")
    result = page.locator("[data-testid=close-result]")
    result.wait_for(timeout=60_000)
    assert page.locator("[data-testid=close-percent]").inner_text() == "100%"
    assert "已关账，数据已冻结" in result.inner_text() and "关账时有 3 项未完成" in result.inner_text()
    page.screenshot(path=str(tmp_path / "6-close-done.png"), full_page=True)
    page.locator("[data-testid=close-board]").click()
    page.wait_for_url("**/dispatch/2026-04/board/")
    assert page.locator("[data-testid=period-status]").inner_text() == "已关账"
    assert PeriodClosure.objects.filter(period__month=4, region_id="370000").exists()

    # 7. the clerk asks for a correction 3500000 → 350; the clerk cannot decide it
    login(page, "lixia_tb", PASSWORD)
    page.goto(page.base_url + f"/dispatch/reports/{slip.pk}/")
    assert page.locator("[data-testid=frozen]").inner_text() == "已关账"
    page.locator("[data-testid=revision-request] summary").click()
    page.fill("#id_reason", "元误填为万元，应为350万元")
    page.fill("#id_invested_month", "350")
    page.get_by_role("button", name="提交更正申请").click()
    page.wait_for_load_state("networkidle")
    revision = page.locator("[data-testid=revision]")
    assert "由省级审定" in revision.inner_text() and "元误填为万元，应为350万元" in revision.inner_text()
    assert page.locator("[data-testid=revision-decide]").count() == 0
    # neither may the city, the report's final approver
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + f"/dispatch/reports/{slip.pk}/")
    assert page.locator("[data-testid=revision-decide]").count() == 0
    # the province decides
    login(page, "prov", PASSWORD)
    page.goto(page.base_url + f"/dispatch/reports/{slip.pk}/")
    page.screenshot(path=str(tmp_path / "7-correction-to-decide.png"), full_page=True)
    page.get_by_role("button", name="同意更正").click()
    page.wait_for_load_state("networkidle")
    assert "已同意更正" in page.content()
    assert "关账后更正（已更正）" in page.locator("[data-testid=revision-after-close]").inner_text()
    slip.refresh_from_db()
    assert slip.invested_month == D(350)

    # 8. the closed board: 已更正 with who, before → after and why
    page.goto(page.base_url + "/dispatch/2026-04/board/")
    corrections = page.locator("[data-testid=corrections]").inner_text()
    assert "已更正" in corrections and "3,500,000.00万元" in corrections and "350.00万元" in corrections
    assert "元误填为万元，应为350万元" in corrections
    # 济南: (300 + 350 + 320 + 350) / 2,500 万元 planned, the corrected figure (not 140,038 %)
    jinan = page.locator("[data-testid=board-row][data-region='370100']")
    assert jinan.locator("[data-col=completion]").inner_text() == "52.80%"
    page.screenshot(path=str(tmp_path / "8-board-corrected.png"), full_page=True)

    # 9. the bulletin reissued as 更正版, with the corrected figure
    page.goto(page.base_url + "/analytics/bulletin/?period=2026-04")
    assert "2026年4月全省重点项目建设情况通报（更正版）" in page.content()
    page.screenshot(path=str(tmp_path / "9-bulletin.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("[data-testid=bulletin-docx]").click()
    assert "更正版" in info.value.suggested_filename
    info.value.save_as(tmp_path / "bulletin.docx")
    doc = Document(io.BytesIO((tmp_path / "bulletin.docx").read_bytes()))
    text = "\n".join([par.text for par in doc.paragraphs] + [c.text for t in doc.tables for row_ in t.rows for c in row_.cells])
    assert "更正版" in text and "关账后更正情况" in text
    assert "3,500,000.00万元→350.00万元" in text
