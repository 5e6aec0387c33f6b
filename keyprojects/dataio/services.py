"""Importing project lists and monthly dispatch tables (reliability.md 3, 6, 14, 21).

``import_file`` is the one entry point for the web page and ``manage.py import_projects``:

1. **parse** the file (``parsing.parse_file``) into :class:`~keyprojects.dataio.types.ParseResult`;
2. **read** the rows into items with the values mapped to the model's words (``importer.read``);
3. **resolve** every row against the database in a handful of set queries: the project it
   names (natural keys: 项目代码, else 项目名称 + 所属区域), its region (the row's place name,
   else the default region), owner (USCC, else exact name), responsible unit and sponsor
   leader (by name, among those the user may link), list level, category, nature, the year's
   plan and the period's figures;
4. **check** with the rules of the services (``Project.clean``, the model fields'
   validators, ``writable_fields``, the link selectors, the submission checks of
   ``dispatch.services.report_checks_from`` on preloaded history) without building a model
   per field or saving per row;
5. if anything is an **error**, write nothing and return every error and warning; otherwise
   write everything in **one transaction** (projects created or updated by natural key, their
   year plans, the period's monthly reports submitted by the uploader, life-cycle and workflow
   rows), re-check the scope of every written project inside it, record the batch and one
   ``import`` audit event, and commit. Killing the process half-way leaves nothing behind.

This module holds the entry points, the batch records and the audit events; the steps live in
``dataio.importer`` (``read``, ``resolve``, ``check``, ``write``). Writes go through the one bulk
write path, ``core.bulk``: raw multi-row ``INSERT``s (SQLite) or ``COPY`` (PostgreSQL) in batches, every row
the services would write (projects with their "created" event, year plans, submitted reports
with their submit step and flags), after everything was preloaded in a few set queries and
validated in memory; rows derived from rows just written (events, steps) are made by the
database (``INSERT … SELECT``); on SQLite a table receiving more rows than it holds gets its
non-unique indexes rebuilt once instead of updated per row (``bulk_load``). The bulk path must
stay within 4× the cost of reading the file and inserting its rows (``make bench``; ADR 0010).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from keyprojects.audit.services import audit_record
from keyprojects.core.bulk import page_cache
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied
from keyprojects.core.money import Period

from . import issue_text as T
from .importer import Importer, ImportFailed, Plan, Progress
from .importer.plan import PHASE_PARSE, PHASE_READ, PHASE_REFRESH
from .models import ImportBatch, ImportSource, ImportStatus
from .parsing import parse_sheets
from .reader import read_sheets
from .synonyms import load_extra_synonyms
from .types import Issue, ParseResult

PREVIEW_TTL = dt.timedelta(hours=24)
MAX_ISSUES = 20_000  # kept in a batch record; the count is always exact
SYSTEM_ACTOR = "manage.py import_projects"


class DuplicateFile(ApplicationError):
    code = "duplicate_file"
    status = 409
    default_message = "该文件已导入过"


# --------------------------------------------------------------------------------------------
# The outcome
# --------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import found (and, unless ``dry_run`` or errors, did)."""

    filename: str
    sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    enterprises_created: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    totals: dict[str, str | None] = field(
        default_factory=lambda: {"total_investment": "0.0000", "annual_plan": "0.0000", "invested_ytd": None}
    )
    period: tuple[int, int] | None = None
    dry_run: bool = False
    written: bool = False
    batch: ImportBatch | None = None
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def period_label(self) -> str:
        return str(Period(*self.period)) if self.period else ""

    def as_json(self) -> dict[str, Any]:
        """The object ``import_projects --json`` prints (the issue's contract, nothing more)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "totals": dict(self.totals),
        }


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_period(value: Any) -> tuple[int, int] | None:
    """``"2024-06"``, ``(2024, 6)`` or a :class:`Period` → (year, month); ``None`` stays ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, Period):
        return (value.year, value.month)
    if isinstance(value, tuple | list):
        p = Period(int(value[0]), int(value[1]))
    else:
        try:
            p = Period.parse(str(value))
        except (ValueError, TypeError):
            raise ApplicationError(T.INVALID_PERIOD.zh(value=value), code="invalid_period") from None
    return (p.year, p.month)


def import_file(
    *,
    user: Any,
    data: bytes,
    filename: str,
    region: Any = None,
    period: Any = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch: ImportBatch | None = None,
    request: Any = None,
) -> ImportOutcome:
    """Parse, validate and (unless ``dry_run`` or any error) import ``data`` in one transaction.

    ``user`` is the uploader (``None``: the command line, acting for the system with full
    scope). ``region`` (a Region or its code) is the region of rows that name none; county and
    department users always import into their own region. ``period`` ("YYYY-MM") is the
    reporting period of the figures when the file does not say. ``batch`` is the preview batch
    a web confirmation imports.
    """
    _check_permission(user)
    with _bulk_gc(), translation.override("zh-hans"):  # the issues are stored in Chinese (issue_text)
        return _import_file(
            user=user, data=data, filename=filename, region=region, period=period, sheet=sheet, dry_run=dry_run, progress=progress,
            batch=batch, request=request,
        )  # fmt: skip


@contextlib.contextmanager
def _bulk_gc() -> Iterator[None]:
    """The cyclic garbage collector off while tens of thousands of small objects are made and
    dropped (reference counting still frees them); one collection afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _import_file(
    *,
    user: Any,
    data: bytes,
    filename: str,
    region: Any,
    period: Any,
    sheet: str | None,
    dry_run: bool,
    progress: Progress | None,
    batch: ImportBatch | None,
    request: Any,
) -> ImportOutcome:
    sha = file_sha256(data)
    wanted = parse_period(period)
    outcome = ImportOutcome(filename=filename, sha256=sha, dry_run=dry_run)
    duplicate = _already_imported(sha)
    try:
        results = _parse(data, filename=filename, sheet=sheet, period=wanted, progress=progress)
    except ApplicationError as exc:
        outcome.errors.append(Issue(sheet="", row=None, column="", value=filename, message=exc.message))
        return _finish_failed(outcome, user=user, batch=batch, region=region, period=wanted, sheet=sheet, request=request)
    if duplicate is not None:
        outcome.errors.append(_duplicate_issue(duplicate, filename))
    return import_parsed(
        user=user,
        results=results,
        filename=filename,
        sha256=sha,
        region=region,
        period=wanted,
        sheet=sheet,
        dry_run=dry_run,
        progress=progress,
        batch=batch,
        request=request,
        outcome=outcome,
        size=len(data),
    )


def import_parsed(
    *,
    user: Any,
    results: Sequence[ParseResult],
    filename: str = "",
    sha256: str = "",
    region: Any = None,
    period: Any = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch: ImportBatch | None = None,
    request: Any = None,
    outcome: ImportOutcome | None = None,
    size: int = 0,
) -> ImportOutcome:
    """Steps 2-4 of :func:`import_file` for already parsed results (tests build them by hand)."""
    with translation.override("zh-hans"):  # the issues are stored in Chinese (issue_text)
        return _import_parsed(
            user=user, results=results, filename=filename, sha256=sha256, region=region, period=period, sheet=sheet,
            dry_run=dry_run, progress=progress, batch=batch, request=request, outcome=outcome, size=size,
        )  # fmt: skip


def _import_parsed(
    *,
    user: Any,
    results: Sequence[ParseResult],
    filename: str,
    sha256: str,
    region: Any,
    period: Any,
    sheet: str | None,
    dry_run: bool,
    progress: Progress | None,
    batch: ImportBatch | None,
    request: Any,
    outcome: ImportOutcome | None,
    size: int,
) -> ImportOutcome:
    _check_permission(user)
    wanted = parse_period(period)
    if outcome is None:
        outcome = ImportOutcome(filename=filename, sha256=sha256 or file_sha256(repr(results).encode()), dry_run=dry_run)
        duplicate = _already_imported(outcome.sha256)
        if duplicate is not None:
            outcome.errors.append(_duplicate_issue(duplicate, filename))
    default_region = _region_arg(region)
    if dry_run or outcome.errors:
        plan = Importer(user=user, results=results, default_region=default_region, period=wanted, progress=progress).plan()
        _fill_outcome(outcome, plan)
        if outcome.errors and not dry_run:
            return _finish_failed(outcome, user=user, batch=batch, region=default_region, period=wanted, sheet=sheet, request=request)
        return outcome
    try:
        with transaction.atomic():
            _lock_imports(outcome, batch)
            importer = Importer(user=user, results=results, default_region=default_region, period=wanted, progress=progress)
            plan = importer.plan()
            _fill_outcome(outcome, plan)
            if outcome.errors:
                raise ImportFailed(outcome.errors)
            with page_cache():  # what the write puts in the cache, the refresh reads back
                importer.write(plan)
                _refresh_figures(plan, importer.written, progress)
            outcome.batch = _record_success(
                outcome, user=user, batch=batch, region=default_region, period=wanted, sheet=sheet, request=request, size=size
            )
            outcome.written = True
    except ImportFailed as exc:
        outcome.errors = _merge_issues(outcome.errors, exc.issues)
        outcome.created = outcome.updated = outcome.unchanged = 0
        outcome.reports_created = outcome.reports_updated = outcome.enterprises_created = 0
        return _finish_failed(outcome, user=user, batch=batch, region=default_region, period=wanted, sheet=sheet, request=request)
    return outcome


def import_preview(
    *,
    user: Any,
    data: bytes,
    filename: str,
    period: Any = None,
    sheet: str | None = None,
    request: Any = None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Upload step of the web flow: validate without writing and keep a batch to confirm.

    The batch holds the file's bytes only when it can be confirmed (no errors); stale
    previews are emptied here, so uploads never pile up. ``batch`` is the pending batch of a
    large upload (:func:`import_pending`) that a background job previews (``services_jobs``):
    it becomes the preview (or the failure) instead of a new batch; ``progress`` reports
    读取文件 → 解析 → 校验.
    """
    _check_permission(user)
    _expire_previews()
    region = import_default_region(user) if batch is None else batch.region
    outcome = import_file(
        user=user, data=data, filename=filename, region=region, period=period, sheet=sheet, dry_run=True, progress=progress
    )
    wanted = parse_period(period)
    if batch is None:
        batch = _new_batch(outcome, user=user, region=region, period=wanted, sheet=sheet, size=len(data))
    batch.status = ImportStatus.FAILED if outcome.errors else ImportStatus.PREVIEW
    batch.content = None if outcome.errors else data
    _store_outcome(batch, outcome)
    batch.save()
    return batch


def import_pending(*, user: Any, data: bytes, filename: str, period: Any = None, sheet: str | None = None) -> ImportBatch:
    """A large upload stored as it arrived (status 校验中, nothing parsed yet), for a job to
    preview with :func:`import_preview` (``services_jobs.preview_job_start``). It cannot be
    confirmed until then; if the job fails it keeps no bytes (:func:`import_pending_failed`)."""
    _check_permission(user)
    _expire_previews()
    outcome = ImportOutcome(filename=filename, sha256=file_sha256(data))
    batch = _new_batch(outcome, user=user, region=import_default_region(user), period=parse_period(period), sheet=sheet, size=len(data))
    batch.status = ImportStatus.PENDING
    batch.content = data
    batch.save()
    return batch


def import_pending_failed(batch_pk: int, message: str) -> bool:
    """The preview of a pending batch did not finish: it becomes 未通过 with ``message`` as its
    one error and its bytes dropped. False if it was no longer pending."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_pk, status=ImportStatus.PENDING).first()
        if batch is None:
            return False
        _fail_pending(batch, message)
    return True


def _fail_pending(batch: ImportBatch, message: str) -> None:
    batch.content = None
    batch.status = ImportStatus.FAILED
    batch.errors = [Issue(sheet="", row=None, column="", value=batch.filename, message=message).as_dict()]
    batch.error_count = 1
    batch.save(update_fields=["content", "status", "errors", "error_count", "updated_at"])


def import_confirmable(*, user: Any, batch: ImportBatch) -> ImportBatch:
    """The preview ``batch`` read afresh, if ``user`` may confirm it now (else the refusal)."""
    _check_permission(user)
    fresh = ImportBatch.objects.visible_to(user).filter(pk=batch.pk).first()
    if fresh is None:
        raise NotFound()
    if fresh.status == ImportStatus.IMPORTED:
        raise DuplicateFile(_duplicate_issue(fresh, fresh.filename).message)
    if fresh.status == ImportStatus.PENDING:
        raise ApplicationError(gettext_noop("该文件正在校验，请等待预览完成后再确认导入"), code="preview_pending")
    if fresh.status != ImportStatus.PREVIEW or fresh.content is None:
        raise ApplicationError(gettext_noop("该预览已失效（有错误、已过期或已处理），请重新上传文件"), code="preview_expired")
    return fresh


def import_confirm(*, user: Any, batch: ImportBatch, request: Any = None, progress: Progress | None = None) -> ImportOutcome:
    """ "确认导入": re-run the whole import from the stored bytes, this time writing (a large
    file from the page: in the background, ``services_jobs``)."""
    batch = import_confirmable(user=user, batch=batch)
    return import_file(
        user=user,
        data=bytes(batch.content or b""),
        filename=batch.filename,
        region=batch.region,
        period=batch.period_requested,
        sheet=batch.sheet or None,
        batch=batch,
        request=request,
        progress=progress,
    )


def batch_issue_rows(batch: ImportBatch) -> list[tuple[str, str, Any, str, str, str]]:
    """(类型, 工作表, 行号, 列, 值, 问题) for the downloadable error list: errors first."""
    out: list[tuple[str, str, Any, str, str, str]] = []
    for kind, issues in (("错误", batch.errors), ("警告", batch.warnings)):
        for i in issues or []:
            out.append((kind, i.get("sheet", ""), i.get("row"), i.get("column", ""), i.get("value", ""), i.get("message", "")))
    return out


# --------------------------------------------------------------------------------------------
# Helpers of the entry points
# --------------------------------------------------------------------------------------------


def can_import(user: Any) -> bool:
    """Who may import: whoever may create projects (province, city, county, department)."""
    from keyprojects.accounts import policy

    if user is None:
        return True
    return policy.can_import(user)


def _check_permission(user: Any) -> None:
    if not can_import(user):
        raise PermissionDenied(gettext_noop("您没有导入项目的权限"))


def import_default_region(user: Any) -> Any:
    from keyprojects.accounts import policy

    return None if user is None or policy.is_superuser(user) else policy.home_region(user)


def _region_arg(region: Any) -> Any:
    from keyprojects.regions.models import Region

    if region in (None, ""):
        return None
    if isinstance(region, Region):
        return region
    found = Region.objects.filter(code=str(region).strip()).first()
    if found is None:
        raise ApplicationError(T.REGION_CODE_UNKNOWN.zh(code=region), code="invalid_region")
    return found


def _already_imported(sha: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(sha256=sha, status=ImportStatus.IMPORTED).select_related("uploaded_by").first()


def _duplicate_issue(batch: ImportBatch, filename: str) -> Issue:
    when = timezone.localtime(batch.imported_at or batch.created_at)
    who = batch.uploaded_by.get_username() if batch.uploaded_by else T.COMMAND_LINE
    return Issue(
        sheet="",
        row=None,
        column="",
        value=filename,
        message=T.ALREADY_IMPORTED.zh(when=f"{when:%Y-%m-%d %H:%M}", batch=batch.pk, who=who),
    )


def _parse(
    data: bytes, *, filename: str, sheet: str | None, period: tuple[int, int] | None, progress: Progress | None
) -> list[ParseResult]:
    """The parser (``parsing.parse_file`` in its two steps: 读取 the sheets, then 解析 their rows,
    reported as it goes), reading headers with the built-in synonyms and the administrator's
    (``HeaderSynonym``, which win)."""
    if progress:
        progress(PHASE_READ, 0, 1)
    try:
        sheets = read_sheets(data, filename=filename, sheet=sheet)
        if progress:
            progress(PHASE_READ, 1, 1)
        rows = (lambda done, total: progress(PHASE_PARSE, done, total)) if progress else None
        results = parse_sheets(sheets, sheet=sheet, period=period, extra_synonyms=load_extra_synonyms(), progress=rows)
    except ApplicationError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc) or "文件无法读取"
        raise ApplicationError(T.UNREADABLE.zh(why=message), code="unreadable") from exc
    return list(results)


def _lock_imports(outcome: ImportOutcome, batch: ImportBatch | None) -> None:
    """Inside the write transaction: one import at a time (PostgreSQL advisory lock; SQLite's
    IMMEDIATE transaction already serialises writers), then the duplicate check again, so two
    confirmations of one preview, or of the same file, never both import."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(727272)")
    done = _already_imported(outcome.sha256)
    if done is not None:
        raise ImportFailed([_duplicate_issue(done, outcome.filename)])
    if batch is not None:
        current = ImportBatch.objects.select_for_update().filter(pk=batch.pk).values_list("status", flat=True).first()
        if current != ImportStatus.PREVIEW:
            raise ImportFailed([Issue(sheet="", row=None, column="", value=outcome.filename, message=T.PREVIEW_GONE.zh())])


def _merge_issues(a: list[Issue], b: list[Issue]) -> list[Issue]:
    seen = set(a)
    return [*a, *(i for i in b if i not in seen)]


def _fill_outcome(outcome: ImportOutcome, plan: Plan) -> None:
    outcome.rows = plan.rows
    outcome.errors = _merge_issues(outcome.errors, plan.errors)
    outcome.warnings = plan.warnings
    outcome.totals = plan.totals
    outcome.period = plan.period
    outcome.sample = plan.sample
    if outcome.errors:
        return
    outcome.created = plan.created
    outcome.updated = plan.updated
    outcome.unchanged = plan.unchanged
    outcome.reports_created = plan.reports_created
    outcome.reports_updated = plan.reports_updated
    outcome.enterprises_created = plan.enterprises_created


def _store_outcome(batch: ImportBatch, outcome: ImportOutcome) -> None:
    batch.rows = outcome.rows
    batch.created_count = outcome.created
    batch.updated_count = outcome.updated
    batch.unchanged_count = outcome.unchanged
    batch.reports_created = outcome.reports_created
    batch.reports_updated = outcome.reports_updated
    batch.enterprises_created = outcome.enterprises_created
    batch.error_count = len(outcome.errors)
    batch.warning_count = len(outcome.warnings)
    batch.errors = [i.as_dict() for i in outcome.errors[:MAX_ISSUES]]
    batch.warnings = [i.as_dict() for i in outcome.warnings[:MAX_ISSUES]]
    batch.totals = dict(outcome.totals)
    batch.sample = outcome.sample
    batch.period_found = outcome.period_label


def _summary(outcome: ImportOutcome) -> dict[str, Any]:
    return {
        "sha256": outcome.sha256,
        "filename": outcome.filename,
        "rows": outcome.rows,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "reports_created": outcome.reports_created,
        "reports_updated": outcome.reports_updated,
        "enterprises_created": outcome.enterprises_created,
        "errors": len(outcome.errors),
        "warnings": len(outcome.warnings),
        "period": outcome.period_label,
        "totals": outcome.totals,
    }


def _new_batch(
    outcome: ImportOutcome, *, user: Any, region: Any, period: tuple[int, int] | None, sheet: str | None, size: int = 0
) -> ImportBatch:
    """The one way an ImportBatch is built (preview, success and failure paths)."""
    return ImportBatch(
        sha256=outcome.sha256,
        filename=outcome.filename[:255],
        size=size,
        source=ImportSource.CLI if user is None else ImportSource.WEB,
        uploaded_by=user,
        region=region if not isinstance(region, str) else None,
        period_year=period[0] if period else None,
        period_month=period[1] if period else None,
        sheet=(sheet or "")[:100],
    )


def _record_success(
    outcome: ImportOutcome,
    *,
    user: Any,
    batch: ImportBatch | None,
    region: Any,
    period: tuple[int, int] | None,
    sheet: str | None,
    request: Any,
    size: int,
) -> ImportBatch:
    """Inside the import's transaction: the batch becomes ``imported`` (the partial unique
    index refuses a second imported batch of the same file) and one audit event is written."""
    if batch is None:
        batch = _new_batch(outcome, user=user, region=region, period=period, sheet=sheet, size=size)
    batch.status = ImportStatus.IMPORTED
    batch.imported_at = timezone.now()
    batch.content = None
    _store_outcome(batch, outcome)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:
        raise ImportFailed([_duplicate_issue(_already_imported(outcome.sha256) or batch, outcome.filename)]) from None
    audit_record(
        action="import",
        user=user,
        request=request,
        obj=batch,
        changes=_summary(outcome),
        username="" if user is not None else SYSTEM_ACTOR,
    )
    return batch


def _finish_failed(
    outcome: ImportOutcome,
    *,
    user: Any,
    batch: ImportBatch | None,
    region: Any,
    period: tuple[int, int] | None,
    sheet: str | None,
    request: Any,
) -> ImportOutcome:
    """No business row was written. A real (not dry) run still leaves a ``failed`` batch with
    its error list and an audit event, outside the rolled-back transaction."""
    if outcome.dry_run:
        return outcome
    if batch is None:
        batch = _new_batch(outcome, user=user, region=region, period=period, sheet=sheet)
    batch.status = ImportStatus.FAILED
    batch.content = None
    _store_outcome(batch, outcome)
    with transaction.atomic():
        batch.save()
        audit_record(
            action="import",
            user=user,
            request=request,
            obj=batch,
            changes=_summary(outcome),
            result="failed",
            message=outcome.errors[0].message if outcome.errors else "",
            username="" if user is not None else SYSTEM_ACTOR,
        )
    outcome.batch = batch
    return outcome


def _expire_previews() -> int:
    """Previews not confirmed within a day lose their stored file; so does a pending upload
    whose preview never finished (its process died)."""
    cutoff = timezone.now() - PREVIEW_TTL
    stale = list(
        ImportBatch.objects.filter(status__in=[ImportStatus.PREVIEW, ImportStatus.PENDING], created_at__lt=cutoff).only(
            "pk", "filename", "errors", "status"
        )
    )
    for b in stale:
        if b.status == ImportStatus.PENDING:
            _fail_pending(b, "文件校验未能完成（后台任务已中断），已失效，请重新上传")
        else:
            _fail_pending(b, "预览超过一天未确认，已失效，请重新上传")
    return len(stale)


__all__ = [
    "DuplicateFile",
    "ImportFailed",
    "ImportOutcome",
    "batch_issue_rows",
    "can_import",
    "file_sha256",
    "import_confirm",
    "import_default_region",
    "import_file",
    "import_parsed",
    "import_pending",
    "import_pending_failed",
    "import_preview",
    "parse_period",
]


def _refresh_figures(plan: Any, written: Any = None, progress: Progress | None = None) -> None:
    """Imported figures count at once (submitted reports): the one refresh action brings the
    facts, warnings and summaries of the imported projects up to date, in the import's
    transaction; the rows of the projects it created are handed over (``written``), not read
    back. ``progress`` hears it as the phase 刷新汇总 (per chunk of projects and per period)."""
    from keyprojects.analytics.refresh import refresh_years

    items = [i for i in plan.items if not i.dropped and i.pk]
    years = {i.year for i in items if getattr(i, "year", None)} | {r.period[0] for r in plan.reports}
    if progress:
        progress(PHASE_REFRESH, 0, 1)  # the phase starts and ends even when nothing is refreshed
    heard = (lambda done, total: progress(PHASE_REFRESH, done, total)) if progress else None
    refresh_years(project_ids=[i.pk for i in items], years=years, written=written, progress=heard)
    if progress:
        progress(PHASE_REFRESH, 1, 1)
