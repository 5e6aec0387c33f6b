"""An import hands the rows of the projects it created to the refresh action
(``analytics.refresh.Written``) instead of the refresh reading them back (ADR 0010). What it
hands over must be exactly what the refresh would read: checked here, for every year the
refresh covers, over real files (a list, month columns, remarks and years, an earlier year
carried into the next), with the province's other projects read from the database beside them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keyprojects.analytics import refresh
from keyprojects.dataio.services import import_file
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.projects.models import Project

from .test_import_files import GOOD, HEADERS, workbook
from .test_import_round2 import FILES


def _plain(value: Any) -> Any:
    """Values as comparable data; a Decimal by its text, so that 5000 and 5000.0000 differ."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _inputs(inputs: Any) -> dict[str, Any]:
    return {
        "projects": _plain(inputs.projects),
        "years": _plain(inputs.years),
        "own_plans": _plain(inputs.own_plans),
        "reports": _plain(inputs.reports),
        "counted_before_year": _plain(inputs.counted_before_year),
        "flags": inputs.flags,
        "approvals": sorted(inputs.approvals.approvals),
        "needs": sorted(inputs.approvals.needs),
        "moves": inputs.moves,  # (new projects: none; read back, the same)
    }


@pytest.fixture
def compared(monkeypatch):
    """Every refresh an import asks for, with ``written``: the inputs as handed over and as read
    back, for each year the refresh covers and for two sets of projects (the whole province, the
    new projects alone)."""
    seen: list[dict[str, Any]] = []
    real = refresh.refresh_after

    def spy(**kw: Any) -> int:
        written = kw.get("written")
        if written is not None and written.projects:
            first = kw["from_period"]
            for year in sorted(set(ReportingPeriod.objects.filter(year__gte=first.year).values_list("year", flat=True))):
                months = sorted(ReportingPeriod.objects.filter(year=year).values_list("month", flat=True))
                for projects in (Project.objects.all(), Project.objects.filter(pk__in=list(written.projects))):
                    handed = _inputs(refresh._load(year, months, projects, written))
                    read = _inputs(refresh._load(year, months, projects))
                    seen.append({"year": year, "new": len(written.projects), "handed": handed, "read": read, "written": written})
        return real(**kw)

    monkeypatch.setattr(refresh, "refresh_after", spy)
    return seen


def _assert_same(seen: list[dict[str, Any]]) -> None:
    assert seen, "the import handed no rows to the refresh"
    for case in seen:
        for key in case["read"]:
            handed, read = case["handed"][key], case["read"][key]
            if isinstance(read, dict) and handed != read:
                diff = {k: (handed.get(k), read.get(k)) for k in set(handed) | set(read) if handed.get(k) != read.get(k)}
                raise AssertionError((case["year"], key, diff))
            assert handed == read, (case["year"], key)


@pytest.mark.django_db
@pytest.mark.parametrize("exclude_max", [refresh.EXCLUDE_MAX, 0])  # 0: the new projects read with the others, then replaced
def test_a_county_list_hands_over_what_the_refresh_reads(world, compared, monkeypatch, exclude_max):
    monkeypatch.setattr(refresh, "EXCLUDE_MAX", exclude_max)
    others = Project.objects.count()
    out = import_file(user=world.users.county, data=workbook(GOOD), filename="历下区1-6月.xlsx")
    assert out.written and out.created
    _assert_same(compared)
    assert others and all(len(c["read"]["projects"]) >= c["new"] for c in compared)
    assert any(len(c["read"]["projects"]) > c["new"] for c in compared)  # the others were read beside them


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["round2_city_list.xlsx", "round2_month_columns.xlsx", "round2_remarks_years.xlsx"])
def test_city_files_hand_over_what_the_refresh_reads(world, compared, name):
    from keyprojects.dispatch.services import period_get_or_open

    for month in range(1, 7):  # the files' year on the system: the refresh covers its months
        period_get_or_open(year=2024, month=month)
    out = import_file(user=world.users.city, data=(FILES / name).read_bytes(), filename=name)
    assert out.written and out.created, out.errors[:3]
    _assert_same(compared)


@pytest.mark.django_db
def test_month_columns_hand_over_every_month_and_its_flags(world, compared):
    out = import_file(user=world.users.city, data=(FILES / "round2_month_columns.xlsx").read_bytes(), filename="months.xlsx")
    assert out.written
    written = compared[0]["written"]
    assert any(len(months) > 1 for by_project in written.reports.values() for months in by_project.values())
    _assert_same(compared)


@pytest.mark.django_db
def test_a_project_still_in_reserve_hands_over_its_report_flag(world, compared):
    headers = [*HEADERS, "项目阶段"]
    rows = [[*row, stage] for row, stage in zip(GOOD, ("谋划储备", "在建", "在建"), strict=True)]
    out = import_file(user=world.users.county, data=workbook(rows, headers=headers), filename="历下区1-6月.xlsx")
    assert out.written and out.created, out.errors[:3]
    written = compared[0]["written"]
    assert any("谋划储备" in m for by_report in written.flags.values() for m in by_report.values())
    _assert_same(compared)


@pytest.mark.django_db
def test_a_year_carried_into_the_next_counts_as_before(world, compared):
    """A list of last year while this year's months are open: the refresh covers them too, and
    there the imported months count as 'counted before the year'."""
    from keyprojects.dispatch.services import period_get_or_open

    for month in (1, 2):
        period_get_or_open(year=2026, month=month)
    title = "2025年历下区重点项目建设进展情况表（1-6月）"
    headers = [h.replace("2026", "2025") for h in HEADERS]
    data = workbook(GOOD, title=title, headers=headers)
    out = import_file(user=world.users.county, data=data, filename="历下区2025年1-6月.xlsx")
    assert out.written, out.errors[:3]
    later = [c for c in compared if c["year"] == 2026]
    assert later and any(c["read"]["counted_before_year"] for c in later)
    _assert_same(compared)
