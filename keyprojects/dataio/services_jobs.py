"""确认导入 of a large file in the background (``core.jobs``), as the period close does: the same
:func:`.services.import_confirm` (one transaction, all or nothing), started after its checks so
that a refusal shows at once, with its progress (读取文件 → 解析 → 校验 → 写入 → 刷新汇总) on a page htmx polls.

A file is *large* above :data:`LARGE_ROWS` project rows (counted at the preview) or
:data:`LARGE_BYTES`; smaller ones are confirmed in the request as before. One confirmation of a
batch at a time (the job key is the batch); the import's own lock keeps two batches apart.

The upload's preview of a file above :data:`LARGE_BYTES` (its rows are unknown before parsing)
runs the same way (:func:`preview_job_start`): the bytes are stored as a *pending* batch
(``services.import_pending``, not confirmable), and a job runs the one preview,
:func:`.services.import_preview`, on that batch (读取文件 → 解析 → 校验), which then is the preview page's
batch as an in-request preview would be. A job that fails leaves the batch 未通过 with the reason
and without the bytes; one whose process died is settled the same way when the batch is next
looked at (:func:`preview_job_settle`) or expires with the other stale previews.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from keyprojects.core.errors import ApplicationError
from keyprojects.core.jobs import job_current, job_start
from keyprojects.core.models import Job
from keyprojects.core.sentences import Sentence, say_again

from .importer.plan import PHASE_CHECK, PHASE_PARSE, PHASE_READ, PHASE_REFRESH, PHASE_WRITE
from .models import ImportBatch, ImportStatus
from .services import import_confirm, import_confirmable, import_pending, import_pending_failed, import_preview

#: The titles of an import's jobs (``Job.title``): stored in Chinese, said again in the page's language.
IMPORT_TITLE = Sentence(gettext_noop("导入“%(file)s”"))
PREVIEW_TITLE = Sentence(gettext_noop("预览“%(file)s”"))


def job_title_shown(title: str) -> str:
    """An import or preview job's stored title in the active language (any other text as stored)."""
    return say_again(title, [IMPORT_TITLE, PREVIEW_TITLE])


IMPORT_JOB = "import_confirm"
# the phases' shares of a confirmed import's CPU time (15,000 new projects, SQLite: ADR 0010)
IMPORT_PHASES = [(PHASE_READ, 13), (PHASE_PARSE, 11), (PHASE_CHECK, 18), (PHASE_WRITE, 22), (PHASE_REFRESH, 36)]
PREVIEW_JOB = "import_preview"
PREVIEW_PHASES = [(PHASE_READ, 25), (PHASE_PARSE, 25), (PHASE_CHECK, 50)]
JOB_KINDS = (IMPORT_JOB, PREVIEW_JOB)
LARGE_ROWS = 2000
LARGE_BYTES = 1024 * 1024


def _large_bytes() -> int:
    return int(getattr(settings, "KEYPROJECTS_IMPORT_BACKGROUND_BYTES", LARGE_BYTES))


def is_large(batch: ImportBatch) -> bool:
    rows = getattr(settings, "KEYPROJECTS_IMPORT_BACKGROUND_ROWS", LARGE_ROWS)
    return batch.rows > rows or batch.size > _large_bytes()


def is_large_upload(size: int) -> bool:
    """An upload previewed in the background: its size only (rows are known after parsing)."""
    return size > _large_bytes()


def import_job_current(batch: ImportBatch) -> Job | None:
    return job_current(IMPORT_JOB, str(batch.pk))


def import_job_start(*, user: Any, batch: ImportBatch, request: Any = None, background: bool | None = None) -> Job:
    """Check as :func:`import_confirm` does (raises its errors), then run it as a job keyed by
    the batch; the job's result is the outcome's counts (``errors``: how many, none written)."""
    fresh = import_confirmable(user=user, batch=batch)
    user_pk, batch_pk = user.pk, fresh.pk

    def target(progress: Any) -> dict[str, Any]:
        from keyprojects.accounts.models import User

        importer = User.objects.get(pk=user_pk)
        outcome = import_confirm(user=importer, batch=ImportBatch(pk=batch_pk), request=request, progress=progress)
        return {
            "batch": batch_pk,
            "errors": len(outcome.errors),
            "created": outcome.created,
            "updated": outcome.updated,
            "reports_created": outcome.reports_created,
            "reports_updated": outcome.reports_updated,
        }

    return job_start(
        kind=IMPORT_JOB,
        key=str(batch_pk),
        title=IMPORT_TITLE.zh(file=fresh.filename),
        user=user,
        phases=IMPORT_PHASES,
        target=target,
        busy_message="该文件正在导入，请等待完成",
        background=background,
    )


def preview_job_start(
    *, user: Any, data: bytes, filename: str, period: Any = None, sheet: str | None = None, background: bool | None = None
) -> tuple[ImportBatch, Job]:
    """Store the upload as a pending batch (raises as the preview would: permission, period),
    then preview it as a job keyed by the batch; the job's result is the preview's counts."""
    pending = import_pending(user=user, data=data, filename=filename, period=period, sheet=sheet)
    user_pk, batch_pk = user.pk, pending.pk

    def target(progress: Any) -> dict[str, Any]:
        from keyprojects.accounts.models import User

        try:
            importer = User.objects.get(pk=user_pk)
            batch = ImportBatch.objects.select_related("region").get(pk=batch_pk, status=ImportStatus.PENDING)
            done = import_preview(
                user=importer,
                data=bytes(batch.content or b""),
                filename=batch.filename,
                period=batch.period_requested,
                sheet=batch.sheet or None,
                batch=batch,
                progress=progress,
            )
        except ApplicationError as exc:
            import_pending_failed(batch_pk, f"文件校验未完成：{exc.message}")
            raise
        except Exception as exc:
            import_pending_failed(batch_pk, f"文件校验未完成：后台任务出错（{type(exc).__name__}），请重新上传；仍出错时请联系系统管理员。")
            raise
        return {"batch": batch_pk, "rows": done.rows, "errors": done.error_count, "warnings": done.warning_count}

    job = job_start(
        kind=PREVIEW_JOB,
        key=str(batch_pk),
        title=PREVIEW_TITLE.zh(file=pending.filename),
        user=user,
        phases=PREVIEW_PHASES,
        target=target,
        busy_message="该文件正在校验，请等待完成",
        background=background,
    )
    return pending, job


def preview_job_current(batch: ImportBatch) -> Job | None:
    return job_current(PREVIEW_JOB, str(batch.pk))


def preview_job_settle(batch: ImportBatch) -> Job | None:
    """A pending batch's running preview job, or None after settling a batch whose job is gone
    (failed, or its process died: ``job_current`` marks it failed): it becomes 未通过 with the
    job's reason and without its bytes (the caller reads it again)."""
    if batch.status != ImportStatus.PENDING:
        return None
    running = preview_job_current(batch)
    if running is not None:
        return running
    last = Job.objects.filter(kind=PREVIEW_JOB, key=str(batch.pk)).order_by("-pk").first()
    reason = last.error if last is not None and last.error else "后台任务已中断，数据未作任何修改，请重新上传文件。"
    import_pending_failed(batch.pk, f"文件校验未完成：{reason}")
    return None
