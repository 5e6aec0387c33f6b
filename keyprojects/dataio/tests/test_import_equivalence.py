"""The same monthly figures entered through the form services and through an import leave
identical reports, steps, flags, facts and summaries (issue 9 item 6): both go through the one
set of monthly rules (``dispatch.rules``) and the one refresh action (``analytics.refresh``)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from keyprojects.core.testing import EXPLAINED
from keyprojects.dataio.services import import_parsed
from keyprojects.dataio.types import FIELD_LABELS, ParsedRow, ParseResult
from keyprojects.dispatch.models import MonthlyReport, ReportFlag, ReportStep
from keyprojects.dispatch.services import report_save, report_submit

D = Decimal
_sha = itertools.count(1)
# January..May: four ordinary months, then a figure typed in 元 (a unit-slip warning)
MONTHS = ["120", "80.5", "100", "95", "960000"]


class Rollback(Exception):
    pass


def snapshot(project: Any) -> dict[str, Any]:
    reports = list(
        MonthlyReport.objects.filter(project=project)
        .order_by("period__month")
        .values_list("period__month", "status", "invested_month", "invested_ytd", "invested_to_date", "review_levels", "pending_level")
    )
    steps = list(
        ReportStep.objects.filter(report__project=project)
        .exclude(action="save")  # a form keeps a draft first; the import has nothing to keep
        .order_by("report__period__month", "id")
        .values_list("report__period__month", "action", "level")
    )
    flags = list(
        ReportFlag.objects.filter(report__project=project)
        .order_by("report__period__month", "code")
        .values_list("code", "severity", "message")
    )
    facts = list(
        ProjectPeriodFact.objects.filter(project=project)
        .order_by("period__month")
        .values_list("period__month", "invested_month", "invested_ytd", "invested_to_date", "planned_ytd", "report_state")
    )
    regions = sorted(RegionPeriodSummary.objects.values_list("period__month", "region_id", "projects", "invested_ytd", "reports_in"))
    dims = sorted(
        DimensionPeriodSummary.objects.values_list("period__month", "region_id", "dimension", "key", "projects", "invested_ytd", "warned")
    )
    return {"reports": reports, "steps": steps, "flags": flags, "facts": facts, "regions": regions, "dims": dims}


def by_form(dw: Any) -> dict[str, Any]:
    p, county = dw.projects.own_county, dw.users.county
    for month, amount in enumerate(MONTHS, 1):
        from keyprojects.dispatch.services import period_get_or_open

        period = period_get_or_open(year=2026, month=month)
        report = report_save(user=county, project=p, period=period, data={"invested_month": amount})
        report_submit(user=county, report=report, reasons=EXPLAINED)  # the form asks a reason per warning; the import none
    return snapshot(p)


def by_import(dw: Any) -> dict[str, Any]:
    p, county = dw.projects.own_county, dw.users.county
    for month, amount in enumerate(MONTHS, 1):
        values = {"name": p.name, "invested_month": D(amount).quantize(D("0.0001"))}
        row = ParsedRow(sheet="Sheet1", row=4, values=values, cells={k: (FIELD_LABELS[k], str(v)) for k, v in values.items()})
        result = ParseResult(
            sheet="Sheet1", header_rows=(3,), columns={k: FIELD_LABELS[k] for k in values}, period=(2026, month), rows=[row]
        )
        out = import_parsed(user=county, results=[result], filename=f"{month}月.xlsx", sha256=f"equivalence-{next(_sha)}")
        assert not out.errors, out.errors
    return snapshot(p)


def run_and_roll_back(fn: Any, dw: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = fn(dw)
            raise Rollback
    except Rollback:
        pass
    return result


@pytest.mark.django_db
def test_form_and_import_leave_the_same_rows(dw):
    # the slip stays under the total investment (above it is an error since issue 10 §2)
    type(dw.projects.own_county).objects.filter(pk=dw.projects.own_county.pk).update(total_investment=D(2_000_000))
    dw.projects.own_county.refresh_from_db()
    form = run_and_roll_back(by_form, dw)
    assert not MonthlyReport.objects.exists()
    imported = run_and_roll_back(by_import, dw)
    assert form["reports"] and form["facts"] and form["regions"] and form["dims"]
    assert {c for c, _, _ in form["flags"]} == {"unit_slip"}
    for key in form:
        assert imported[key] == form[key], key
