"""The bulletin and the rankings at scale (ADR 0009, 2026-12 pages): 总体情况 read from the root's
region roll-up, the unreported projects counted and capped by the database, the problems counted
without their rows. Each is checked against the straightforward computation it replaced, on a
small ``seed_demo`` world, for the province and a city."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import transaction

from keyprojects.accounts.models import User
from keyprojects.analytics import metrics
from keyprojects.analytics.bulletin import UNREPORTED, bulletin_data, root_totals
from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.rankings import period_end_moment, problem_counts, problem_items, root_facts
from keyprojects.analytics.selectors import AGGREGATES, _figures
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import DispatchConfig, ProblemItem, ReportingPeriod
from keyprojects.regions.models import Region

SEED = {"projects": 150, "months": 3, "seed": 5, "year": 2026, "month": 5}


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO(), verbosity=0, **SEED)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_db, db) -> None:
    return None


def _periods() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.order_by("year", "month"))


CASES = [("province", "370000"), ("jinan", "370100"), (None, "370000")]


@pytest.mark.parametrize(("username", "root_code"), CASES)
def test_root_totals_equal_the_sums_of_the_facts(seeded, username, root_code):
    user = User.objects.get(username=username) if username else None
    root = Region.objects.get(code=root_code)
    for period in _periods():
        facts = root_facts(period=period, root=root, user=user)
        assert facts.exists()
        assert root_totals(period=period, root=root, user=user, facts=facts) == _figures(
            "total", facts.aggregate(**AGGREGATES), period.month
        )


def test_root_totals_without_a_roll_up_read_the_facts(seeded):
    """A unit's staff may not read region roll-ups: their totals come from the facts in scope."""
    user = User.objects.get(username="jinan_fgw")
    root, period = Region.objects.get(code="370000"), _periods()[-1]
    facts = root_facts(period=period, root=root, user=user)
    assert root_totals(period=period, root=root, user=user, facts=facts) == _figures("total", facts.aggregate(**AGGREGATES), period.month)


@pytest.mark.parametrize(("username", "root_code"), CASES)
@pytest.mark.parametrize("top_n", [1, 3, 1000])
def test_unreported_lists_equal_the_capped_python_lists(seeded, username, root_code, top_n):
    user = User.objects.get(username=username) if username else None
    root = Region.objects.get(code=root_code)
    child = "city_code" if root.level == "province" else "region_code"
    for period in _periods():
        data = bulletin_data(period=period, root=root, user=user, top_n=top_n)
        rows = sorted(
            (f for f in root_facts(period=period, root=root, user=user) if f.report_due and f.report_state in UNREPORTED),
            key=lambda f: (-f.annual_plan, f.project_id),
        )
        kept, totals = [], defaultdict(int)
        for f in rows:
            code = getattr(f, child)
            totals[code] += 1
            if totals[code] <= top_n:
                kept.append(f.project_id)
        assert [p.project_id for p in data.unreported] == kept
        assert data.unreported_total == len(rows)
        assert {c.code: (c.total, c.shown) for c in data.unreported_by_child} == {k: (n, min(n, top_n)) for k, n in totals.items()}
    assert any(f.report_state in UNREPORTED for f in ProjectPeriodFact.objects.all())  # the world has some to list


def test_each_fact_stores_the_points_metrics_gives(seeded):
    """The refresh stores each fact's ahead_points from metrics.py (the one rule): pages select
    "behind by more than N points" with it in SQL and get the figure the project page shows."""
    checked = 0
    for f in ProjectPeriodFact.objects.select_related("period"):
        assert f.ahead_points == metrics.ahead_points(metrics.completion_rate(f.invested_ytd, f.annual_plan), f.period.month)
        checked += f.ahead_points is not None
    assert checked > 100


@pytest.mark.parametrize(("username", "root_code"), CASES)
@pytest.mark.parametrize(("top_n", "behind"), [(1, "10"), (3, "0"), (1000, "-20"), (2, "5.5")])
def test_lagging_lists_equal_the_python_judgement(seeded, username, root_code, top_n, behind):
    """三、进度滞后: the database's pick equals judging every reported fact in Python with
    metrics.py, most behind first (then the largest annual plan), capped per child."""
    DispatchConfig.objects.update(behind_points=D(behind))
    user = User.objects.get(username=username) if username else None
    root = Region.objects.get(code=root_code)
    child = "city_code" if root.level == "province" else "region_code"
    for period in _periods():
        data = bulletin_data(period=period, root=root, user=user, top_n=top_n)
        rows = []
        for f in root_facts(period=period, root=root, user=user):
            points = metrics.ahead_points(metrics.completion_rate(f.invested_ytd, f.annual_plan), period.month)
            if rules.lag_measured(f.report_state) and points is not None and points < -D(behind):
                rows.append((points, -f.annual_plan, f.project_id, getattr(f, child)))
        rows.sort()
        kept, totals = set(), defaultdict(int)
        for points, _plan, pid, code in rows:
            totals[code] += 1
            if totals[code] <= top_n:
                kept.add((pid, points))
        assert {(p.project_id, p.points) for p in data.lagging} == kept
        assert data.lagging_total == len(rows)
        assert {c.code: (c.total, c.shown) for c in data.lagging_by_child} == {k: (n, min(n, top_n)) for k, n in totals.items()}
        assert [(p.points, p.name, p.project_id) for p in data.lagging] == sorted((p.points, p.name, p.project_id) for p in data.lagging)
        for p in data.lagging:
            assert p.rate == metrics.completion_rate(p.invested_ytd, p.annual_plan)
    if behind == "10" and username == "province":
        assert data.lagging_total > 0  # the world has some to list


@pytest.mark.parametrize("behind", ["10", "0", "5.5"])
def test_the_project_list_lag_filters_judge_as_metrics_does(seeded, behind):
    """The project list's 与序时进度比较 filters (落后 / 落后超过预警阈值 / 达到或超过) pick exactly
    the projects whose figure of the period metrics.py puts there: the one rule the bulletin,
    the warnings and the project page use (持平, 0.00 points, is not behind)."""
    from keyprojects.projects.selectors import project_list

    DispatchConfig.objects.update(behind_points=D(behind))
    user = User.objects.get(username="province")
    for period in _periods():
        facts = ProjectPeriodFact.objects.filter(period=period)
        points = {f.project_id: metrics.ahead_points(metrics.completion_rate(f.invested_ytd, f.annual_plan), period.month) for f in facts}
        judged = {f.project_id for f in facts if rules.lag_measured(f.report_state)}  # (lagging: among the reported)

        def listed(lag: str, label: str = period.label) -> set[int]:
            qs, _f = project_list(user=user, params={"period": label, "lag": lag})
            return set(qs.values_list("pk", flat=True))

        assert listed("behind") == {pid for pid, p in points.items() if p is not None and p < 0 and pid in judged}
        assert listed("far") == {pid for pid, p in points.items() if p is not None and p < -D(behind) and pid in judged}
        assert listed("ahead") == {pid for pid, p in points.items() if p is not None and p >= 0}


def test_a_project_exactly_at_the_threshold_is_not_lagging(seeded):
    """Behind by exactly the threshold is not "behind by more than" it; 0.01 point more is."""
    period = _periods()[-1]
    root = Region.objects.get(code="370000")
    reported = root_facts(period=period, root=root, user=None).filter(report_state__in=rules.MEASURED_STATES)
    at = reported.filter(ahead_points__lt=0).first()
    assert at is not None

    def listed(behind: D) -> set[int]:
        DispatchConfig.objects.update(behind_points=behind)
        return {p.project_id for p in bulletin_data(period=period, root=root, top_n=1000).lagging}

    assert at.project_id not in listed(-at.ahead_points)
    assert at.project_id not in listed(-at.ahead_points + D("0.01"))
    assert at.project_id in listed(-at.ahead_points - D("0.01"))


@pytest.mark.parametrize("kind", ["region", "department", "zone"])
@pytest.mark.parametrize("root_code", ["370000", "370100"])
def test_problem_counts_equal_the_counted_problem_items(seeded, kind, root_code):
    root = Region.objects.get(code=root_code)
    end = period_end_moment(_periods()[-1])
    raised = list(ProblemItem.objects.filter(created_at__lt=end).order_by("pk").values_list("pk", flat=True))
    assert len(raised) >= 12
    # from none solved (whatever the seed drew): solved in time, solved after the month, closed otherwise
    ProblemItem.objects.filter(pk__in=raised).update(status="open", solved_at=None)
    ProblemItem.objects.filter(pk__in=raised[0:6]).update(status="solved", solved_at=end - dt.timedelta(hours=1))
    ProblemItem.objects.filter(pk__in=raised[6:9]).update(status="solved", solved_at=end + dt.timedelta(hours=1))
    ProblemItem.objects.filter(pk__in=raised[9:12]).exclude(status="solved").update(solved_at=end - dt.timedelta(hours=2))
    for period in _periods():
        items = problem_items(period=period, kind=kind, root=root)
        expected = {key: (len(rows), sum(1 for *_, solved in rows if solved)) for key, rows in items.items()}
        assert problem_counts(period=period, kind=kind, root=root) == expected
    last = problem_counts(period=_periods()[-1], kind=kind, root=root)
    if kind == "region" and root.level == "province":  # every problem, and some solved in time
        assert sum(n for n, _ in last.values()) >= 12 and 0 < sum(s for _, s in last.values()) <= 6
