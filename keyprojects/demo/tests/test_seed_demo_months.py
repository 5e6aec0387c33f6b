"""``seed_demo --months``: reporting periods, monthly reports, their review and the summary tables.

Seeded for 2023-01 … 2024-02 (``--year 2024 --month 2 --months 14``): a whole closed year and an
open month. The figures must follow the rules of the dispatch services (domain.md §3) and the
summary tables must be what the analytics services compute.
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.services import facts_refresh, summaries_refresh, warnings_compute
from keyprojects.core.testing import data_for_the_module
from keyprojects.demo import SEASON, STEP_MONTHS, demo_digest
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import (
    DispatchConfig,
    MonthlyPlan,
    MonthlyReport,
    PeriodClosure,
    ProblemItem,
    ProjectWarning,
    ReportFlag,
    ReportingPeriod,
    ReportStep,
)
from keyprojects.dispatch.selectors import DUE_STAGES, fill_window, period_end
from keyprojects.dispatch.services import report_checks, review_chain_for
from keyprojects.projects.models import Project, ProjectYear

YEAR, MONTH, MONTHS = 2024, 2, 14
N = 300


def seed(**options: object) -> str:
    out = io.StringIO()
    opts = {"projects": N, "seed": 7, "year": YEAR, "month": MONTH, "months": MONTHS, "verbosity": 0, "interactive": False}
    call_command("seed_demo", stdout=out, **{**opts, **options})
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo seeded once for the module's tests that read it (each test's changes roll back)."""
    yield from data_for_the_module(django_db_blocker, seed)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def periods() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.order_by("year", "month"))


def test_same_seed_same_reports_whatever_the_batch_size(db):
    seed()
    first = demo_digest()
    reports = list(MonthlyReport.objects.order_by("id").values_list("project__name", "period__month", "status", "invested_month"))
    seed(reset=True, batch_size=100)
    assert demo_digest() == first
    assert list(MonthlyReport.objects.order_by("id").values_list("project__name", "period__month", "status", "invested_month")) == reports
    seed(reset=True, months=13)
    assert demo_digest() != first


def test_months_zero_and_bounds(db):
    out = seed(months=0)
    assert "未生成月报" in out
    assert not ReportingPeriod.objects.exists() and not MonthlyReport.objects.exists()
    with pytest.raises(CommandError, match="月份数"):
        seed(reset=True, months=15)


def test_default_is_last_year_and_this_year(db):
    out = seed(months=None, projects=60)
    assert ReportingPeriod.objects.count() == 12 + MONTH
    assert "2023-01 至 2024-02" in out and MonthlyReport.objects.exists()


def test_periods_months_and_closures(seeded):
    ps = periods()
    assert [(p.year, p.month) for p in ps] == [(2023, m) for m in range(1, 13)] + [(2024, 1), (2024, 2)]
    *closed, current = ps
    for p in closed:
        assert p.status == "closed" and p.closed_at and PeriodClosure.objects.filter(period=p, region_id="370000").exists()
    assert current.status == "open" and not PeriodClosure.objects.filter(period=current).exists()
    assert all((p.fill_start, p.fill_end) == fill_window(p.year, p.month) for p in ps)
    assert DispatchConfig.get().plan_spread == list(SEASON)  # the demo's seasonal default spread
    # every period has facts for the projects on that year's lists, and region summaries
    for p in ps:
        listed = ProjectYear.objects.filter(year=p.year).count()
        assert ProjectPeriodFact.objects.filter(period=p).count() == listed
        summaries = RegionPeriodSummary.objects.filter(period=p)
        assert summaries.filter(region_id="370000").exists() and summaries.filter(region_id="370100").exists()
        assert all(s.frozen for s in summaries) == (p.status == "closed")


def test_reports_follow_the_cumulative_rule_and_the_constraints(seeded):
    listed = set(ProjectYear.objects.values_list("project_id", "year"))
    projects = {p.pk: p for p in Project.objects.all()}
    by_project = defaultdict(list)
    for r in MonthlyReport.objects.select_related("period").order_by("period__year", "period__month"):
        by_project[r.project_id].append(r)
    assert sum(map(len, by_project.values())) > 0.6 * N * MONTHS / 2
    for pid, reports in by_project.items():
        p = projects[pid]
        assert p.stage in DUE_STAGES, p.name
        assert p.created_at.date() < min(period_end(r.period) for r in reports), p.name
        total = Decimal(0)
        for year, group in itertools.groupby(reports, key=lambda r: r.period.year):
            ytd = Decimal(0)
            before = None
            for r in group:
                assert (pid, year) in listed
                assert r.invested_month >= 0 and r.invested_ytd >= r.invested_month and r.invested_to_date >= r.invested_ytd
                assert r.physical_progress_pct is None or 0 <= r.physical_progress_pct <= 100
                assert not r.no_activity or (r.invested_month == 0 and r.no_activity_reason)
                if p.actual_start and p.actual_start > period_end(r.period):  # started later: nothing before
                    assert r.invested_month == 0
                # a report states the counted months before it plus its own (ADR 0011)
                assert r.invested_ytd == ytd + r.invested_month, (p.name, r.period)
                assert r.invested_to_date == p.invested_before + total + r.invested_month, (p.name, r.period)
                if r.status in ("submitted", "approved"):
                    assert before is None or r.invested_ytd >= before  # the official figure never falls
                    before = r.invested_ytd
                    ytd += r.invested_month
                    total += r.invested_month
        approved = sum(r.invested_month for r in reports if r.status == "approved")
        assert p.invested_before + approved <= p.total_investment, p.name  # only unit slips (returned) exceed it


def test_review_states_follow_the_chain(seeded):
    current = periods()[-1]
    steps = defaultdict(list)
    for s in ReportStep.objects.order_by("at", "id"):
        steps[s.report_id].append(s)
    step_periods = {p.pk for p in periods()[-STEP_MONTHS:]}
    states = defaultdict(int)
    for r in MonthlyReport.objects.select_related("project", "period"):
        chain = review_chain_for(r.project, r.period.year)  # staffed by the accounts seeded (no filler has a login)
        if r.status == "draft":
            assert r.review_levels == [] and not r.submitted_at and not r.pending_level
        else:
            assert r.review_levels == chain and r.submitted_at
            assert r.is_late == (timezone.localtime(r.submitted_at).date() > r.period.fill_end)
        if r.status == "approved":
            assert r.pending_level == "" and r.review_step == len(chain) - 1 and r.approved_at >= r.submitted_at
        elif r.status == "submitted":
            assert r.pending_level == chain[r.review_step]
        elif r.status == "returned":
            assert r.return_opinion and r.pending_level == "" and r.review_step == 0
        if r.period.status == "closed":
            assert r.status in ("approved", "draft")
        else:
            states[r.status if r.status != "submitted" else f"pending_{r.pending_level}"] += 1
        history = steps.get(r.pk, [])
        assert bool(history) == (r.period_id in step_periods), r
        if history and r.status != "draft":
            last_submit = max(i for i, s in enumerate(history) if s.action == "submit")
            after = [s.action for s in history[last_submit + 1 :]]
            if r.status == "approved":
                assert after == ["forward"] * (len(chain) - 1) + ["approve"]
            elif r.status == "submitted":
                assert after == ["forward"] * r.review_step
            else:
                assert after[-1] == "return" and history[-1].opinion == r.return_opinion
            assert all(a.at <= b.at for a, b in itertools.pairwise(history))
    # (300 projects: 历下区, the one county with a county reviewer, has none waiting this month)
    assert {"approved", "pending_city", "pending_province", "returned", "draft"} <= set(states), states
    missing = Project.objects.filter(years__year=YEAR, stage__in=DUE_STAGES).exclude(reports__period=current).count()
    assert missing > 0  # the open month still has reports to chase


def test_every_pending_report_waits_for_someone_who_can_review_it(seeded):
    """A submitted report waits at a level an active account may review (``policy.can_review_report``
    at its pending level, the report in that account's review queue): the seeder's chains are
    staffed as ``report_submit``'s (``policy.staffed_review_levels``), so a county without a county
    account hands its step to the city (济南) or the province, never leaving a report nobody can
    review. Superusers, who may review anything, are left out: they would hide a stranded report."""
    from keyprojects.accounts import policy
    from keyprojects.accounts.models import User
    from keyprojects.dispatch.selectors import report_fillers, reports_for_review

    reviewers = [u for u in User.objects.filter(is_active=True, is_superuser=False) if policy.can_review(u)]
    queues = {u.pk: set(reports_for_review(user=u).values_list("pk", flat=True)) for u in reviewers}
    pending = list(MonthlyReport.objects.filter(status="submitted").select_related("project"))
    assert len(pending) > 20
    for r in pending:
        fillers = report_fillers(r)
        able = [u.username for u in reviewers if policy.can_review_report(u, r.pending_level, fillers) and r.pk in queues[u.pk]]
        assert able, (r.project.region_id, r.pending_level, r.review_levels)
    # the city and the province take the steps of the cities and counties without an account
    assert {r.pending_level for r in pending} >= {"city", "province"}
    assert {r.project.city_code for r in pending if r.pending_level == "city"} == {"370100"}
    assert {r.project.region_id for r in pending if r.pending_level == "county"} <= {"370102"}
    assert all(queues[u.pk] for u in reviewers if u.username in ("jinan", "province"))


def test_flags_are_the_checks_of_the_reports(seeded):
    """Every submitted report carries the warnings report_checks gives for it and none of its
    errors (they refuse a submission); reviewers who passed it on acknowledged them."""
    flags = defaultdict(set)
    for f in ReportFlag.objects.all():
        flags[f.report_id].add((f.code, f.severity, f.message))
        report = f.report
        if report.status == "approved" or (report.status == "submitted" and report.review_step > 0):
            assert f.acknowledged_at  # the first reviewer acknowledged before passing it on
        elif report.status == "submitted":
            assert f.acknowledged_at is None
    assert any(code == "unit_slip" for fs in flags.values() for code, _, _ in fs)
    flagged = MonthlyReport.objects.filter(pk__in=list(flags))
    sample = list(flagged) + list(MonthlyReport.objects.exclude(status="draft").exclude(pk__in=list(flags)).order_by("?")[:150])
    for r in sample:
        expected = {(c, s, m) for c, s, m in report_checks(r) if s == "warning"}
        assert not [c for c in report_checks(r) if c[1] == "error"], r
        assert flags.get(r.pk, set()) == expected, (r.project.name, r.period)
    # a figure in 元 (×10000) is an error that refuses the submission: it stays in a draft
    assert not MonthlyReport.objects.exclude(status="draft").filter(invested_to_date__gt=F("project__total_investment")).exists()


def test_seasonality(seeded):
    """2023 (a whole generated year): the Spring Festival dip and the year-end rush."""
    totals = dict(
        MonthlyReport.objects.filter(period__year=2023, status="approved", flags__isnull=True)
        .values_list("period__month")
        .annotate(s=Sum("invested_month"))
    )
    assert totals[2] < totals[3] and totals[2] < totals[1] * Decimal("1.2")
    assert totals[12] > totals[11]
    assert totals[2] < sum(totals.values()) / 12 * Decimal("0.7")  # the dip is deep


def test_problems_lagging_projects_and_no_activity(seeded):
    problems = list(ProblemItem.objects.select_related("responsible_unit", "report"))
    assert problems
    for item in problems:
        assert item.responsible_unit_id and item.due_date and item.description
        assert (item.status == "solved") == bool(item.solved_at) == bool(item.resolution)
        assert item.report is None or item.report.project_id == item.project_id
    assert any(item.status != "solved" for item in problems) and any(item.status == "solved" for item in problems)
    assert MonthlyReport.objects.exclude(problems="").exists()
    assert MonthlyReport.objects.filter(no_activity=True).exclude(no_activity_reason="").exists()
    # lagging projects: well behind 序时进度 at the end of 2023, with a warning when they reported
    # (an unreported month is 未报, not judged: dispatch.rules.lag_measured)
    december = ReportingPeriod.objects.get(year=2023, month=12)
    behind = ProjectWarning.objects.filter(period=december, kind="behind_schedule")
    started = ProjectPeriodFact.objects.filter(
        period=december, started=True, annual_plan__gt=0, report_due=True, report_state__in=rules.MEASURED_STATES
    )
    far_behind = [f for f in started if f.invested_ytd < f.annual_plan * Decimal("0.7")]
    assert len(far_behind) >= 0.04 * started.count()
    assert {f.project_id for f in far_behind} <= set(behind.values_list("project_id", flat=True))
    assert MonthlyPlan.objects.filter(year=YEAR).count() % 12 == 0 and MonthlyPlan.objects.exists()


def test_each_years_figures_hold_that_years_nature(seeded):
    """建设性质 per year (ADR 0004): last year's list gave each project the nature its schedule
    gave it then (新开工 in the year it was planned to start, 竣工投产 in the year it was planned
    to complete, 续建 between), this year's is the project's own; the figures of each year follow
    — last year's counted no 新开工 project at all when every year read today's nature."""
    from keyprojects.projects.choices import nature_in_year

    prev = YEAR - 1
    december = ReportingPeriod.objects.get(year=prev, month=12)
    facts = list(ProjectPeriodFact.objects.filter(period=december).select_related("project"))
    assert facts
    for f in facts:
        p = f.project
        start, done = p.planned_start or p.actual_start, p.planned_completion or p.actual_completion
        assert f.nature == nature_in_year(prev, start=start, completion=done), p.name
    new = [f for f in facts if f.nature == "new"]
    assert len(new) >= 10 and all(f.project.nature != "new" for f in new)  # 新开工 then, 续建 or 竣工投产 now
    province = RegionPeriodSummary.objects.get(period=december, region_id="370000")
    assert province.planned_new == len(new) and province.started_new >= 1
    assert not ProjectYear.objects.filter(year=YEAR).exclude(nature=F("project__nature")).exists()
    assert not ProjectPeriodFact.objects.filter(period__year=YEAR).exclude(nature=F("project__nature")).exists()


class Rollback(Exception):
    pass


@pytest.mark.parametrize("which", [0, 11, -1])
def test_summary_tables_are_what_the_services_compute(seeded, which):
    """The seeded facts, warnings and summaries (made by the refresh before the months were
    closed) equal a recomputation by facts_refresh / warnings_compute / summaries_refresh on the
    final data (closed periods reopened for it): closing changes no figure."""
    period = periods()[which]
    fact_cols = [f.attname for f in ProjectPeriodFact._meta.concrete_fields if f.attname != "id"]
    summary_cols = [f.attname for f in RegionPeriodSummary._meta.concrete_fields if f.attname not in ("id", "frozen")]

    def snapshot() -> tuple[list, list, list]:
        return (
            sorted(ProjectPeriodFact.objects.filter(period=period).values_list(*fact_cols)),
            sorted(ProjectWarning.objects.filter(period=period).values_list("project_id", "kind", "message", "value")),
            sorted(RegionPeriodSummary.objects.filter(period=period).values_list(*summary_cols)),
        )

    seeded_tables = snapshot()
    assert seeded_tables[0] and seeded_tables[1] and seeded_tables[2]
    try:
        with transaction.atomic():
            PeriodClosure.objects.filter(period=period).delete()
            ReportingPeriod.objects.filter(pk=period.pk).update(status="open")
            RegionPeriodSummary.objects.filter(period=period).update(frozen=False)
            period.refresh_from_db()
            facts_refresh(period=period)
            warnings_compute(period=period)
            summaries_refresh(period=period)
            recomputed = snapshot()
            raise Rollback
    except Rollback:
        pass
    assert seeded_tables[0] == recomputed[0]
    assert seeded_tables[1] == recomputed[1]
    assert seeded_tables[2] == recomputed[2]


def test_default_assessment_scheme_scores_the_closed_month(seeded, client):
    """双考核双评价 is ready to use in the demo: the default schemes are installed (and printed),
    the demo's province user has computed December (published) and January (not published),
    computes November on the page, and every city gets a score."""
    from django.urls import reverse

    from keyprojects.accounts.models import User
    from keyprojects.analytics.assessment import DEFAULT_INDICATORS, normalise_indicators
    from keyprojects.analytics.models import AssessmentScheme, AssessmentSnapshot

    assert "安装默认考核方案 2 个" in seeded
    schemes = {s.region_id: s for s in AssessmentScheme.objects.all()}
    assert set(schemes) == {"370000", "370100"}
    assert schemes["370000"].indicators == normalise_indicators(DEFAULT_INDICATORS)
    assert sum(Decimal(i["weight"]) for i in schemes["370000"].indicators) == 100
    client.force_login(User.objects.get(username="province"))
    assert "暂无考核方案" not in client.get(reverse("analytics:assessment")).content.decode()
    done = AssessmentSnapshot.objects.filter(scheme=schemes["370000"]).order_by("period__year", "period__month")
    assert [(s.period.label, s.published_at is not None) for s in done] == [(f"{YEAR - 1}-12", True), (f"{YEAR}-01", False)]
    resp = client.post(reverse("analytics:assessment_compute", args=[schemes["370000"].pk]), {"period": f"{YEAR - 1}-11"})
    assert resp.status_code == 302
    result = AssessmentSnapshot.objects.get(scheme=schemes["370000"], period__year=YEAR - 1, period__month=11).result
    assert len(result["units"]) == 16 and all(u["score"] is not None for u in result["units"])
    seed(reset=True)  # seeding again keeps the (possibly edited) schemes
    assert AssessmentScheme.objects.count() == 2
