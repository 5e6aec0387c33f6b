"""关账 from the page in the background (issue 10 §3, ``core.jobs``): the job runs to the same
result as ``period_close``; its progress is written to the job row outside the close's
transaction; a failure rolls the close back and the page shows the error; a second close of the
month while one runs is refused; the page polls (htmx) with a real link as fallback."""

from __future__ import annotations

import re
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from keyprojects.core.jobs import JobReporter, JobRunning, job_live, percent_of
from keyprojects.core.models import CalendarOverride, Job, JobStatus
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (fixture)
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.dispatch.services import CLOSE_PHASES, CloseNotConfirmed, period_close
from keyprojects.dispatch.services_close import CLOSE_JOB, close_job_start

from .test_close_checklist import open_month  # noqa: F401  (fixture)


def _summary_of(closure: PeriodClosure) -> dict:
    from keyprojects.analytics.models import RegionPeriodSummary

    rows = RegionPeriodSummary.objects.filter(period=closure.period, frozen=True).order_by("region_id")
    return {
        "open_items": closure.open_items,
        "checklist": closure.checklist,
        "confirmation": closure.confirmation,
        "frozen": [(r.region_id, r.projects, r.reports_due, r.reports_in, str(r.invested_month), str(r.invested_ytd)) for r in rows],
    }


def test_the_job_closes_as_the_service_does(open_month):  # noqa: F811
    w = open_month
    with transaction.atomic():
        sync = _summary_of(period_close(user=w.users.city, period=w.p2, confirm="2026-02"))
        transaction.set_rollback(True)
    assert not PeriodClosure.objects.exists()
    job = close_job_start(user=w.users.city, period=w.p2, confirm="2026-02", background=False)
    assert job.status == JobStatus.DONE and job.percent == 100 and job.error == "" and job.finished_at
    closure = PeriodClosure.objects.get(pk=job.result["closure"])
    assert _summary_of(closure) == sync
    assert (
        job.result["open_items"] == 5 and ["未报", "2（其中草稿未提交 1）"] in job.result["open"] and job.result["region_name"] == "济南市"
    )
    assert job.started_by == w.users.city and job.title == "济南市2026年2月关账"


def test_the_checks_come_before_the_job(open_month):  # noqa: F811
    w = open_month
    with pytest.raises(CloseNotConfirmed):
        close_job_start(user=w.users.city, period=w.p2, confirm="好的")
    assert not Job.objects.exists()


def test_a_failure_rolls_back_and_is_shown(open_month, client, monkeypatch):  # noqa: F811
    import keyprojects.analytics.snapshot as snapshot

    w = open_month

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(snapshot, "frozen_figures", broken)
    client.force_login(w.users.province)
    resp = client.post("/dispatch/2026-02/board/close/", {"confirm": "确认关账"}, follow=True)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and job.phase == "保存快照" and job.finished_at
    html = resp.content.decode()
    assert 'data-testid="close-job-error"' in html and "数据未作任何修改" in html and "保存快照" in html
    w.p2.refresh_from_db()
    assert w.p2.status != "closed" and not PeriodClosure.objects.exists()
    from keyprojects.analytics.models import RegionPeriodSummary

    assert not RegionPeriodSummary.objects.filter(period=w.p2, frozen=True).exists()
    # the failed job does not block a new close
    monkeypatch.undo()
    assert close_job_start(user=w.users.province, period=w.p2, confirm="确认关账").status == JobStatus.DONE


def test_a_second_close_while_one_runs_is_refused(open_month, client):  # noqa: F811
    w = open_month
    running = Job.objects.create(kind=CLOSE_JOB, key="2026-02", title="济南市2026年2月关账", started_by=w.users.city, phase="重建事实表")
    with pytest.raises(JobRunning) as exc:
        close_job_start(user=w.users.province, period=w.p2, confirm="确认关账")
    assert "济南市2026年2月关账正在进行" in exc.value.message and "请等待完成后再试" in exc.value.message
    with pytest.raises(IntegrityError), transaction.atomic():  # the index, whatever the caller
        Job.objects.create(kind=CLOSE_JOB, key="2026-02", title="again")
    # the page: the close page of the month shows the running job (a reload, a second user)
    client.force_login(w.users.province)
    resp = client.get("/dispatch/2026-02/board/close/")
    url = f"/dispatch/2026-02/board/close/jobs/{running.pk}/"
    assert resp.status_code == 302 and resp["Location"] == url
    html = client.get(url).content.decode()
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 1s"' in html and f'href="{url}"' in html and "重建事实表" in html
    part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith("<section") and "<html" not in part
    resp = client.post("/dispatch/2026-02/board/close/", {"confirm": "确认关账"}, follow=True)
    assert "正在进行" in resp.content.decode() and not PeriodClosure.objects.exists()
    # a county user may not watch it
    client.force_login(w.users.county)
    assert client.get(url).status_code == 403


def test_the_result_page_names_what_was_open_and_links_the_snapshot(open_month, client):  # noqa: F811
    w = open_month
    client.force_login(w.users.city)
    resp = client.post("/dispatch/2026-02/board/close/", {"confirm": "2026-02"}, follow=True)
    html = resp.content.decode()
    closure = PeriodClosure.objects.get()
    assert "关账时有 5 项未完成" in html and "未报 2（其中草稿未提交 1）、待县级审核 1" in html and "100%" in html
    assert f"/dispatch/2026-02/board/closures/{closure.pk}/snapshot.xlsx" in html
    assert "hx-trigger" not in html  # finished: no more polling


def test_percent_over_the_phases():
    assert percent_of(CLOSE_PHASES, "核对清单", 0, 1) == 0
    assert percent_of(CLOSE_PHASES, "重建事实表", 50, 100) == 5 + 37
    assert percent_of(CLOSE_PHASES, "保存快照", 1, 1) == 99  # 100 only when recorded as done


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_outside_the_work_transaction():
    job = Job.objects.create(kind="test", key="k", title="测试")
    reporter = JobReporter(job.pk, [("甲", 1), ("乙", 3)])
    try:
        with transaction.atomic():
            CalendarOverride.objects.create(day="2026-01-05", kind="holiday", name="写锁")  # the work holds the write lock
            reporter("乙", 1, 3)
            assert job_live(Job.objects.get(pk=job.pk)).percent == 50  # this process sees it at once
            if connection.vendor == "postgresql":
                other = connections.create_connection("default")
                with other.cursor() as c:
                    c.execute("SELECT phase, percent FROM core_job WHERE id = %s", [job.pk])
                    assert c.fetchone() == ("乙", 50)  # another process sees it before the work commits
                    c.execute("SELECT count(*) FROM core_calendaroverride")
                    assert c.fetchone() == (0,)
                other.close()
            transaction.set_rollback(True)
    finally:
        reporter.close()
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_background_close_advances_and_finishes(settings, dw):
    """The real thread: the job row advances through the phases to 100 % (PostgreSQL: seen by
    another connection during the close; SQLite: the live figures of this process)."""
    settings.JOBS_BACKGROUND = True
    w = dw
    job = close_job_start(user=w.users.province, period=w.p2, confirm="确认关账")
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        j = job_live(Job.objects.get(pk=job.pk))
        seen.append((j.status, j.phase, j.percent))
        if j.status != JobStatus.RUNNING:
            break
        time.sleep(0.1)  # (each read takes the test database's table lock the job's thread writes under)
    j = Job.objects.get(pk=job.pk)
    assert j.status == JobStatus.DONE, j.error
    assert j.percent == 100 and PeriodClosure.objects.filter(pk=j.result["closure"]).exists()
    percents = [p for _s, _ph, p in seen]
    assert percents == sorted(percents)  # never goes back


def test_the_api_and_the_command_wait_for_a_close_running_on_the_page(open_month, client):  # noqa: F811
    from django.core.management import CommandError, call_command

    w = open_month
    Job.objects.create(kind=CLOSE_JOB, key="2026-02", title="济南市2026年2月关账", started_by=w.users.city)
    client.force_login(w.users.province)
    resp = client.post(f"/api/v1/periods/{w.p2.pk}/close/", {"confirm": "确认关账"}, content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "job_running"
    with pytest.raises(CommandError, match="正在进行"):
        call_command("close_period", "2026-02", "--user", "prov", "--confirm", "确认关账", "-v", "0")
    assert not PeriodClosure.objects.exists()


def test_the_close_page_in_english_names_the_phase_and_what_was_open(open_month, client, compiled):  # noqa: F811
    """The phase (stored in Chinese, as the close reports it) and what was open at the close are
    shown in the page's language, with English punctuation; the job's result stays Chinese."""
    import re

    from keyprojects.core.tests.test_i18n import _switch_to_english

    w = open_month
    client.force_login(w.users.city)
    _switch_to_english(client)
    resp = client.post("/dispatch/2026-02/board/close/", {"confirm": "2026-02"}, follow=True)
    job = Job.objects.get()
    assert ["未报", "2（其中草稿未提交 1）"] in job.result["open"]  # as stored, whoever started it
    done = resp.content.decode().split('data-testid="close-result"', 1)[1].split("</div>", 1)[0]
    assert "Not reported 2 (of which drafts not submitted 1), Waiting for county review 1" in done
    assert not re.search("[（）：、。，]", done.replace(job.result["region_name"], "")), done
    running = Job.objects.create(kind=CLOSE_JOB, key="2026-03", title="济南市2026年3月关账", started_by=w.users.city)
    url = f"/dispatch/2026-03/board/close/jobs/{running.pk}/"
    for phase, shown in (("", "checking the list"), ("重建事实表", "rebuilding the facts"), ("保存快照", "saving the snapshot")):
        Job.objects.filter(pk=running.pk).update(phase=phase, done=3, total=8)
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        line = html.split('<p class="mb-1">', 1)[1].split("</p>", 1)[0].split("</span>", 1)[1]
        assert line == f'Closing: <strong data-testid="close-phase">{shown}</strong> <span class="text-muted small"> (3/8)</span>'
    Job.objects.filter(pk=running.pk).update(status=JobStatus.FAILED, error="磁盘已满")
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "(in the “saving the snapshot” phase): 磁盘已满" in html


def test_the_close_job_title_and_a_busy_close_in_english(open_month, client, compiled):  # noqa: F811
    """The job's title is stored in Chinese (济南市2026年3月关账, rows written before too) and said
    again in the page's language; a second close while it runs is refused in English."""
    from keyprojects.core.tests.test_i18n import _switch_to_english

    w = open_month
    client.force_login(w.users.city)
    _switch_to_english(client)
    running = Job.objects.create(kind=CLOSE_JOB, key="2026-03", title="济南市2026年3月关账", started_by=w.users.city)
    html = client.get(f"/dispatch/2026-03/board/close/jobs/{running.pk}/").content.decode()
    title = html.split('data-testid="close-title">', 1)[1].split("<", 1)[0]
    assert title.startswith("Month close of 济南市, ") and "2026" in title and not re.search("[年月关账]", title.replace("济南市", ""))
    page = client.post("/dispatch/2026-03/board/close/", {"confirm": "2026-03"}, follow=True).content.decode()
    assert "Month close of 济南市, " in page and "is running (started by" in page and "正在进行" not in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(f"/dispatch/2026-03/board/close/jobs/{running.pk}/").content.decode()
    assert 'data-testid="close-title">济南市2026年3月关账<' in html
