"""import_file/import_parsed on hand-made ParseResults: matching, validation, writes, counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from keyprojects.dataio.models import ImportBatch, ImportStatus
from keyprojects.dataio.services import import_parsed
from keyprojects.dataio.types import FIELD_LABELS, ParsedRow, ParseResult
from keyprojects.dispatch.models import MonthlyReport, ReportStep
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

D = Decimal


def prow(n: int, sheet: str = "Sheet1", **values: Any) -> ParsedRow:
    cells = {k: (FIELD_LABELS.get(k, k), str(v)) for k, v in values.items()}
    return ParsedRow(sheet=sheet, row=n, values=values, cells=cells)


def presult(rows: list[ParsedRow], period: tuple[int, int] | None = (2026, 6), sheet: str = "Sheet1") -> ParseResult:
    columns: dict[str, str] = {}
    for r in rows:
        for k in r.values:
            columns.setdefault(k, FIELD_LABELS.get(k, k))
    return ParseResult(sheet=sheet, header_rows=(3,), columns=columns, period=period, rows=rows)


def run(user, rows, **kw):
    kw.setdefault("sha256", f"sha-{id(rows)}")
    return import_parsed(user=user, results=[presult(rows, period=kw.pop("period", (2026, 6)))], filename="t.xlsx", **kw)


def test_county_imports_new_projects_with_figures(world):
    u = world.users.county
    rows = [
        prow(
            4, name="新项目甲", total_investment=D("5000"), annual_plan=D("1200"), invested_ytd=D("300"), nature="续建", category="产业项目"
        ),
        prow(5, name="新项目乙", total_investment=D("800"), annual_plan=D("600"), invested_ytd=D("0"), nature="新开工"),
    ]
    out = run(u, rows)
    assert out.errors == [], out.errors
    assert (out.rows, out.created, out.updated) == (2, 2, 0)
    a = Project.objects.get(name="新项目甲")
    assert a.region_id == "370102" and a.stage == "construction" and a.nature == "continuing" and a.created_by == u
    assert ProjectYear.objects.get(project=a, year=2026).annual_plan == D("1200")
    assert ProjectYear.objects.get(project=a, year=2026).on_county_list
    r = MonthlyReport.objects.get(project=a)
    assert (r.period.year, r.period.month, r.status, r.invested_month, r.invested_ytd) == (2026, 6, "submitted", D("300"), D("300"))
    assert r.submitted_by == u and r.pending_level == "county"
    assert ReportStep.objects.filter(report=r, action="submit").count() == 1
    assert ProjectEvent.objects.filter(project=a, kind="created").count() == 1
    b = ImportBatch.objects.get()
    assert b.status == ImportStatus.IMPORTED and b.created_count == 2 and b.rows == 2
    assert out.totals == {"total_investment": "5800.0000", "annual_plan": "1800.0000", "invested_ytd": "300.0000"}
    # the same rows again (another file): matched by name + region, nothing duplicated
    out2 = run(u, rows, sha256="other")
    assert out2.errors == [], out2.errors
    assert (out2.created, out2.updated, out2.unchanged) == (0, 0, 2)
    assert Project.objects.filter(name="新项目甲").count() == 1
