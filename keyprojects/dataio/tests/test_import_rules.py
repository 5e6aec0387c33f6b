"""The importer checks thousands of reports from memory; ``dispatch.services.report_checks`` checks
one report with queries. Same rules, held side by side here on the same cases, so a change to
one that is not made to the other fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keyprojects.dataio.services import report_checks_in_memory
from keyprojects.dispatch.models import DispatchConfig, MonthlyReport
from keyprojects.dispatch.selectors import period_end, previous_reports
from keyprojects.dispatch.services import _derive, period_get_or_open, report_checks
from keyprojects.projects.models import Project

D = Decimal


def in_memory(report: MonthlyReport) -> list[tuple[str, str, str]]:
    project, period = report.project, report.period
    prev = list(previous_reports(project=project, period=period))
    same_year = [r for r in prev if r.period.year == period.year]
    return report_checks_in_memory(
        month=report.invested_month,
        ytd=report.invested_ytd,
        to_date=report.invested_to_date,
        pct=report.physical_progress_pct,
        period=(period.year, period.month),
        period_end=period_end(period),
        prev_ytd=same_year[0].invested_ytd if same_year else None,
        history=[r.invested_month for r in prev if r.invested_month > 0][:6],
        total_investment=project.total_investment,
        stage=project.stage,
        actual_start=project.actual_start,
        actual_completion=project.actual_completion,
        slip_factor=DispatchConfig.get().slip_factor,
    )


def make(project: Project, months: list[str], **report: Any) -> MonthlyReport:
    """Reports for Jan..N-1 with ``months``, and month N (unsaved, derived) with ``report``."""
    for i, amount in enumerate(months, 1):
        r = MonthlyReport(project=project, period=period_get_or_open(year=2026, month=i), invested_month=D(amount))
        _derive(r)
        r.save()
    last = MonthlyReport(project=project, period=period_get_or_open(year=2026, month=len(months) + 1), **report)
    _derive(last)
    return last


CASES: list[tuple[str, dict[str, Any], list[str], dict[str, Any]]] = [
    ("clean", {"stage": "construction", "actual_start": dt.date(2025, 1, 1)}, ["10", "12"], {"invested_month": D("11")}),
    ("above total", {"stage": "construction", "total_investment": D("30")}, ["10", "12"], {"invested_month": D("11")}),
    ("unit slip high", {"stage": "construction"}, ["10", "12", "9", "11"], {"invested_month": D("150")}),
    ("unit slip low", {"stage": "construction"}, ["100", "120", "90"], {"invested_month": D("5")}),
    ("100% without start", {"stage": "construction"}, [], {"invested_month": D("1"), "physical_progress_pct": D("100")}),
    ("reserve", {"stage": "reserve"}, [], {"invested_month": D("3")}),
    ("start after period", {"stage": "construction", "actual_start": dt.date(2026, 9, 1)}, ["0"], {"invested_month": D("3")}),
    (
        "completion before start",
        {"stage": "construction", "actual_start": dt.date(2025, 5, 1), "actual_completion": dt.date(2025, 4, 1)},
        [],
        {"invested_month": D("1")},
    ),
    ("zero month", {"stage": "reserve", "total_investment": D("1")}, ["5"], {"invested_month": D("0")}),
]


@pytest.mark.parametrize(("label", "project_fields", "months", "report"), CASES, ids=[c[0] for c in CASES])
def test_same_rules_as_report_checks(world, label, project_fields, months, report):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(**project_fields)
    p.refresh_from_db()
    r = make(p, months, **report)
    assert in_memory(r) == report_checks(r)


def test_ytd_falling_is_the_same_error(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="construction")
    p.refresh_from_db()
    r = make(p, ["10", "20"], invested_month=D("1"))
    MonthlyReport.objects.filter(project=p, period__month=2).update(invested_ytd=D("500"), invested_to_date=D("500"))
    expected = report_checks(r)
    assert expected[0][0] == "ytd_falling"
    assert in_memory(r) == expected
