"""月调度 in a real browser: a county user types figures into the bulk grid (Tab saves the row and
moves to the next row's same column), then opens the fill form, sees the derived figures
update while typing, and submits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keyprojects.core.testing import PASSWORD, ProjectFactory
from keyprojects.dispatch.models import MonthlyReport

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_fills_the_grid_and_submits_from_the_form(page, dw):
    own = dw.projects.own_county
    second = ProjectFactory(name="历下区项目（二期）", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    login(page, "lixia", PASSWORD)
    page.get_by_role("button", name="月调度").or_(page.get_by_role("link", name="月调度")).first.click()
    page.get_by_role("link", name="我的任务").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[data-testid=period-select]", "2026-01")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=n-to-fill]")).to_have_text("2")
    page.get_by_test_id("grid-link").click()
    page.wait_for_load_state("networkidle")

    # type into the first row, Tab: the row saves itself and focus lands on the next row
    amount = page.locator(f"#g{own.pk}-invested_month")
    amount.click()
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    expect(page.locator(f"#g{second.pk}-invested_month")).to_be_focused()
    first_row = page.locator(f"#grid-row-{own.pk}")
    expect(first_row.get_by_test_id("row-saved")).to_be_visible()
    expect(first_row.get_by_test_id("row-ytd")).to_have_text("100.00")
    expect(first_row.get_by_test_id("row-to-date")).to_have_text("400.00")  # 300 before tracking

    # a bad figure in the second row: a Chinese error in the row, the input kept
    page.keyboard.type("十万")
    page.keyboard.press("Enter")
    second_row = page.locator(f"#grid-row-{second.pk}")
    expect(second_row.get_by_test_id("row-error")).to_contain_text("请输入数字")
    expect(page.locator(f"#g{second.pk}-invested_month")).to_have_value("十万")
    assert MonthlyReport.objects.filter(project=own, invested_month=100).count() == 1
    assert not MonthlyReport.objects.filter(project=second).exists()

    # open the fill form: the saved figure is there; typing updates the derived preview
    first_row.get_by_role("link", name=own.name).click()
    page.wait_for_load_state("networkidle")
    field = page.locator("#report-form input[name=invested_month]")
    expect(field).to_have_value("100")
    field.fill("120")
    expect(page.get_by_test_id("derived-ytd")).to_have_text("120.00")
    expect(page.get_by_test_id("derived-to-date")).to_have_text("420.00")
    page.fill("#report-form textarea[name=physical_progress]", "主体结构施工")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("report-status")).to_have_text("待审核")
    assert "已提交，等待审核" in page.content()

    r = MonthlyReport.objects.get(project=own, period=dw.p1)
    assert (r.status, str(r.invested_month), r.physical_progress) == ("submitted", "120.0000", "主体结构施工")
    assert csp_errors == []


def _saved(project, problems: str) -> bool:
    """Whether the server has stored ``problems`` yet; a read that meets the server thread's write
    on the shared in-memory SQLite database ("table is locked") is asked again."""
    from django.db import OperationalError

    try:
        return MonthlyReport.objects.filter(project=project, problems=problems).exists()
    except OperationalError:
        return False


def _type_across_a_slow_save(page, dw, problems: str, *, delay: float = 0, settle_ms: int | None = None) -> None:
    """As ``lixia`` on the grid: 100 in the own project's 本月完成投资, then, while that save takes a
    second, ``problems`` typed into the same row (``delay`` ms per key; ``settle_ms`` stretches
    htmx's settle). The typed text must be on the page after the save and in the database after
    Enter commits it."""
    import time
    from unittest import mock

    from keyprojects.dispatch import views_fill

    own = dw.projects.own_county
    real_save = views_fill.report_save

    def slow_save(**kw):
        time.sleep(1.0)
        return real_save(**kw)

    login(page, "lixia", PASSWORD)
    page.goto(page.base_url + "/dispatch/2026-01/grid/")
    if settle_ms is not None:
        page.evaluate(f"htmx.config.defaultSettleDelay = {settle_ms}")
    with mock.patch.object(views_fill, "report_save", side_effect=slow_save):
        page.locator(f"#g{own.pk}-invested_month").click()
        page.keyboard.type("100")
        page.locator(f"#g{own.pk}-problems").click()  # blur: the first save starts (and takes a second)
        page.keyboard.type(problems, delay=delay)
        row = page.locator(f"#grid-row-{own.pk}")
        expect(row.get_by_test_id("row-saved")).to_be_visible(timeout=10_000)
        expect(page.locator(f"#g{own.pk}-problems")).to_have_value(problems)
        page.keyboard.press("Enter")  # the last row: Enter commits the value
        expect(row.get_by_test_id("row-saved")).to_be_visible(timeout=10_000)
        page.wait_for_load_state("networkidle")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not _saved(own, problems):
            time.sleep(0.2)
    r = MonthlyReport.objects.get(project=own, period=dw.p1)
    assert (str(r.invested_month), r.problems) == ("100.0000", problems)


def test_typing_while_a_row_saves_is_not_lost(page, dw):
    """The row is re-rendered by the server after each save; what the user typed into the same
    row while that save was in flight survives the swap and is saved next."""
    _type_across_a_slow_save(page, dw, "征地未完成")


def test_keystrokes_while_the_saved_row_settles_are_kept(page, dw):
    """The race the test above meets only on a loaded machine, made certain: the typing goes on
    through the swap of the saved row and through its settle (stretched to 0.8 s here), and not
    a character is lost — the typed values go back into the new row at the swap, not at the end
    of the settle, which overwrote what was typed in between."""
    _type_across_a_slow_save(page, dw, "征地拆迁尚未完成", delay=300, settle_ms=800)  # 2.4 s of typing


@pytest.mark.parametrize(
    ("language", "status", "said"),
    [
        ("en", 503, "The system is busy"),
        ("en", 500, "Save failed"),
        ("zh-hans", 503, "系统繁忙，请稍后重试（您的输入未丢失）"),
    ],
)
def test_a_failed_row_save_is_said_in_the_pages_language(page, dw, language, status, said):
    """A row whose save fails (busy: 503; anything else) says so in the page's language — the
    English grid said it in Chinese — and keeps the typed value."""
    own = dw.projects.own_county
    login(page, "lixia", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(page.base_url + "/dispatch/2026-01/grid/")
    page.route(f"**/dispatch/2026-01/grid/{own.pk}/", lambda route: route.fulfill(status=status, body="x"))
    page.locator(f"#g{own.pk}-invested_month").click()
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    state = page.locator(f"#grid-row-{own.pk} [data-testid=row-state]")
    expect(state).to_contain_text(said)
    expect(page.locator(f"#g{own.pk}-invested_month")).to_have_value("100")
