"""The upload's preview of a large file as a background job (``dataio.services_jobs``): the file is
stored as a pending batch, the one preview (``services.import_preview``) runs as a job with its
progress (读取文件 → 解析 → 校验) on the import job page, and once done the user lands on the same preview
page as an in-request preview gives; small files stay in the request. In tests the job runs
inline (``JOBS_BACKGROUND = False``), which is the same code the thread runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from keyprojects.core import jobs
from keyprojects.core.models import Job, JobStatus
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio import services
from keyprojects.dataio.models import ImportBatch
from keyprojects.dataio.services_jobs import IMPORT_JOB, PREVIEW_JOB, is_large, is_large_upload
from keyprojects.projects.models import Project

from .test_import_files import GOOD, MESSY, workbook
from .test_import_views import upload

pytestmark = pytest.mark.django_db
LARGE = override_settings(KEYPROJECTS_IMPORT_BACKGROUND_BYTES=100)
SAME = [
    "sha256", "filename", "size", "content", "source", "uploaded_by_id", "region_id", "period_year", "period_month",
    "period_found", "sheet", "status", "rows", "created_count", "updated_count", "unchanged_count", "reports_created",
    "reports_updated", "enterprises_created", "error_count", "warning_count", "errors", "warnings", "totals", "sample",
]  # fmt: skip


def _fields(batch: ImportBatch) -> dict:
    batch.refresh_from_db()
    return {f: (bytes(v) if isinstance(v := getattr(batch, f), memoryview) else v) for f in SAME}


def _spy_progress(monkeypatch) -> list[tuple[str, int, int, int]]:
    """Every ``progress(phase, done, total)`` the job reported, with the job's percentage."""
    seen: list[tuple[str, int, int, int]] = []
    report = jobs.JobReporter.__call__

    def spy(self, phase, done, total):
        report(self, phase, done, total)
        seen.append((phase, done, total, jobs.percent_of(self.phases, phase, done, total)))

    monkeypatch.setattr(jobs.JobReporter, "__call__", spy)
    return seen


def test_a_small_upload_is_previewed_in_the_request(client, world):
    client.force_login(world.users.county)
    data = workbook(GOOD)
    assert not is_large_upload(len(data))  # 1 MB by default
    resp = upload(client, data)
    batch = ImportBatch.objects.get()
    assert resp["Location"] == reverse("dataio:import_batch", args=[batch.pk])
    assert batch.status == "preview" and batch.content and not Job.objects.exists()


@LARGE
def test_a_large_upload_is_previewed_as_a_job_and_lands_on_the_same_preview(client, world, monkeypatch):
    client.force_login(world.users.county)
    data = workbook(GOOD)
    assert is_large_upload(len(data))
    seen = _spy_progress(monkeypatch)
    resp = upload(client, data)
    batch = ImportBatch.objects.get()
    job = Job.objects.get(kind=PREVIEW_JOB, key=str(batch.pk))
    assert resp.status_code == 302 and resp["Location"] == reverse("dataio:import_job", args=[batch.pk, job.pk])
    assert job.status == JobStatus.DONE and job.percent == 100 and job.started_by == world.users.county
    assert job.result == {"batch": batch.pk, "rows": 3, "errors": 0, "warnings": batch.warning_count}
    # progress: 读取文件, 解析 then 校验, each to its end, the percentage never going back
    phases = [p for p, *_ in seen]
    assert phases[0] == "读取文件" and phases[-1] == "校验" and set(phases) == {"读取文件", "解析", "校验"}
    assert [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]] == ["读取文件", "解析", "校验"]
    sheet_rows = 3 + len(GOOD) + 3  # title, unit line, header; the rows; 合计, a blank line, the footer
    ends = [(p, d, t) for p, d, t, _ in seen if d == t]
    assert ("读取文件", 1, 1) in ends and ("解析", sheet_rows, sheet_rows) in ends and seen[-1][1] == seen[-1][2]
    assert [pct for *_, pct in seen] == sorted(pct for *_, pct in seen) and seen[-1][3] == 99
    # the job page leads to the preview page; htmx's poll is told to go there
    assert client.get(resp["Location"])["Location"] == reverse("dataio:import_batch", args=[batch.pk])
    fragment = client.get(resp["Location"], HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == reverse("dataio:import_batch", args=[batch.pk])
    assert 'data-testid="preview-result"' in fragment.content.decode() and "hx-get" not in fragment.content.decode()
    html = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    assert "确认导入" in html and 'data-testid="confirm" disabled' not in html and "历下区智能制造产业园" in html
    # the same batch as the in-request preview of the same file
    with override_settings(KEYPROJECTS_IMPORT_BACKGROUND_BYTES=len(data)):
        upload(client, data)
    in_request = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert Job.objects.count() == 1 and _fields(in_request) == _fields(batch)
    assert Project.objects.count() == 4  # nothing written by either preview


@LARGE
def test_a_large_preview_reports_its_parse_as_it_goes_and_ends_as_before(client, world, monkeypatch):
    """A generated file of 3,000 project rows: the job hears the parse advance block by block
    (its page's bar moves while the rows are read, not only at the end), and its result and batch
    are those of the in-request preview of the same file, which reports nothing."""
    rows = [[i + 1, f"历下区重点项目{i:04d}号", "", "历下区", "", "续建", "产业项目", 5000 + i, 1000, 300, "施工"] for i in range(3000)]
    data = workbook(rows)
    seen = _spy_progress(monkeypatch)
    client.force_login(world.users.county)
    upload(client, data)
    batch = ImportBatch.objects.get()
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.status == JobStatus.DONE and job.percent == 100
    assert job.result == {"batch": batch.pk, "rows": 3000, "errors": 0, "warnings": batch.warning_count}
    parse = [(done, total, pct) for phase, done, total, pct in seen if phase == "解析"]
    total = 3 + 3000 + 3  # title, unit line, header; the rows; 合计, a blank line, the footer
    assert {t for _, t, _ in parse} == {total} and parse[-1][0] == total
    during = [(done, pct) for done, _, pct in parse if 0 < done < total]
    assert len(during) >= 5 and [d for d, _ in during] == sorted({d for d, _ in during})  # several, increasing
    assert len({pct for _, pct in during}) >= 4 and all(25 <= pct < 50 for _, pct in during)  # the bar moves
    assert len(parse) <= total // 100  # per block of rows, not per row
    # all of it between the file read and the check, the percentage never going back
    phases = [p for p, *_ in seen]
    assert [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]] == ["读取文件", "解析", "校验"]
    assert [pct for *_, pct in seen] == sorted(pct for *_, pct in seen)
    with override_settings(KEYPROJECTS_IMPORT_BACKGROUND_BYTES=len(data)):
        upload(client, data)
    assert Job.objects.count() == 1 and _fields(ImportBatch.objects.exclude(pk=batch.pk).get()) == _fields(batch)


@LARGE
def test_a_large_preview_with_errors_lists_them_as_the_request_does(client, world):
    client.force_login(world.users.county)
    data = workbook(MESSY)
    upload(client, data)
    batch = ImportBatch.objects.get()
    assert Job.objects.get(kind=PREVIEW_JOB).result["errors"] == batch.error_count > 0
    assert batch.status == "failed" and batch.content is None
    with override_settings(KEYPROJECTS_IMPORT_BACKGROUND_BYTES=len(data)):
        upload(client, data)
    assert _fields(ImportBatch.objects.exclude(pk=batch.pk).get()) == _fields(batch)
    html = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="confirm" disabled' in html and "所属区域超出您的管辖范围" in html
    assert html.count('data-testid="error-row"') == batch.error_count


@LARGE
def test_a_large_preview_then_its_confirmation_also_in_the_background(client, world):
    client.force_login(world.users.county)
    upload(client, workbook(GOOD))
    batch = ImportBatch.objects.get()
    assert is_large(batch)
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=IMPORT_JOB, key=str(batch.pk))
    assert resp["Location"] == reverse("dataio:import_job", args=[batch.pk, job.pk]) and job.status == JobStatus.DONE
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.created_count == 3 and Project.objects.count() == 7
    # the finished preview job's page still leads to the batch (now the result)
    preview = Job.objects.get(kind=PREVIEW_JOB)
    assert client.get(reverse("dataio:import_job", args=[batch.pk, preview.pk]))["Location"].endswith(f"/import/{batch.pk}/")


@LARGE
def test_an_unreadable_file_reports_its_error_on_the_preview_page(client, world):
    client.force_login(world.users.county)
    resp = upload(client, b"PK\x03\x04 not really a workbook " * 20, name="坏文件.xlsx")
    batch = ImportBatch.objects.get()
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.status == JobStatus.DONE and job.result["errors"] == 1
    assert batch.status == "failed" and batch.content is None and "文件已损坏" in batch.errors[0]["message"]
    page = client.get(resp["Location"], follow=True)
    assert page.redirect_chain[-1][0] == reverse("dataio:import_batch", args=[batch.pk])
    assert "文件已损坏，无法作为 .xlsx/.ods 打开" in page.content.decode()


@LARGE
def test_a_failing_preview_job_says_why_and_keeps_nothing(client, world, monkeypatch):
    client.force_login(world.users.county)

    def boom(self):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services.Importer, "plan", boom)
    resp = upload(client, workbook(GOOD))
    batch = ImportBatch.objects.get()
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.status == JobStatus.FAILED and "数据未作任何修改" in job.error and "RuntimeError" in job.error
    assert batch.status == "failed" and batch.content is None and batch.error_count == 1
    assert batch.errors[0]["message"].startswith("文件校验未完成：后台任务出错（RuntimeError）")
    html = client.get(resp["Location"]).content.decode()
    assert 'data-testid="import-job-error"' in html and "预览未完成" in html and "重新上传" in html
    html = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    assert "文件校验未完成" in html and 'data-testid="confirm" disabled' in html
    assert Project.objects.count() == 4


def _pending(client, world, monkeypatch) -> ImportBatch:
    """A large upload whose job has not run yet (as while its thread works)."""
    monkeypatch.setattr("keyprojects.dataio.services_jobs.job_start", lambda **kw: Job.objects.create(
        kind=kw["kind"], key=kw["key"], title=kw["title"], started_by=kw["user"], phase="校验", percent=60
    ))  # fmt: skip
    client.force_login(world.users.county)
    upload(client, workbook(GOOD))
    return ImportBatch.objects.get()


@LARGE
def test_while_the_preview_runs_the_batch_shows_its_progress_and_only_to_its_uploader(client, world, monkeypatch):
    batch = _pending(client, world, monkeypatch)
    job = Job.objects.get(kind=PREVIEW_JOB)
    url = reverse("dataio:import_job", args=[batch.pk, job.pk])
    assert batch.status == "pending" and batch.content and not batch.can_confirm
    assert client.get(reverse("dataio:import_batch", args=[batch.pk]))["Location"] == url
    html = client.get(url).content.decode()
    assert 'data-status="running"' in html and f'hx-get="{url}"' in html and "60%" in html and "正在预览" in html
    assert 'data-testid="import-refresh"' in html and "预览分为：读取文件 → 解析 → 校验" in html
    assert "校验中" in client.get(reverse("dataio:import")).content.decode()
    # it cannot be confirmed before its preview is done
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]), follow=True)
    assert "该文件正在校验" in resp.content.decode() and Project.objects.count() == 4
    # another importer of the same county, another city: neither the job nor the batch
    for other in (world.users.county_clerk, world.users.other_city):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
        assert client.get(reverse("dataio:import_batch", args=[batch.pk])).status_code == 404
    # a job of another kind or batch is not this batch's
    assert Job.objects.filter(key=str(batch.pk)).count() == 1


@LARGE
def test_the_progress_says_its_phase_and_percentage_in_the_page_language(client, world, monkeypatch, compiled):  # noqa: F811
    """What htmx polls each second while the rows are parsed, in Chinese and in English (the
    phase is stored as the importer names it, and shown translated); then a failure's phase."""
    batch = _pending(client, world, monkeypatch)
    job = Job.objects.get(kind=PREVIEW_JOB)
    Job.objects.filter(pk=job.pk).update(phase="解析", done=1503, total=3006, percent=37)
    url = reverse("dataio:import_job", args=[batch.pk, job.pk])

    def running_line(html: str) -> str:
        return html.split('<p class="mb-1">', 1)[1].split("</p>", 1)[0].split("</span>", 1)[1]

    zh = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s"' in zh and 'data-testid="import-percent">37%<' in zh
    assert (
        running_line(zh) == '正在预览：<strong data-testid="import-phase">解析</strong> <span class="text-muted small">（1503/3006）</span>'
    )
    assert "预览分为：读取文件 → 解析 → 校验" in zh
    _switch_to_english(client)
    en = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s"' in en and 'data-testid="import-percent">37%<' in en
    assert (
        running_line(en)
        == 'Previewing: <strong data-testid="import-phase">parsing</strong> <span class="text-muted small">(1503/3006)</span>'
    )
    assert "The preview runs: read the file → parse → check" in en
    Job.objects.filter(pk=job.pk).update(phase="读取文件", status=JobStatus.FAILED, error="文件无法读取")
    en = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Preview not finished (in the “reading the file” phase): 文件无法读取" in en


@LARGE
def test_a_preview_whose_process_died_is_settled_with_its_reason(client, world, monkeypatch):
    batch = _pending(client, world, monkeypatch)
    job = Job.objects.get(kind=PREVIEW_JOB)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - jobs.STALE_AFTER - dt.timedelta(minutes=1))
    html = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.content is None and "服务曾重启" in batch.errors[0]["message"]
    assert "文件校验未完成" in html and Job.objects.get(pk=job.pk).status == JobStatus.FAILED


@LARGE
def test_a_pending_upload_left_for_a_day_expires_with_the_previews(client, world, monkeypatch):
    batch = _pending(client, world, monkeypatch)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - services.PREVIEW_TTL - dt.timedelta(minutes=1))
    assert services._expire_previews() == 1
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.content is None and "后台任务已中断" in batch.errors[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_the_background_preview_runs_in_its_thread_and_finishes(client, world, settings):
    """The real thread: the job advances through 读取文件 → 解析 → 校验 to 100 % and the batch is the preview
    once it ends."""
    import time

    settings.KEYPROJECTS_IMPORT_BACKGROUND_BYTES = 100
    settings.JOBS_BACKGROUND = True
    client.force_login(world.users.county)
    resp = upload(client, workbook(GOOD))
    job = Job.objects.get(kind=PREVIEW_JOB)
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        j = jobs.job_live(Job.objects.get(pk=job.pk))
        seen.append(j.percent)
        if j.status != JobStatus.RUNNING:
            break
        time.sleep(0.1)  # (each read takes the test database's table lock the job's thread writes under)
    j = Job.objects.get(pk=job.pk)
    assert j.status == JobStatus.DONE, j.error
    assert j.percent == 100 and seen == sorted(seen)
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and batch.content and batch.rows == 3
    assert client.get(resp["Location"])["Location"] == reverse("dataio:import_batch", args=[batch.pk])
