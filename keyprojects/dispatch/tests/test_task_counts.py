"""我的任务 at scale (ADR 0009, 2026-12 pages): the to-do cards counted in one grouped pass, the
to-fill page found per project, the review queue and the scope of reports, warnings and problems
read through a join. Every figure is checked against the straightforward computation it replaced,
on a small ``seed_demo`` world (drafts, returned, submitted and approved reports in the open month),
for users of every scope kind."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from keyprojects.accounts.models import User
from keyprojects.dispatch.models import MonthlyReport, ProblemItem, ProjectWarning, ReportingPeriod, ReportStep
from keyprojects.dispatch.selectors import due_projects, reports_for_review, task_counts
from keyprojects.dispatch.services import user_review_level
from keyprojects.dispatch.views_fill import fillable
from keyprojects.projects.models import Project, ProjectYear

SEED = {"projects": 150, "months": 3, "seed": 11, "year": 2026, "month": 5}
USERS = ("province", "jinan", "lixia", "lixia_sh", "jinan_fgw", "byd", "leader", "admin")
DUE_STAGES = {"preparation", "construction", "completed", "production", "suspended"}  # written out: the test's own reading


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


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _open_period() -> ReportingPeriod:
    return ReportingPeriod.objects.filter(status="open").order_by("-year", "-month").first()


def _straight_due(user: User, period: ReportingPeriod) -> set[int]:
    """Due projects computed in Python: visible, in a reporting stage, on a list that year."""
    listed = set(ProjectYear.objects.filter(year=period.year).values_list("project_id", flat=True))
    return {p.pk for p in Project.objects.visible_to(user) if p.stage in DUE_STAGES and p.pk in listed}


def _straight_counts(user: User, period: ReportingPeriod) -> dict[str, int]:
    """The cards as the page computed them before, one count at a time, in Python."""
    due = _straight_due(user, period)
    mine = set(fillable(user).values_list("pk", flat=True))
    status = dict(MonthlyReport.objects.filter(period=period).values_list("project_id", "status")) if period.pk else {}
    done = {pid for pid in due if status.get(pid) in ("submitted", "approved")}
    to_fill = (due & mine) - done
    returned = sum(1 for pid in to_fill if status.get(pid) == "returned")
    draft = sum(1 for pid in to_fill if status.get(pid) == "draft")
    return {
        "n_due": len(due),
        "n_done": len(done),
        "n_to_fill": len(to_fill),
        "n_returned": returned,
        "n_draft": draft,
        "n_missing": len(to_fill) - returned - draft,
    }


@pytest.mark.parametrize("username", USERS)
def test_task_counts_equal_the_straightforward_counts(seeded, username):
    user, period = _user(username), _open_period()
    expected = _straight_counts(user, period)
    got = task_counts(period=period, due=due_projects(period=period, user=user), fillable=fillable(user))
    assert got == expected
    if username == "province":  # the world has every kind of report to count
        assert min(expected[k] for k in ("n_done", "n_to_fill", "n_returned", "n_draft", "n_missing")) > 0


@pytest.mark.parametrize("username", ["province", "jinan", "lixia"])
def test_task_counts_of_a_month_not_opened_yet(seeded, username):
    user = _user(username)
    last = _open_period()
    period = ReportingPeriod(
        year=last.year + (last.month == 12), month=last.month % 12 + 1, fill_start=last.fill_start, fill_end=last.fill_end
    )
    got = task_counts(period=period, due=due_projects(period=period, user=user), fillable=fillable(user))
    assert got == _straight_counts(user, period)
    assert got["n_done"] == 0 and got["n_to_fill"] == got["n_missing"] == got["n_due"] > 0


@pytest.mark.parametrize("username", ["province", "jinan", "lixia", "leader"])
def test_the_tasks_page_shows_the_counts_and_the_first_projects_to_fill(seeded, username):
    user, period = _user(username), _open_period()
    client = Client()
    client.force_login(user)
    resp = client.get(f"/dispatch/?period={period.label}")
    assert resp.status_code == 200
    expected = _straight_counts(user, period)
    assert {k: resp.context[k] for k in expected} == expected
    status = dict(MonthlyReport.objects.filter(period=period).values_list("project_id", "status"))
    mine = set(fillable(user).values_list("pk", flat=True))
    to_fill = sorted(
        (p.region_id, p.name, p.pk)
        for p in Project.objects.filter(pk__in=_straight_due(user, period) & mine)
        if status.get(p.pk) not in ("submitted", "approved")
    )
    shown = [(r["project"].region_id, r["project"].name, r["project"].pk) for r in resp.context["fill_rows"]]
    assert [row[:2] for row in shown] == [row[:2] for row in to_fill[:20]]  # same order (ties on a name may swap)
    assert {row[2] for row in shown} <= {row[2] for row in to_fill}
    assert resp.context["fill_page"].paginator.count == expected["n_to_fill"]


@pytest.mark.parametrize("username", ["province", "jinan", "lixia", "lixia_sh", "admin"])
def test_the_review_queue_equals_the_straightforward_queue(seeded, username):
    user, period = _user(username), _open_period()
    level = user_review_level(user)
    visible = set(Project.objects.visible_to(user).values_list("pk", flat=True))
    filled = set(ReportStep.objects.filter(actor=user, action__in=("save", "submit")).values_list("report_id", flat=True))
    queue = {
        r.pk
        for r in MonthlyReport.objects.filter(status="submitted")
        if r.project_id in visible
        and r.submitted_by_id != user.pk
        and r.pk not in filled
        and (user.is_superuser or (level is not None and r.pending_level == level))
    }
    assert set(reports_for_review(user=user).values_list("pk", flat=True)) == queue
    in_period = {pk for pk in queue if MonthlyReport.objects.get(pk=pk).period_id == period.pk}
    assert set(reports_for_review(user=user, period=period).values_list("pk", flat=True)) == in_period


def test_the_review_queue_leaves_out_what_the_reviewer_filled(seeded):
    """Four eyes through the per-report NOT EXISTS: a report the city reviewer saved is not theirs to review."""
    user = _user("jinan")
    report = reports_for_review(user=user).first()
    assert report is not None
    ReportStep.objects.create(report=report, action="save", actor=user)
    assert not reports_for_review(user=user).filter(pk=report.pk).exists()


@pytest.mark.parametrize("username", USERS)
def test_reports_warnings_and_problems_are_visible_exactly_with_their_project(seeded, username):
    user = _user(username)
    visible = set(Project.objects.visible_to(user).values_list("pk", flat=True))
    for model in (MonthlyReport, ProjectWarning):
        got = set(model.objects.visible_to(user).values_list("pk", flat=True))
        assert got == {pk for pk, pid in model.objects.values_list("pk", "project_id") if pid in visible}
    unit = user.unit_id if username == "jinan_fgw" else None
    problems = {
        pk
        for pk, pid, resp in ProblemItem.objects.values_list("pk", "project_id", "responsible_unit_id")
        if pid in visible or (unit and resp == unit)
    }
    assert set(ProblemItem.objects.visible_to(user).values_list("pk", flat=True)) == problems
