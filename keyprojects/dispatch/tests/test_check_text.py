"""Every report check's message (a flag's, a check shown while filling) reads in English in the
English UI and exactly as written in Chinese (rules.CHECK_SENTENCES, warning_text.check_shown):
said again from the stored text, no query."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch import rules
from keyprojects.dispatch import warning_text as text
from keyprojects.dispatch.models import MonthlyReport, ReportFlag, ReportStep
from keyprojects.dispatch.services import report_acknowledge
from keyprojects.dispatch.tests.test_plausibility import fill_url, history  # noqa: F401  (the fixture)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
START = dt.date(2025, 6, 1)


def _report(month: str, *, ytd: str = "0", to_date: str = "0", pct: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        invested_month=D(month),
        invested_ytd=D(ytd),
        invested_to_date=D(to_date),
        physical_progress_pct=None if pct is None else D(pct),
        no_activity=False,
    )


def _project(stage: str = "construction", start: dt.date | None = START, completion: dt.date | None = None) -> SimpleNamespace:
    return SimpleNamespace(total_investment=D(3960), stage=stage, actual_start=start, actual_completion=completion)


APRIL = SimpleNamespace(year=2026, month=4)
# (report, project, prev_ytd, history, prev_pct): together they meet every check once
SCENARIOS = [
    (_report("350", ytd="400.0000", to_date="5000", pct="40"), _project(), D(500), [D(30), D(35), D(32)], D(50)),
    (_report("0", pct="100"), _project(completion=dt.date(2025, 1, 1)), None, [], None),
    (_report("5", pct="100"), _project(stage="reserve", start=None), None, [], None),
    (_report("5"), _project(start=dt.date(2026, 7, 1)), None, [], None),
]
# (code, Chinese as written — byte for byte as before the sentences —, English)
EXPECTED = [
    (
        "ytd_falling",
        "1-4月累计（400.0000）低于上月累计（500）",
        "The cumulative figure to month 4 (400.0000) is below last month's cumulative figure (500)",
    ),
    (
        "to_date_above_total",
        "开工至今累计完成投资（5,000万元）超过项目总投资（3,960万元）：请核对本月完成投资的单位是否为万元；如总投资确已调整，请先在项目信息中修改总投资",
        "Cumulative investment since the start (5,000, 10k CNY) exceeds the project's total investment (3,960, 10k CNY): please check"
        " that this month's investment is in 10k CNY; if the total investment has really changed, change it in the project's"
        " information first",
    ),
    (
        "unit_slip",
        "本月完成投资350万元与以往月份（通常约32万元）相差10倍以上，请确认单位是否为万元",
        "This month's investment (350, 10k CNY) differs from earlier months (usually about 32, 10k CNY) by a factor of 10 or more:"
        " please check that the unit is 10k CNY",
    ),
    ("progress_falling", "形象进度（40%）低于上期（50%）", "Physical progress (40%) below the previous period (50%)"),
    (
        "zero_without_reason",
        "项目在建，本月完成投资为0，但未勾选“本月无进展”",
        "The project is under construction and this month's investment is 0, but “No progress this month” is not ticked",
    ),
    ("dates_out_of_order", "项目实际竣工日期早于实际开工日期", "The project's actual completion date is before its actual start date"),
    (
        "completion_without_start",
        "形象进度为100%但项目尚无实际开工日期",
        "Physical progress is 100% but the project has no actual start date",
    ),
    (
        "investment_before_start",
        "项目处于谋划储备阶段却填报了完成投资",
        "Investment reported while the project is still at the reserve/planning stage",
    ),
    (
        "dates_out_of_order",
        "项目实际开工日期（2026-07-01）晚于本调度期，却填报了完成投资",
        "The project's actual start date (2026-07-01) is after this reporting period, yet investment is reported",
    ),
]


def _written() -> list[tuple[str, str, str]]:
    out = []
    for report, project, prev_ytd, hist, prev_pct in SCENARIOS:
        with translation.override("en"):  # written in Chinese whatever the language
            out += rules.report_checks(
                report=report, period=APRIL, project=project, prev_ytd=prev_ytd, history=hist, slip_factor=10, prev_pct=prev_pct
            )
    return out


def test_the_rules_write_every_check_in_chinese_as_before():
    assert [(c, m) for c, _s, m in _written()] == [(c, zh) for c, zh, _en in EXPECTED]
    assert {c for c, _zh, _en in EXPECTED} == {
        "ytd_falling",
        "to_date_above_total",
        "completion_without_start",
        "dates_out_of_order",
    } | set(rules.WARNING_CODES)
    assert len(rules.CHECK_SENTENCES) == len(EXPECTED)  # one sentence per message


@pytest.mark.parametrize("code, zh, english", EXPECTED, ids=[f"{c[0]}-{i}" for i, c in enumerate(EXPECTED)])
def test_each_check_reads_in_english_and_as_stored_in_chinese(compiled, code, zh, english):  # noqa: F811
    flag = ReportFlag(code=code, message=zh)
    with translation.override("zh-hans"):
        assert flag.shown_message == zh == text.check_shown(zh)
    with translation.override("en"):
        assert flag.shown_message == english == text.check_shown(zh)
        assert not CJK.search(english)


def test_a_message_written_otherwise_stays_as_stored(compiled):  # noqa: F811
    with translation.override("en"):
        assert ReportFlag(message="请核对数据").shown_message == "请核对数据"
        assert text.check_shown("1-4月累计低于上月累计") == "1-4月累计低于上月累计"


def test_the_history_says_the_checks_it_quotes_and_keeps_peoples_words(compiled):  # noqa: F811
    """No database here (a query would fail): the flags and steps of a page are said as read."""
    slip, zero = EXPECTED[2], EXPECTED[4]
    submitted = f"{slip[1]}——说明：主体设备；集中到货；{zero[1]}——说明：停工待料"  # as report_submit writes it
    acknowledged = f"{slip[1]}——理由：已电话核实"
    with translation.override("zh-hans"):
        assert ReportStep(action="submit", opinion=submitted).shown_opinion == submitted
    with translation.override("en"):
        assert ReportStep(action="submit", opinion=submitted).shown_opinion == (
            f"{slip[2]} — explanation: 主体设备；集中到货; {zero[2]} — explanation: 停工待料"
        )
        assert ReportStep(action="acknowledge", opinion=acknowledged).shown_opinion == f"{slip[2]} — reason: 已电话核实"
        assert ReportStep(action="return", opinion=slip[1]).shown_opinion == slip[1]  # a reviewer's own words
        assert ReportStep(action="submit", opinion="导入").shown_opinion == "Import"  # the importer's word (it read 导入)
    with translation.override("zh-hans"):
        assert ReportStep(action="submit", opinion="导入").shown_opinion == "导入"


def _flagged(dw, client) -> MonthlyReport:
    """April submitted at 10× the usual month with the filler's reason: a unit_slip flag."""
    client.force_login(dw.users.county_clerk)
    client.post(fill_url(dw), {"invested_month": "350", "version": 0, "action": "submit", "reason_unit_slip": "主体设备集中到货"})
    report = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    assert report.status == "submitted" and report.flags.get().message == EXPECTED[2][1]
    return report


def test_the_fill_and_review_pages_say_the_flags_in_english_and_as_stored_in_chinese(compiled, history, client):  # noqa: F811
    dw = history
    code, zh, english = EXPECTED[2]
    report = _flagged(dw, client)
    review_url = reverse("dispatch:report", kwargs={"pk": report.pk})
    fill_zh = client.get(fill_url(dw)).content.decode()
    assert f"<li>{zh}（说明：主体设备集中到货）" in fill_zh and f"{zh}——说明：主体设备集中到货" in fill_zh  # flag and history
    assert english not in fill_zh
    _switch_to_english(client)
    fill_en = client.get(fill_url(dw)).content.decode().replace("&#x27;", "'")
    assert 'data-testid="flags"' in fill_en and f"<li>{english}" in fill_en
    assert f"{english} — explanation: 主体设备集中到货" in fill_en  # the history
    assert zh not in fill_en

    client.force_login(dw.users.county)  # the reviewer, in Chinese
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    review_zh = client.get(review_url).content.decode()
    assert review_zh.count(zh) == 3 and english not in review_zh  # the flag, the reason's label, the history
    _switch_to_english(client)
    review_en = client.get(review_url).content.decode().replace("&#x27;", "'")
    assert review_en.count(english) == 3 and zh not in review_en
    assert f'for="ack-{code}">{english}</label>' in review_en
    report_acknowledge(user=dw.users.county, report=report, reasons={code: "已电话核实"})
    review_en = client.get(review_url).content.decode().replace("&#x27;", "'")
    assert f"{english} — reason: 已电话核实" in review_en and zh not in review_en


def test_the_checks_while_filling_read_in_english(compiled, history, client):  # noqa: F811
    dw = history
    client.force_login(dw.users.county_clerk)
    preview = reverse("dispatch:fill_preview", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    typed = {"invested_month": "3500000"}
    zh = client.get(preview, typed, HTTP_HX_REQUEST="true").content.decode()
    assert "超过项目总投资（3,960万元）" in zh and "请确认单位是否为万元" in zh
    _switch_to_english(client)
    en = client.get(preview, typed, HTTP_HX_REQUEST="true").content.decode().replace("&#x27;", "'")
    assert "10k CNY) exceeds the project's total investment (3,960, 10k CNY)" in en
    assert "This month's investment (3,500,000, 10k CNY) differs from earlier months (usually about 32, 10k CNY)" in en
    assert "超过" not in en and "万元）" not in en
    # refused on submitting: the list of checks above the form
    resp = client.post(fill_url(dw), {**typed, "version": 0, "action": "submit", "reason_unit_slip": "确认无误"})
    page = resp.content.decode().replace("&#x27;", "'")
    assert 'data-testid="checks"' in page and "exceeds the project's total investment (3,960, 10k CNY)" in page
    assert "超过项目总投资" not in page
    # the grid's row
    row_url = reverse("dispatch:grid_row", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    row = client.post(row_url, {"invested_month": "350", "version": r.version}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="row-warnings"' in row and EXPECTED[2][2].replace("'", "&#x27;") in row and EXPECTED[2][1] not in row


def test_a_refused_submission_from_the_grid_reads_in_english(compiled, history, client):  # noqa: F811
    dw = history
    client.force_login(dw.users.county_clerk)
    row_url = reverse("dispatch:grid_row", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    submit_url = reverse("dispatch:grid_submit", kwargs={"period": "2026-04"})
    client.post(row_url, {"invested_month": "350", "version": 0}, HTTP_HX_REQUEST="true")
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    resp = client.post(submit_url, {"report": f"{r.pk}:{r.version}"}, follow=True)
    said = [str(m) for m in resp.context["messages"]]
    assert said == [f"未提交 {dw.project.name}：以下校验提示须填写说明后才能提交：{EXPECTED[2][1]}"]  # as before
    _switch_to_english(client)
    resp = client.post(submit_url, {"report": f"{r.pk}:{r.version}"}, follow=True)
    said = [str(m) for m in resp.context["messages"]]
    assert said == [f"Not submitted: {dw.project.name}: Explain these check warnings before submitting: {EXPECTED[2][2]}"]
    assert MonthlyReport.objects.get(pk=r.pk).status == "draft"
