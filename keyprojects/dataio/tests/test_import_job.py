"""确认导入 of a large file as a background job (``dataio.services_jobs``): the same import, all
or nothing, its progress on a page htmx polls; small files stay in the request. In tests the
job runs inline (``JOBS_BACKGROUND = False``), which is the same code the thread runs."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from keyprojects.core.models import Job, JobStatus
from keyprojects.dataio import services
from keyprojects.dataio.models import ImportBatch
from keyprojects.dataio.services_jobs import IMPORT_JOB, is_large
from keyprojects.projects.models import Project

from .test_import_files import GOOD, workbook
from .test_import_views import upload

pytestmark = pytest.mark.django_db
LARGE = override_settings(KEYPROJECTS_IMPORT_BACKGROUND_ROWS=2)


def _preview(client, world):
    client.force_login(world.users.county)
    upload(client, workbook(GOOD))
    return ImportBatch.objects.get()


def test_small_files_are_confirmed_in_the_request(client, world):
    batch = _preview(client, world)
    assert not is_large(batch)
    with override_settings(KEYPROJECTS_IMPORT_BACKGROUND_BYTES=batch.size - 1):
        assert is_large(batch)  # over 1 MB by default
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert resp["Location"] == reverse("dataio:import_batch", args=[batch.pk])
    assert not Job.objects.exists() and ImportBatch.objects.get().status == "imported"


@LARGE
def test_a_large_file_is_confirmed_as_a_job_with_its_progress_page(client, world):
    batch = _preview(client, world)
    assert batch.rows > 2 and is_large(batch)
    before = Project.objects.count()
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=IMPORT_JOB, key=str(batch.pk))
    assert resp.status_code == 302 and resp["Location"] == reverse("dataio:import_job", args=[batch.pk, job.pk])
    assert job.status == JobStatus.DONE and job.percent == 100 and job.started_by == world.users.county
    assert set(job.result) == {"batch", "errors", "created", "updated", "reports_created", "reports_updated"}
    assert job.result["batch"] == batch.pk and job.result["errors"] == 0 and job.result["created"] == 3
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.created_count == 3 and Project.objects.count() == before + 3
    html = client.get(resp["Location"]).content.decode()
    assert 'data-status="done"' in html and "导入完成：新增项目 3 个" in html and "hx-get" not in html
    assert f'data-testid="job-title">导入“{batch.filename}”<' in html
    client.cookies["django_language"] = "en"  # the stored title said again in the page's language
    english = client.get(resp["Location"]).content.decode()
    assert f'data-testid="job-title">Import “{batch.filename}”<' in english
    client.cookies["django_language"] = "zh-hans"
    fragment = client.get(resp["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "导入完成" in fragment
    # confirming again writes nothing more (the batch is imported)
    client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert Project.objects.count() == before + 3 and Job.objects.count() == 1


@LARGE
def test_a_failing_job_writes_nothing_and_says_why(client, world, monkeypatch):
    batch = _preview(client, world)
    before = sorted(Project.objects.values_list("pk", "version"))

    def boom(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_refresh_figures", boom)
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=IMPORT_JOB)
    assert job.status == JobStatus.FAILED and "数据未作任何修改" in job.error
    assert sorted(Project.objects.values_list("pk", "version")) == before
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.content  # it can be confirmed again
    html = client.get(resp["Location"]).content.decode()
    assert 'data-testid="import-job-error"' in html and "导入未完成" in html


@LARGE
def test_while_a_job_runs_the_batch_page_shows_it_and_a_second_confirm_is_refused(client, world):
    batch = _preview(client, world)
    job = Job.objects.create(kind=IMPORT_JOB, key=str(batch.pk), title="导入", started_by=world.users.city, phase="校验", percent=40)
    url = reverse("dataio:import_job", args=[batch.pk, job.pk])
    assert client.get(reverse("dataio:import_batch", args=[batch.pk]))["Location"] == url
    html = client.get(url).content.decode()
    assert 'data-status="running"' in html and f'hx-get="{url}"' in html and "40%" in html and "校验" in html
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]), follow=True)
    assert "该文件正在导入，请等待完成" in resp.content.decode()
    assert ImportBatch.objects.get().status == "preview" and Job.objects.count() == 1
    # another user without the batch in scope does not see the job
    client.force_login(world.users.other_city)
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_background_import_runs_in_its_thread_and_finishes(client, world, settings):
    """The real thread (as the close's test): the job advances through 读取文件 → 解析 → 校验 → 写入 → 刷新汇总 to
    100 % and the projects are there once it ends. (Both settings through pytest-django's
    ``settings`` fixture: an ``override_settings`` decorator ending before the fixture's own
    restore would leave its value in force for every later test.)"""
    import time

    from keyprojects.core.jobs import job_live

    settings.KEYPROJECTS_IMPORT_BACKGROUND_ROWS = 2
    settings.JOBS_BACKGROUND = True
    batch = _preview(client, world)
    before = Project.objects.count()
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=IMPORT_JOB)
    assert resp["Location"] == reverse("dataio:import_job", args=[batch.pk, job.pk])
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        j = job_live(Job.objects.get(pk=job.pk))
        seen.append(j.percent)
        if j.status != JobStatus.RUNNING:
            break
        time.sleep(0.1)  # (each read takes the test database's table lock the job's thread writes under)
    j = Job.objects.get(pk=job.pk)
    assert j.status == JobStatus.DONE, j.error
    assert j.percent == 100 and seen == sorted(seen)
    assert ImportBatch.objects.get().status == "imported" and Project.objects.count() == before + 3


def _heard(monkeypatch) -> list[tuple[str, int, int, int]]:
    """What the job's reporter hears: (phase, done, total, the job's percentage)."""
    from keyprojects.core import jobs

    heard: list[tuple[str, int, int, int]] = []
    real = jobs.JobReporter.__call__

    def listen(self, phase, done, total):
        heard.append((phase, done, total, jobs.percent_of(self.phases, phase, done, total)))
        real(self, phase, done, total)

    monkeypatch.setattr(jobs.JobReporter, "__call__", listen)
    return heard


@pytest.mark.parametrize("whole_periods", [False, True], ids=["by-difference", "whole-periods"])
def test_the_confirmed_import_reports_the_refresh_as_its_last_phase(client, world, monkeypatch, whole_periods):
    """刷新汇总 after 写入 (the refresh action, per period; a big import: per chunk of projects,
    then per period summarised): its figures and the job's percentage only grow through it, it
    ends full, and the job's result and the figures are those of an import without progress."""
    from keyprojects.analytics import refresh
    from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
    from keyprojects.dataio.services_jobs import IMPORT_PHASES, import_job_start

    if whole_periods:
        monkeypatch.setattr(refresh, "LARGE", 1)  # as an import of more than 2,000 projects
    from keyprojects.dispatch.services import period_get_or_open

    batch = _preview(client, world)
    year, month = map(int, batch.period_found.split("-"))
    assert month > 1
    period_get_or_open(year=year, month=1)  # the refresh goes from the year's first period: two or more periods

    def figures():
        at = ("period__year", "period__month")  # (not the ids: a rolled-back sequence goes on, on PostgreSQL)
        facts = sorted(ProjectPeriodFact.objects.values_list("project__name", *at, "invested_ytd", "report_state"))
        sums = sorted(RegionPeriodSummary.objects.values_list("region_id", *at, "projects", "invested_ytd"))
        return facts, sums

    from django.db import transaction

    with transaction.atomic():  # the same import without progress, rolled back
        plain = services.import_confirm(user=world.users.county, batch=batch)
        expected = (plain.created, plain.updated, plain.reports_created, plain.reports_updated), figures()
        transaction.set_rollback(True)
    heard = _heard(monkeypatch)
    job = import_job_start(user=world.users.county, batch=batch, background=False)
    assert job.status == JobStatus.DONE and job.percent == 100, job.error
    r = job.result
    assert ((r["created"], r["updated"], r["reports_created"], r["reports_updated"]), figures()) == expected
    phases = [p for n, (p, *_rest) in enumerate(heard) if n == 0 or heard[n - 1][0] != p]
    assert phases == [p for p, _w in IMPORT_PHASES] and phases[-1] == "刷新汇总"
    percents = [pct for *_rest, pct in heard]
    assert percents == sorted(percents)  # never goes back
    fresh = [(d, t) for p, d, t, _pct in heard if p == "刷新汇总"]
    shares = [d / t for d, t in fresh]
    assert shares == sorted(shares) and shares[0] == 0 and shares[-1] == 1
    assert any(0 < x < 1 for x in shares)  # heard while it runs, not only at its ends
    ours = [pct for p, *_r, pct in heard if p == "刷新汇总"]
    assert ours[0] < ours[-1] == 99 and ours[0] == 100 - IMPORT_PHASES[-1][1]


def test_the_refresh_reports_its_steps_growing_and_writes_the_same(client, world):
    """``refresh_periods`` over two years: the facts per chunk and period (counted over both
    years, never starting again), then each period summarised; the rows are those of a refresh
    without progress."""
    from django.db import transaction

    from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
    from keyprojects.analytics.refresh import refresh_periods
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.dispatch.services import period_get_or_open

    for year, month in ((2025, 11), (2025, 12), (2026, 1)):
        period_get_or_open(year=year, month=month)
    client.force_login(world.users.county)
    upload(client, workbook(GOOD))
    services.import_confirm(user=world.users.county, batch=ImportBatch.objects.get())
    periods = list(ReportingPeriod.objects.order_by("year", "month"))
    assert len({p.year for p in periods}) >= 2

    def rows():
        return (
            sorted(ProjectPeriodFact.objects.values_list("project_id", "period_id", "invested_ytd", "planned_ytd", "report_state")),
            sorted(RegionPeriodSummary.objects.values_list("region_id", "period_id", "projects", "invested_ytd")),
            DimensionPeriodSummary.objects.count(),
        )

    with transaction.atomic():
        plain = refresh_periods(periods=periods)
        expected = rows()
        transaction.set_rollback(True)
    heard: list[tuple[int, int]] = []
    assert refresh_periods(periods=periods, progress=lambda d, t: heard.append((d, t))) == plain
    assert rows() == expected
    shares = [d / t for d, t in heard]
    assert shares == sorted(shares) and shares[0] == 0 and shares[-1] == 1
    assert len(heard) >= 1 + 2 * len(periods)  # the start, each period written, each period summarised


def test_the_check_reports_each_of_its_steps_and_is_full_only_at_its_end(world, monkeypatch):
    """校验 reports the end of each of its steps (rows read, resolved, projects validated,
    figures checked, years and counts) at its measured share, and reaches its rows only when the
    plan is made: nothing runs unreported after a full 校验 (it used to be full once the projects
    were validated, with the figures and years still to check)."""
    from keyprojects.dataio.importer import plan as plan_module

    rows = GOOD * 5  # (the same project five times: the check has things to say)
    heard: list[tuple[int, int]] = []
    steps: list[str] = []
    real = plan_module.ImporterState.tick_check

    def listen(self, start, end, n=1, count=1):
        if n == count:
            steps.append(end)
        real(self, start, end, n, count)

    monkeypatch.setattr(plan_module.ImporterState, "tick_check", listen)
    services.import_file(
        user=None, data=workbook(rows), filename="校验.xlsx", dry_run=True, progress=lambda p, d, t: p == "校验" and heard.append((d, t))
    )
    total = len(rows)
    assert {t for _d, t in heard} == {total}
    done = [d for d, _t in heard]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total and done.count(total) == 1
    assert steps == ["items", "resolve", "validate", "figures", "years"]
    shares = plan_module.CHECK_SHARES
    assert [total * shares[s] // 100 for s in steps] == done[1:-1][-len(steps) :]
