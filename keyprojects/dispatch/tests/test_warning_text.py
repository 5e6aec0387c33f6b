"""Every warning kind reads in English in the English UI and exactly as stored in Chinese
(dispatch.warning_text): said again from the kind, the value and the stored message, no query."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from keyprojects.analytics import metrics
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch import rules
from keyprojects.dispatch import warning_text as text
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import DispatchConfig, MonthlyReport, ProjectWarning, ReportFlag
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

APPROVALS = text.SEPARATOR.join(
    [
        text.APPROVAL_OVERDUE.zh(name="用地预审与选址意见书", days=37, limit=20, department="济南市自然资源和规划局"),
        text.APPROVAL_OVERDUE.zh(name="节能审查", days=25, limit=20, department="济南市发展和改革委员会"),
    ]
)
NEEDS = text.SEPARATOR.join(
    [
        text.NEED_OVERDUE_OWNED.zh(kind="土地", gap="120.5", unit="亩", due="2026-03-10", owner="济南市自然资源和规划局"),
        text.NEED_OVERDUE.zh(kind="能耗", gap="3", unit="吨标准煤", due="2026-03-12"),
    ]
)
# (kind, stored message, value, English): every kind, its message as the refresh writes it
CASES = [
    (WarningKind.BEHIND_SCHEDULE, metrics.schedule_phrase_zh(D("-12")), D("-12"), "12.00 percentage points behind schedule"),
    (WarningKind.LOW_PROGRESS_INDEX, "进度指数0.89，低于0.90", D("0.8999"), "Progress index 0.89, below 0.90"),
    (WarningKind.START_OVERDUE, "计划2026年03月开工，至今未开工", None, "Planned to start in Mar 2026, not started yet"),
    (WarningKind.ZERO_INVESTMENT, "连续3个月完成投资为零", None, "No investment completed for 3 months in a row"),
    (WarningKind.MISSING_REPORT, "2026年2月月报未报送", None, "Monthly report for Feb 2026 not submitted"),
    (WarningKind.LATE_REPORT, "2026年11月月报迟报", None, "Monthly report for Nov 2026 submitted late"),
    (
        WarningKind.FLAGGED_FIGURES,
        "本月完成投资3,200,000万元与以往月份（通常约557万元）相差10倍以上，请确认单位是否为万元",
        None,
        "This month's investment (3,200,000, 10k CNY) differs from earlier months (usually about 557, 10k CNY) by a factor of 10 or more:"
        " please check that the unit is 10k CNY",
    ),
    (WarningKind.FLAGGED_FIGURES, "形象进度（40%）低于上期（45.5%）", None, "Physical progress (40%) below the previous period (45.5%)"),
    (
        WarningKind.FLAGGED_FIGURES,
        "项目在建，本月完成投资为0，但未勾选“本月无进展”",
        None,
        "The project is under construction and this month's investment is 0, but “No progress this month” is not ticked",
    ),
    (
        WarningKind.FLAGGED_FIGURES,
        "项目处于谋划储备阶段却填报了完成投资",
        None,
        "Investment reported while the project is still at the reserve/planning stage",
    ),
    (
        WarningKind.APPROVAL_OVERDUE,
        APPROVALS,
        D(17),
        # the catalogue's items by their English names (core.localized), the units' names as written
        "Land use pre-review and site selection opinion: in handling for 37 working days, over its legal limit of 20 working days "
        "(济南市自然资源和规划局); "
        "Energy conservation review: in handling for 25 working days, over its legal limit of 20 working days (济南市发展和改革委员会)",
    ),
    (
        WarningKind.NEED_OVERDUE,
        NEEDS,
        D(2),
        "Land need short by 120.5 (mu), deadline 2026-03-10 passed (济南市自然资源和规划局); "
        "Energy need short by 3 (tce), deadline 2026-03-12 passed",
    ),
]


@pytest.mark.parametrize("kind, message, value, english", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_kind_reads_in_english_and_as_stored_in_chinese(compiled, kind, message, value, english):  # noqa: F811
    w = ProjectWarning(kind=kind, message=message, value=value)
    with translation.override("zh-hans"):
        assert w.shown_message == message
    with translation.override("en"):
        assert w.shown_message == english


def test_every_kind_has_a_case():
    assert {c[0] for c in CASES} == set(WarningKind.values)
    assert set(text.SENTENCES) | {WarningKind.BEHIND_SCHEDULE} == set(WarningKind.values)


def test_a_message_written_otherwise_stays_as_stored(compiled):  # noqa: F811
    """Messages stored before their sentence existed, or by hand, are shown as they are; a
    message cut at the column's length loses only its unreadable tail."""
    with translation.override("en"):
        assert ProjectWarning(kind=WarningKind.START_OVERDUE, message="计划开工，至今未开工").shown_message == "计划开工，至今未开工"
        assert ProjectWarning(kind=WarningKind.FLAGGED_FIGURES, message="测试").shown_message == "测试"
        long = text.SEPARATOR.join([text.APPROVAL_OVERDUE.zh(name="审批事项", days=30, limit=20, department="某局")] * 12)
        cut = ProjectWarning(kind=WarningKind.APPROVAL_OVERDUE, message=long[: text.MAX_LENGTH]).shown_message
        assert cut.endswith("(某局); …") and not CJK.search(cut.replace("审批事项", "").replace("某局", ""))


def test_the_refresh_writes_chinese_whatever_the_language_and_each_reads_in_english(compiled, dw):  # noqa: F811
    """The refresh run from an English request (a service called by a user of the English UI)
    stores the same Chinese messages as ever; each of them reads in English."""
    own, sibling, city, other = (dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level, dw.projects.other_city)
    Project.objects.filter(pk=own.pk).update(stage="preparation", planned_start=dt.date(2026, 1, 15), actual_start=None)
    assert DispatchConfig.get().zero_months == 3
    for period in (dw.p1, dw.p2, dw.p3):  # three approved months without investment
        report = MonthlyReport.objects.create(project=sibling, period=period, status="approved", invested_month=D(0))
    flag = rules.UNIT_SLIP.zh(month="3,200,000", usual="557", factor=10)
    ReportFlag.objects.create(report=report, code="unit_slip", severity="warning", message=flag)
    MonthlyReport.objects.create(
        project=other, period=dw.p3, status="submitted", invested_month=D(5), invested_ytd=D(5), invested_to_date=D(5), is_late=True
    )
    with translation.override("en"):
        refresh_periods(periods=[dw.p3])
    warnings = {(w.project_id, w.kind): w for w in ProjectWarning.objects.filter(period=dw.p3)}
    expected = {
        (own.pk, WarningKind.START_OVERDUE): "计划2026年01月开工，至今未开工",
        (sibling.pk, WarningKind.ZERO_INVESTMENT): "连续3个月完成投资为零",
        (sibling.pk, WarningKind.FLAGGED_FIGURES): flag,
        (city.pk, WarningKind.MISSING_REPORT): "2026年3月月报未报送",
        (other.pk, WarningKind.LATE_REPORT): "2026年3月月报迟报",
    }
    assert {key: warnings[key].message for key in expected} == expected
    assert {w.kind for w in warnings.values()} >= {WarningKind.BEHIND_SCHEDULE, WarningKind.LOW_PROGRESS_INDEX}
    for w in warnings.values():
        with translation.override("zh-hans"):
            assert w.shown_message == w.message
        with translation.override("en"):
            assert not CJK.search(w.shown_message), (w.kind, w.shown_message)


def _all_kinds(dw):
    """One stored warning of every kind (several projects and periods: one per kind and period)."""
    projects = [dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level]
    periods = [dw.p1, dw.p2, dw.p3]
    slots = [(p, per) for per in periods for p in projects]
    for (kind, message, value, _english), (project, period) in zip(
        [c for i, c in enumerate(CASES) if c[0] != WarningKind.FLAGGED_FIGURES or i == 6], slots, strict=False
    ):
        ProjectWarning.objects.create(project=project, period=period, kind=kind, message=message, value=value)


def _names(dw) -> list[str]:
    """The proper nouns a warnings row shows (projects, regions, units, leaders, approvals)."""
    projects = Project.objects.filter(pk__in=[p.pk for p in vars(dw.projects).values()])
    names = [p.name for p in projects]
    names += [r.name for r in Region.objects.filter(pk__in=projects.values("region_id"))]
    names += [p.responsible_unit.name for p in projects if p.responsible_unit]
    names += [p.sponsor_leader.name for p in projects if p.sponsor_leader]
    names += ["用地预审与选址意见书", "节能审查", "济南市自然资源和规划局", "济南市发展和改革委员会"]
    return sorted(set(names), key=len, reverse=True)


def test_the_english_warnings_list_shows_no_chinese_but_names(compiled, client, dw):  # noqa: F811
    _all_kinds(dw)
    client.force_login(dw.users.city)
    url = reverse("dispatch:warnings") + "?period=all"  # every month (the list defaults to the latest)
    zh = client.get(url).content.decode()
    for _kind, message, _value, _english in CASES[:7] + CASES[10:]:
        assert message in zh  # the Chinese UI shows what is stored
    _switch_to_english(client)
    results = client.get(url, HTTP_HX_REQUEST="true").content.decode()  # the list's own part (rows, counts, pager)
    assert results.count('data-testid="warning-row"') == 9
    for _kind, _message, _value, english in CASES[:7] + CASES[10:]:
        assert english.replace("'", "&#x27;") in results
    rest = results
    for name in _names(dw):
        rest = rest.replace(name, "")
    assert not CJK.findall(rest), sorted(set(CJK.findall(rest)))
    # the page's description column is the wide text column (app.css: kp-col-text)
    assert results.count('class="kp-col-text"') == 10  # its header and each row


def test_the_list_says_every_row_without_a_query_per_row(compiled, client, dw):  # noqa: F811
    client.force_login(dw.users.city)
    _switch_to_english(client)
    url = reverse("dispatch:warnings") + "?period=all"  # every month (the list defaults to the latest)
    ProjectWarning.objects.create(project=dw.projects.own_county, period=dw.p1, kind=WarningKind.NEED_OVERDUE, message=NEEDS, value=2)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _all_kinds(dw)
    client.get(url)  # the 审批事项 catalogue's English names: read once, then cached (core.localized.english_names)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('data-testid="warning-row"') == 10
    assert len(many.captured_queries) == len(one.captured_queries)
