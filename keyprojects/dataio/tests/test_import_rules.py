"""One rule for the submission checks: ``dispatch.services.report_checks`` reads a report's
history and calls the pure ``report_checks_from``; the importer calls ``report_checks_from``
with the history it preloaded for the whole file. Here both paths meet the same cases and must
produce the same flags (the importer's errors, or the ReportFlag rows it writes)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from keyprojects.dataio.services import import_parsed
from keyprojects.dataio.types import FIELD_LABELS, ParsedRow, ParseResult
from keyprojects.dispatch.models import MonthlyReport, ReportFlag
from keyprojects.dispatch.services import _derive, period_get_or_open, report_checks
from keyprojects.projects.models import Project

D = Decimal
_sha = itertools.count(1)


def make(project: Project, months: list[str], **report: Any) -> MonthlyReport:
    """Submitted (counted) reports for Jan..N-1 with ``months``, and month N (unsaved, derived) with ``report``, its
    amounts in 万元 with 4 places as ``report_save`` stores them."""
    for i, amount in enumerate(months, 1):
        r = MonthlyReport(project=project, period=period_get_or_open(year=2026, month=i), invested_month=D(amount), status="submitted")
        _derive(r)
        r.save()
    report["invested_month"] = report["invested_month"].quantize(D("0.0001"))
    last = MonthlyReport(project=project, period=period_get_or_open(year=2026, month=len(months) + 1), **report)
    _derive(last)
    return last


def imported(user: Any, project: Project, report: MonthlyReport) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Import ``report``'s month for ``project`` as a file row would: (error messages, flags written)."""
    values: dict[str, Any] = {"name": project.name, "invested_month": report.invested_month}
    if report.physical_progress_pct is not None:
        values["physical_progress_pct"] = report.physical_progress_pct
    row = ParsedRow(sheet="Sheet1", row=4, values=values, cells={k: (FIELD_LABELS[k], str(v)) for k, v in values.items()})
    period = (report.period.year, report.period.month)
    result = ParseResult(sheet="Sheet1", header_rows=(3,), columns={k: FIELD_LABELS[k] for k in values}, period=period, rows=[row])
    out = import_parsed(user=user, results=[result], filename="t.xlsx", sha256=f"rules-{next(_sha)}")
    flags = list(
        ReportFlag.objects.filter(report__project=project, report__period=report.period)
        .order_by("pk")
        .values_list("code", "severity", "message")
    )
    return [e.message for e in out.errors], flags


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
def test_import_and_submit_give_the_same_flags(world, label, project_fields, months, report):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(**project_fields)
    p.refresh_from_db()
    r = make(p, months, **report)
    expected = report_checks(r)
    errors, flags = imported(world.users.county, p, r)
    if label == "completion before start":
        # the importer validates the project row first (Project.clean), with the model's message
        assert errors == ["实际竣工日期不能早于实际开工日期"] and expected[-1][0] == "dates_out_of_order"
        assert not MonthlyReport.objects.filter(project=p, period=r.period).exists()
    elif any(sev == "error" for _c, sev, _m in expected):
        assert errors == [m for _c, sev, m in expected if sev == "error"]
        assert not MonthlyReport.objects.filter(project=p, period=r.period).exists()
    else:
        assert errors == []
        assert flags == [(c, str(sev), m) for c, sev, m in expected]


def test_ytd_falling_is_the_same_error(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="construction")
    p.refresh_from_db()
    r = make(p, ["10", "20"], invested_month=D("1"))
    MonthlyReport.objects.filter(project=p, period__month=2).update(invested_ytd=D("500"), invested_to_date=D("500"))
    expected = report_checks(r)
    assert expected[0][0] == "ytd_falling"
    errors, _flags = imported(world.users.county, p, r)
    assert errors == [expected[0][2]]
