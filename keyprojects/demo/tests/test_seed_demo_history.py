"""The demo's past months are a history the projects could have had: a month's figures count a
project in the stage it had at that month's end (its life-cycle events say which), nothing is
invested before a project starts, a project reports only from when it is in 前期手续 and is in
the figures only from when it exists. Found on the demo, where every past month used the stage
of today: a project that started in September was 开工建设 in January's figures (and warned
连续零投资 for the months before it started), one in 前期手续 reported 前期费用 as 完成投资, and
most of the 前期 projects had reported while their history still said 谋划储备."""

from __future__ import annotations

import bisect
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.core.testing import data_for_the_module
from keyprojects.dispatch.models import MonthlyReport, ProjectWarning, ReportingPeriod
from keyprojects.dispatch.selectors import DUE_STAGES, due_projects, period_end
from keyprojects.projects.models import Project, ProjectEvent

# A whole past year and ten months: projects start, complete and go into production in between
# (seed 17: among them a project 退库 from 前期手续 and projects 停缓建 during those months).
YEAR, MONTH, MONTHS = 2024, 10, 22


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> Iterator[None]:
    def seed() -> None:
        opts = {"projects": 300, "seed": 17, "year": YEAR, "month": MONTH, "months": MONTHS, "verbosity": 0, "interactive": False}
        call_command("seed_demo", stdout=io.StringIO(), **opts)

    yield from data_for_the_module(django_db_blocker, seed)


@pytest.fixture
def seeded(_seeded_once, db) -> None:
    return None


def histories() -> dict[int, tuple[list[dt.date], list[str]]]:
    """project → (days, stage entered that day), oldest first, from its life-cycle events."""
    out: dict[int, tuple[list[dt.date], list[str]]] = defaultdict(lambda: ([], []))
    for pid, at, stage in ProjectEvent.objects.order_by("at", "id").values_list("project_id", "at", "to_stage"):
        days, stages = out[pid]
        days.append(timezone.localtime(at).date())
        stages.append(stage)
    return out


def stage_on(history: tuple[list[dt.date], list[str]], day: dt.date) -> str | None:
    """The stage the history gives at the end of ``day`` (None: the project did not exist yet)."""
    days, stages = history
    i = bisect.bisect_right(days, day)
    return stages[i - 1] if i else None


def test_a_months_figures_count_the_stage_the_project_had_then(seeded):
    history = histories()
    projects = Project.objects.in_bulk()
    ends = {p.pk: period_end(p) for p in ReportingPeriod.objects.all()}
    facts = list(ProjectPeriodFact.objects.values_list("project_id", "period_id", "stage", "started", "completed"))
    assert len(ends) == MONTHS and len(facts) > 300 * MONTHS / 3
    changed = 0  # months counted in another stage than the project's of today
    for pid, period_id, stage, started, completed in facts:
        p, end = projects[pid], ends[period_id]
        then = stage_on(history[pid], end)
        assert then is not None, (p.name, end)  # it existed at the month's end
        assert stage == then, (p.name, end, stage, then)  # (投产, 停缓建 and 退库 too: from the day of their events)
        # the stage agrees with the month's own figures of 开工 and 竣工
        assert started or stage in ("reserve", "preparation", "suspended", "cancelled"), (p.name, end, stage)
        assert completed or stage not in ("completed", "production", "effective"), (p.name, end, stage)
        changed += stage != p.stage
    assert changed > len(facts) / 20  # (the demo's projects do move on: this is no test of today's stages)


def test_projects_report_from_their_preparation_and_invest_from_their_start(seeded):
    history = histories()
    reports = MonthlyReport.objects.select_related("project", "period")
    assert reports.count() > 1000
    invested = 0
    for r in reports:
        p, end = r.project, period_end(r.period)
        start = dt.date(end.year, end.month, 1)
        # in 前期手续 or later all that month, as its history says (a 谋划储备 project is not due)
        assert stage_on(history[p.pk], start - dt.timedelta(days=1)) in DUE_STAGES, (p.name, r.period)
        if r.invested_month > 0:  # no 完成投资 before the month it started (dispatch.rules.report_checks refuses it)
            assert p.actual_start is not None and p.actual_start <= end, (p.name, r.period, r.invested_month)
            invested += 1
    assert invested > reports.count() / 2


def test_no_zero_investment_warning_before_a_start_and_overdue_starts_warned(seeded):
    ends = {p.pk: period_end(p) for p in ReportingPeriod.objects.all()}
    projects = Project.objects.in_bulk()
    overdue = 0
    for pid, period_id, kind in ProjectWarning.objects.filter(kind__in=("zero_investment", "start_overdue")).values_list(
        "project_id", "period_id", "kind"
    ):
        p, end = projects[pid], ends[period_id]
        if kind == "zero_investment":  # 连续零投资 is of a project under construction that month
            assert p.actual_start is not None and p.actual_start <= end and not (p.actual_completion and p.actual_completion <= end)
        else:  # 逾期未开工: planned to start by then, not started by then (whether it started since or not)
            assert p.planned_start <= end and not (p.actual_start and p.actual_start <= end), (p.name, end)
            overdue += p.actual_start is not None
    assert overdue  # a project that started late was warned in the months it was late


def test_every_event_has_the_day_it_happened(seeded):
    """The demo's events carry their day (``ProjectEvent.on_date``), never after they were entered."""
    rows = list(ProjectEvent.objects.values_list("on_date", "at"))
    assert rows and all(on is not None and on <= timezone.localtime(at).date() for on, at in rows)


def test_no_project_is_due_in_a_month_the_demo_did_not_mean_it_to_report(seeded):
    """The demo reports for no 退库 project: one 退库 from 前期手续 is 退库 by the end of the first
    month it is listed in (before it, in 前期手续, it would be due and 未报: a month's stage is read
    from the changes dated after it). And the 调度 board's due projects
    (``dispatch.selectors.due_projects``) are the facts' due projects, month by month."""
    cancelled = Project.objects.filter(stage="cancelled")
    assert cancelled.filter(events__kind="cancelled", events__from_stage="preparation").exists()
    assert not MonthlyReport.objects.filter(project__in=cancelled).exists()
    assert not ProjectPeriodFact.objects.filter(project__stage__in=("cancelled", "reserve"), report_due=True).exists()
    suspended = 0
    for period in ReportingPeriod.objects.all():
        facts = ProjectPeriodFact.objects.filter(period=period)
        due = set(facts.filter(report_due=True).values_list("project_id", flat=True))
        assert set(due_projects(period=period).values_list("pk", flat=True)) == due, period
        suspended += facts.filter(project__stage="suspended").exclude(stage="suspended").count()
    assert suspended  # (停缓建 during the months: in its former stage before, and due throughout)
