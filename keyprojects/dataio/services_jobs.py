"""确认导入 of a large file in the background (``core.jobs``), as the period close does: the same
:func:`.services.import_confirm` (one transaction, all or nothing), started after its checks so
that a refusal shows at once, with its progress (解析 → 校验 → 写入) on a page htmx polls.

A file is *large* above :data:`LARGE_ROWS` project rows (counted at the preview) or
:data:`LARGE_BYTES`; smaller ones are confirmed in the request as before. One confirmation of a
batch at a time (the job key is the batch); the import's own lock keeps two batches apart.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from keyprojects.core.jobs import job_current, job_start
from keyprojects.core.models import Job

from .importer.plan import PHASE_CHECK, PHASE_PARSE, PHASE_WRITE
from .models import ImportBatch
from .services import import_confirm, import_confirmable

IMPORT_JOB = "import_confirm"
IMPORT_PHASES = [(PHASE_PARSE, 15), (PHASE_CHECK, 35), (PHASE_WRITE, 50)]
LARGE_ROWS = 2000
LARGE_BYTES = 1024 * 1024


def is_large(batch: ImportBatch) -> bool:
    rows = getattr(settings, "KEYPROJECTS_IMPORT_BACKGROUND_ROWS", LARGE_ROWS)
    size = getattr(settings, "KEYPROJECTS_IMPORT_BACKGROUND_BYTES", LARGE_BYTES)
    return batch.rows > rows or batch.size > size


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
        title=f"导入“{fresh.filename}”",
        user=user,
        phases=IMPORT_PHASES,
        target=target,
        busy_message="该文件正在导入，请等待完成",
        background=background,
    )
