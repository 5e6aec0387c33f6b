"""Importing project lists and monthly dispatch tables (reliability.md 3, 6, 14, 21).

``import_file`` is the one entry point for the web page and ``manage.py import_projects``:

1. **parse** the file (``parsing.parse_file``) into :class:`~keyprojects.dataio.types.ParseResult`;
2. **resolve** every row against the database in a handful of set queries: the project it
   names (natural keys: 项目代码, else 项目名称 + 所属区域), its region (the row's place name,
   else the default region), owner (USCC, else exact name), responsible unit and sponsor
   leader (by name, among those the user may link), list level, category, nature, the year's
   plan and the period's figures;
3. **validate** with the rules of the services (``Project.clean``, the model fields'
   validators, ``writable_fields``, the link selectors, the submission checks of
   ``dispatch.services.report_checks_from`` on preloaded history) without building a model
   per field or saving per row;
4. if anything is an **error**, write nothing and return every error and warning; otherwise
   write everything in **one transaction** (projects created or updated by natural key, their
   year plans, the period's monthly reports submitted by the uploader, life-cycle and workflow
   rows), re-check the scope of every written project inside it, record the batch and one
   ``import`` audit event, and commit. Killing the process half-way leaves nothing behind.

Writes are raw multi-row ``INSERT``s (SQLite) or ``COPY`` (PostgreSQL) in batches, every row
the services would write (projects with their "created" event, year plans, submitted reports
with their submit step and flags), after everything was preloaded in a few set queries and
validated in memory; rows derived from rows just written (events, steps) are made by the
database (``INSERT … SELECT``); on SQLite a table receiving more rows than it holds gets its
non-unique indexes rebuilt once instead of updated per row (``_bulk_load``). The bulk path must
stay within 4× the cost of reading the file and inserting its rows (``make bench``; ADR 0010).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied
from keyprojects.core.money import Period
from keyprojects.core.validators import (
    PROJECT_CODE_RE,
    normalize_uscc,
    project_code_region,
    validate_project_code_shape,
    validate_uscc,
)
from keyprojects.projects.choices import Stage

from .models import ImportBatch, ImportSource, ImportStatus
from .normalize import RegionMatch, RegionResolver
from .parsing import parse_file
from .synonyms import load_extra_synonyms
from .types import FIELD_LABELS, Issue, ParsedRow, ParseResult

Progress = Callable[[str, int, int], None]

WAN = Decimal("0.0001")
PCT = Decimal("0.01")
ZERO = Decimal(0)
CHUNK = 2000  # ids per IN (...) query and rows per executemany
PREVIEW_TTL = dt.timedelta(hours=24)
SAMPLE_ROWS = 50
MAX_ISSUES = 20_000  # kept in a batch record; the count is always exact
SYSTEM_ACTOR = "manage.py import_projects"

PHASE_PARSE = "解析"
PHASE_CHECK = "校验"
PHASE_WRITE = "写入"


class DuplicateFile(ApplicationError):
    code = "duplicate_file"
    status = 409
    default_message = "该文件已导入过"


class ImportFailed(ApplicationError):
    """Raised inside the write transaction to roll it back; ``issues`` say why."""

    code = "import_failed"
    default_message = "导入未完成，数据未写入"

    def __init__(self, issues: list[Issue]):
        super().__init__(issues[0].message if issues else None)
        self.issues = issues


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
            raise ApplicationError(f"调度期“{value}”无效，应为 YYYY-MM（如 2024-06）", code="invalid_period") from None
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
    with _bulk_gc():
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
    _check_permission(user)
    wanted = parse_period(period)
    if outcome is None:
        outcome = ImportOutcome(filename=filename, sha256=sha256 or file_sha256(repr(results).encode()), dry_run=dry_run)
        duplicate = _already_imported(outcome.sha256)
        if duplicate is not None:
            outcome.errors.append(_duplicate_issue(duplicate, filename))
    default_region = _region_arg(region)
    if dry_run or outcome.errors:
        plan = _Importer(user=user, results=results, default_region=default_region, period=wanted, progress=progress).plan()
        _fill_outcome(outcome, plan)
        if outcome.errors and not dry_run:
            return _finish_failed(outcome, user=user, batch=batch, region=default_region, period=wanted, sheet=sheet, request=request)
        return outcome
    try:
        with transaction.atomic():
            _lock_imports(outcome, batch)
            importer = _Importer(user=user, results=results, default_region=default_region, period=wanted, progress=progress)
            plan = importer.plan()
            _fill_outcome(outcome, plan)
            if outcome.errors:
                raise ImportFailed(outcome.errors)
            importer.write(plan)
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
    *, user: Any, data: bytes, filename: str, period: Any = None, sheet: str | None = None, request: Any = None
) -> ImportBatch:
    """Upload step of the web flow: validate without writing and keep a batch to confirm.

    The batch holds the file's bytes only when it can be confirmed (no errors); stale
    previews are emptied here, so uploads never pile up.
    """
    _check_permission(user)
    _expire_previews()
    region = import_default_region(user)
    outcome = import_file(user=user, data=data, filename=filename, region=region, period=period, sheet=sheet, dry_run=True)
    wanted = parse_period(period)
    batch = _new_batch(outcome, user=user, region=region, period=wanted, sheet=sheet, size=len(data))
    batch.status = ImportStatus.FAILED if outcome.errors else ImportStatus.PREVIEW
    batch.content = None if outcome.errors else data
    _store_outcome(batch, outcome)
    batch.save()
    return batch


def import_confirm(*, user: Any, batch: ImportBatch, request: Any = None) -> ImportOutcome:
    """ "确认导入": re-run the whole import from the stored bytes, this time writing."""
    _check_permission(user)
    batch = ImportBatch.objects.visible_to(user).filter(pk=batch.pk).first()  # type: ignore[assignment]
    if batch is None:
        raise NotFound()
    if batch.status == ImportStatus.IMPORTED:
        raise DuplicateFile(_duplicate_issue(batch, batch.filename).message)
    if batch.status != ImportStatus.PREVIEW or batch.content is None:
        raise ApplicationError("该预览已失效（有错误、已过期或已处理），请重新上传文件", code="preview_expired")
    return import_file(
        user=user,
        data=bytes(batch.content),
        filename=batch.filename,
        region=batch.region,
        period=batch.period_requested,
        sheet=batch.sheet or None,
        batch=batch,
        request=request,
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
    from keyprojects.projects.services import can_create_project

    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_active and can_create_project(user))


def _check_permission(user: Any) -> None:
    if not can_import(user):
        raise PermissionDenied("您没有导入项目的权限")


def import_default_region(user: Any) -> Any:
    from keyprojects.projects.selectors import home_region

    return None if user is None or user.is_superuser else home_region(user)


def _region_arg(region: Any) -> Any:
    from keyprojects.regions.models import Region

    if region in (None, ""):
        return None
    if isinstance(region, Region):
        return region
    found = Region.objects.filter(code=str(region).strip()).first()
    if found is None:
        raise ApplicationError(f"区划代码“{region}”不存在", code="invalid_region")
    return found


def _already_imported(sha: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(sha256=sha, status=ImportStatus.IMPORTED).select_related("uploaded_by").first()


def _duplicate_issue(batch: ImportBatch, filename: str) -> Issue:
    when = timezone.localtime(batch.imported_at or batch.created_at)
    who = batch.uploaded_by.get_username() if batch.uploaded_by else "命令行"
    return Issue(
        sheet="",
        row=None,
        column="",
        value=filename,
        message=f"该文件已于{when:%Y-%m-%d %H:%M}导入（批次#{batch.pk}，{who}），不能重复导入",
    )


def _parse(
    data: bytes, *, filename: str, sheet: str | None, period: tuple[int, int] | None, progress: Progress | None
) -> list[ParseResult]:
    """The parser, reading headers with the built-in synonyms and the administrator's
    (``HeaderSynonym``, which win)."""
    if progress:
        progress(PHASE_PARSE, 0, 1)
    try:
        results = parse_file(data, filename=filename, sheet=sheet, period=period, extra_synonyms=load_extra_synonyms())
    except ApplicationError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc) or "文件无法读取"
        raise ApplicationError(f"文件无法读取：{message}", code="unreadable") from exc
    if progress:
        progress(PHASE_PARSE, 1, 1)
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
            raise ImportFailed(
                [Issue(sheet="", row=None, column="", value=outcome.filename, message="该预览已处理或已失效，请重新上传文件")]
            )


def _merge_issues(a: list[Issue], b: list[Issue]) -> list[Issue]:
    seen = set(a)
    return [*a, *(i for i in b if i not in seen)]


def _fill_outcome(outcome: ImportOutcome, plan: _Plan) -> None:
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
    """Previews not confirmed within a day lose their stored file."""
    cutoff = timezone.now() - PREVIEW_TTL
    stale = list(ImportBatch.objects.filter(status=ImportStatus.PREVIEW, created_at__lt=cutoff).only("pk", "filename", "errors"))
    for b in stale:
        b.content = None
        b.status = ImportStatus.FAILED
        b.errors = [Issue(sheet="", row=None, column="", value=b.filename, message="预览超过一天未确认，已失效，请重新上传").as_dict()]
        b.error_count = 1
        b.save(update_fields=["content", "status", "errors", "error_count", "updated_at"])
    return len(stale)


# --------------------------------------------------------------------------------------------
# Value mapping: the words real tables use
# --------------------------------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")


def name_key(text: str) -> str:
    """Names compared as people mean them: no whitespace, brackets in one form."""
    return _SPACE_RE.sub("", str(text)).replace("(", "（").replace(")", "）")


def _word(text: str) -> str:
    return re.sub(r"[\s（）()【】\[\]、，,;；:：]", "", str(text))


def _choice_map(choices: Iterable[tuple[str, Any]], extra: dict[str, str]) -> dict[str, str]:
    out = {_word(str(label)): value for value, label in choices}
    out.update({_word(value): value for value, _ in choices})
    out.update({_word(k): v for k, v in extra.items()})
    return out


def _mapper(table: dict[str, str], suffixes: tuple[str, ...] = ("项目", "类")) -> Callable[[str], str | None]:
    cache: dict[str, str | None] = {}

    def find(text: str) -> str | None:
        if text in cache:
            return cache[text]
        w = _word(text)
        found = table.get(w)
        if found is None:
            for s in suffixes:
                if w.endswith(s) and table.get(w[: -len(s)]):
                    found = table[w[: -len(s)]]
                    break
        cache[text] = found
        return found

    return find


def _build_mappers() -> dict[str, Callable[[str], str | None]]:
    from keyprojects.projects.choices import Category, Nature, Stage

    category = _choice_map(
        Category.choices,
        {
            "产业": "industry",
            "工业": "industry",
            "工业项目": "industry",
            "服务业": "industry",
            "农业": "industry",
            "城建": "urban",
            "城市建设": "urban",
            "城市更新": "urban",
            "基础设施": "infrastructure",
            "基础设施建设": "infrastructure",
            "社会民生": "social",
            "民生": "social",
            "社会事业": "social",
        },
    )
    nature = _choice_map(
        Nature.choices,
        {
            "新开工": "new",
            "计划新开工": "new",
            "新建": "new",
            "续建": "continuing",
            "竣工投产": "completing",
            "竣工": "completing",
            "投产": "completing",
            "预备": "preparatory",
            "预备前期": "preparatory",
            "前期": "preparatory",
        },
    )
    stage = _choice_map(
        Stage.choices,
        {
            "谋划": "reserve",
            "储备": "reserve",
            "前期": "preparation",
            "前期手续": "preparation",
            "在建": "construction",
            "建设中": "construction",
            "已开工": "construction",
            "开工": "construction",
            "施工": "construction",
            "已竣工": "completed",
            "竣工": "completed",
            "已投产": "production",
            "投产": "production",
            "达产": "effective",
            "达效": "effective",
            "停建": "suspended",
            "缓建": "suspended",
            "停缓建": "suspended",
            "退库": "cancelled",
            "终止": "cancelled",
        },
    )
    return {"category": _mapper(category), "nature": _mapper(nature), "stage": _mapper(stage, ("阶段", "项目"))}


_YES = {"是", "已开工", "开工", "Y", "YES", "√", "✓", "1", "TRUE", "已", "有"}
_NO = {"否", "未开工", "N", "NO", "×", "0", "FALSE", "未", "无"}


def _levels_of(text: str) -> tuple[bool, bool, bool] | None:
    """ "省级重点" → province; "省市级" → province and city; "县级"/"区级" → county."""
    if text in ("province", "city", "county"):  # the parser's value for a recognised level
        return (text == "province", text == "city", text == "county")
    w = _word(text)
    prov, city, county = "省" in w, "市" in w, ("县" in w or "区" in w)
    if not (prov or city or county):
        return None
    return (prov, city, county)


@functools.lru_cache(maxsize=4096)
def _industry_of(text: str) -> tuple[str, str] | None:
    """GB/T 4754 section and division from "C", "36", "C36", "汽车制造业", "制造业"."""
    from keyprojects.projects.industries import DIVISIONS, SECTIONS, section_of

    t = _word(text).upper()
    m = re.match(r"^([A-T])?(\d{2})?", t)
    if m and (m.group(1) or m.group(2)):
        sec, div = m.group(1) or "", m.group(2) or ""
        if div and div in DIVISIONS and (not sec or section_of(div) == sec):
            return section_of(div) or "", div
        if sec and not div:
            return sec, ""
    for code, name in DIVISIONS.items():
        if t == _word(name):
            return section_of(code) or "", code
    for sec, (name, _rng) in SECTIONS.items():
        if t == _word(name):
            return sec, ""
    return None


def _wan(value: Any) -> Decimal | None:
    if type(value) is Decimal:  # the parser's amounts
        return value.quantize(WAN, rounding=ROUND_HALF_UP) if value.is_finite() else None
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None
    return d.quantize(WAN, rounding=ROUND_HALF_UP) if d.is_finite() else None


def _fmt(d: Decimal) -> str:
    """An amount as people write it: 400, 35.5 (not 400.0000)."""
    return f"{d.normalize():f}" if d.is_finite() else str(d)


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    return "" if value is None else str(value).strip()


# --------------------------------------------------------------------------------------------
# The plan: what the import will do, computed before anything is written
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Figures:
    row: ParsedRow
    period: tuple[int, int]
    month: Decimal | None
    ytd: Decimal | None
    to_date: Decimal | None
    pct: Decimal | None
    progress_text: str
    workers: int | None
    problems: str
    no_activity: bool = False  # 本月无进展: an explicit zero report with its reason
    no_activity_reason: str = ""


@dataclass(slots=True)
class _Item:
    """One project of the file (one or more rows: one per period when the file has a month column)."""

    row: ParsedRow
    name: str
    code: str | None
    region: str | None  # resolved region code
    region_explicit: bool
    values: dict[str, Any]  # project attname → value the file states (already mapped)
    project_id: int | None = None  # the fill-in template's hidden 项目ID
    stage_hint: str | None = None
    started: bool | None = None
    year: int | None = None
    plan: Decimal | None = None
    levels: tuple[bool, bool, bool] | None = None
    figures: list[_Figures] = field(default_factory=list)
    existing: dict[str, Any] | None = None  # the DB row of a matched project
    pk: int | None = None
    dropped: bool = False  # an error makes the row unusable (no identity, no region, out of scope)
    stage: str = ""  # a new project's initial stage
    action: str = ""  # 新增 / 更新 / 无变化, for the preview
    bad: set[str] = field(default_factory=set)  # fields already reported as errors
    changes: dict[str, Any] = field(default_factory=dict)
    new_owner: tuple[str, str] | None = None  # (uscc, name) of an enterprise to register


@dataclass
class _Plan:
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    totals: dict[str, str | None] = field(default_factory=dict)
    period: tuple[int, int] | None = None
    items: list[_Item] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    enterprises_created: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    # write instructions, filled by _Importer.plan()
    years_new: list[tuple[_Item, int, Decimal, tuple[bool, bool, bool]]] = field(default_factory=list)
    years_changed: list[tuple[int, Decimal, tuple[bool, bool, bool]]] = field(default_factory=list)  # (ProjectYear id, plan, flags)
    reports: list[_ReportWrite] = field(default_factory=list)
    rederive: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # (report id, ytd, to_date)
    list_flags: dict[tuple[int, int], tuple[bool, bool, bool]] = field(default_factory=dict)  # (id(item), year) → lists


@dataclass(slots=True)
class _ReportWrite:
    item: _Item
    fig: _Figures
    period: tuple[int, int]
    month: Decimal
    ytd: Decimal
    to_date: Decimal
    existing_id: int | None
    existing_version: int | None
    flags: list[tuple[str, str, str]]


# How ``_items`` reads each field of a row (fields whose name is the model's attname are
# stored as they are; the others are mapped).
FIELD_HANDLERS = {
    **dict.fromkeys(("location", "content", "responsible_person", "contact_name", "contact_phone"), "text"),
    **dict.fromkeys(("planned_start", "planned_completion", "actual_start", "actual_completion"), "date"),
    **dict.fromkeys(("total_investment", "invested_before"), "money"),
    **dict.fromkeys(("category", "nature", "industry", "stage_text", "started", "level", "period_range", "annual_plan"), "map"),
}
# model attname → the field name in ``writable_fields`` (the service's whitelist)
ATTR_FIELD = {
    "name": "name",
    "project_code": "project_code",
    "owner_id": "owner",
    "region_id": "region",
    "zone_id": "zone",
    "location": "location",
    "industry_section": "industry_section",
    "industry_division": "industry_division",
    "category": "category",
    "nature": "nature",
    "total_investment": "total_investment",
    "invested_before": "invested_before",
    "planned_start": "planned_start",
    "planned_completion": "planned_completion",
    "actual_start": "actual_start",
    "actual_completion": "actual_completion",
    "content": "content",
    "responsible_unit_id": "responsible_unit",
    "responsible_person": "responsible_person",
    "sponsor_leader_id": "sponsor_leader",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
}
# model attname → the file field it comes from (for locating an error)
ATTR_SOURCE = {
    "owner_id": "owner_name",
    "region_id": "region_text",
    "zone_id": "region_text",
    "industry_section": "industry",
    "industry_division": "industry",
    "responsible_unit_id": "responsible_unit",
    "sponsor_leader_id": "sponsor_leader",
}


class _Importer:
    def __init__(
        self, *, user: Any, results: Sequence[ParseResult], default_region: Any, period: tuple[int, int] | None, progress: Progress | None
    ):
        from keyprojects.projects.models import Project

        self.user = user
        self.system = user is None or bool(getattr(user, "is_superuser", False))
        self.results = list(results)
        self.default_region = default_region
        self.period = period
        self.progress = progress
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.project_fields = {f.attname: f for f in Project._meta.concrete_fields}
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.maps = _build_mappers()

    # -- issues ------------------------------------------------------------------------------

    def _issue(self, row: ParsedRow | None, fld: str, message: str, value: Any = None) -> Issue:
        if row is None:
            return Issue(sheet="", row=None, column=FIELD_LABELS.get(fld, fld) if fld else "", value=_text(value), message=message)
        raw = row.raw(fld) if fld else ""
        if value is not None and not raw:
            raw = _text(value)
        return Issue(sheet=row.sheet, row=row.row, column=row.header(fld) if fld else "", value=raw, message=message)

    def error(self, row: ParsedRow | None, fld: str, message: str, value: Any = None) -> None:
        self.errors.append(self._issue(row, fld, message, value))

    def warn(self, row: ParsedRow | None, fld: str, message: str, value: Any = None) -> None:
        self.warnings.append(self._issue(row, fld, message, value))

    def tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    # -- scope -------------------------------------------------------------------------------

    def _load_scope(self) -> None:
        from keyprojects.projects.selectors import home_region, regions_assignable
        from keyprojects.projects.services import writable_fields
        from keyprojects.regions.models import Region

        user = self.user
        self.regions = {
            r[0]: _RegionInfo(*r) for r in Region.objects.values_list("code", "name", "level", "parent_id", "city_code", "province_code")
        }
        if self.system:
            self.assignable = {c for c, r in self.regions.items() if r.level != "province"}
            self.writable = set(ATTR_FIELD.values())
        else:
            self.assignable = set(regions_assignable(user).values_list("code", flat=True))
            self.writable = set(writable_fields(user))
        # county and department users always import into their own region (as project_create)
        self.forced_region: str | None = None
        self.forced_unit: int | None = None
        if not self.system and user.role == "county":
            self.forced_region = user.region_id
        if not self.system and user.role == "department":
            self.forced_region = user.unit.region_id
            self.forced_unit = user.unit_id
        default = self.default_region
        if self.forced_region:
            default = self.regions.get(self.forced_region)
        self.default_code: str | None = None
        if default is not None:
            if default.level == "province":
                self.default_code = None  # a project belongs to a city or county, never a province
            else:
                self.default_code = default.code
        self.home = None if self.system else home_region(user)
        self.user_level = (
            user.role if (not self.system and user.role in ("province", "city", "county")) else (default.level if default else None)
        )
        self.can_register_owner = self.system or user.role in ("province", "city", "county")
        self._resolver: RegionResolver | None = None
        self._place_cache: dict[str, tuple[str | None, str, int | None]] = {}

    # -- place names -------------------------------------------------------------------------

    @property
    def resolver(self) -> RegionResolver:
        """The parser's place-name rule (``normalize.RegionResolver``) over every division and
        the function zones the user may link, built on first use."""
        if self._resolver is None:
            from keyprojects.projects.selectors import units_assignable
            from keyprojects.regions.models import Unit

            qs = Unit.objects.filter(kind="zone", is_active=True) if self.system else units_assignable(self.user).filter(kind="zone")
            zones = [(u, n, r) for u, name, short, r in qs.values_list("id", "name", "short_name", "region_id") for n in (name, short) if n]
            self._resolver = RegionResolver([(c, r.name, r.name) for c, r in self.regions.items()], zones)
        return self._resolver

    def resolve_place(self, text: str) -> tuple[str | None, str, int | None]:
        """(region code, "", zone id) or (None, why, None) for a 6-digit code, a name ("历下区"),
        a full name ("山东省济南市历下区") or a function zone ("起步区"): ``RegionResolver``'s
        reading; a name several regions share is then decided by the user's scope, then by
        the default region's city."""
        hit = self._place_cache.get(text)
        if hit is not None:
            return hit
        found = self._prefer(self.resolver.candidates(text))
        result: tuple[str | None, str, int | None]
        if not found:
            result = (None, "unknown", None)
        elif len(found) > 1:
            result = (None, "ambiguous", None)
        else:
            result = (found[0].region_code, "", found[0].zone_id)
        self._place_cache[text] = result
        return result

    def _prefer(self, found: list[RegionMatch]) -> list[RegionMatch]:
        """Ties the place names leave, broken by what the import knows: the user's own regions,
        then the default region's city."""
        if len(found) > 1:
            found = [m for m in found if m.region_code in self.assignable] or found
        if len(found) > 1 and self.default_code:
            city = self.regions[self.default_code].city_code or self.default_code
            found = [m for m in found if self.regions[m.region_code].city_code == city or m.region_code == city] or found
        return found

    # -- the plan ----------------------------------------------------------------------------

    def plan(self) -> _Plan:
        plan = _Plan()
        rows: list[ParsedRow] = []
        periods: set[tuple[int, int]] = set()
        has_ytd = False
        for res in self.results:
            self.errors.extend(res.errors)
            self.warnings.extend(res.warnings)
            rows.extend(res.rows)
            if res.period:
                periods.add(tuple(res.period))  # type: ignore[arg-type]
            if "invested_ytd" in res.columns:
                has_ytd = True
        plan.rows = len(rows)
        file_period = self.period or (next(iter(periods)) if len(periods) == 1 else None)
        if self.period is None and len(periods) > 1:
            self.warn(None, "", "各工作表的调度期不一致：" + "、".join(f"{y}-{m:02d}" for y, m in sorted(periods)))
        plan.period = file_period
        plan.totals = self._totals(rows, has_ytd)
        if not rows:
            if not self.errors:
                self.error(None, "", "文件中没有识别到项目行（请检查表头是否包含“项目名称”）")
            plan.errors, plan.warnings = self.errors, self.warnings
            return plan
        self._load_scope()
        items = self._items(rows, file_period)
        self._lookup(items)
        self._match(items)
        self._resolve_links(items)
        self._validate_projects(items)
        self._figures(items, plan)
        self._years(items, plan)
        self._count(items, plan)
        plan.items = items
        plan.sample = self._sample(items)
        # a cell with an error does not also carry a warning (the parser may have warned first);
        # both lists in the order of the file: file-level first, then sheet by sheet, row by row
        bad_cells = {(i.sheet, i.row, i.column) for i in self.errors if i.row is not None}
        order = {r.sheet: n for n, r in enumerate(self.results)}

        def where(i: Issue) -> tuple[int, int, int]:
            return (0 if i.row is None else 1, order.get(i.sheet, -1), i.row or 0)

        plan.errors = sorted(self.errors, key=where)
        plan.warnings = sorted((w for w in self.warnings if (w.sheet, w.row, w.column) not in bad_cells), key=where)
        return plan

    def _totals(self, rows: list[ParsedRow], has_ytd: bool) -> dict[str, str | None]:
        sums = {"total_investment": ZERO, "annual_plan": ZERO, "invested_ytd": ZERO}
        seen_ytd = has_ytd
        for k in sums:
            total = ZERO
            for r in rows:
                d = r.values.get(k)
                if type(d) is Decimal:
                    total += d
                elif d is not None and d != "":
                    total += _wan(d) or ZERO
                else:
                    continue
                seen_ytd = seen_ytd or k == "invested_ytd"
            sums[k] = total
        return {
            "total_investment": str(sums["total_investment"].quantize(WAN)),
            "annual_plan": str(sums["annual_plan"].quantize(WAN)),
            "invested_ytd": str(sums["invested_ytd"].quantize(WAN)) if seen_ytd else None,
        }

    # -- step 1: rows → items ----------------------------------------------------------------

    def _items(self, rows: list[ParsedRow], file_period: tuple[int, int] | None) -> list[_Item]:
        """Rows → items with the values the file states, mapped to the model's vocabulary.
        (Only the fields a row carries are looked at: this loop runs once per row.)"""
        maps = self.maps
        items: list[_Item] = []
        missing_period_reported = False
        total = len(rows)
        regions = self.regions
        check_row_region = self._row_region
        place_hits: dict[str, tuple[str, int | None]] = {}
        for n, row in enumerate(rows, 1):
            if n % 1000 == 0:
                self.tick(PHASE_CHECK, n // 2, total)
            v = row.values
            get = v.get
            normalised = row.normalised
            x = get("name")
            name = x.strip() if type(x) is str else _text(x)
            if not name:
                self.error(row, "name", "项目名称不能为空")
                continue
            values: dict[str, Any] = {"name": name}
            code = None
            x = get("project_code")
            if x:
                code = (x.strip() if type(x) is str else _text(x)).upper() or None
                if code is not None:
                    if not (normalised or PROJECT_CODE_RE.match(code)):  # (the parser checked its codes with this rule)
                        try:
                            validate_project_code_shape(code)
                        except ValidationError as exc:
                            self.error(row, "project_code", exc.messages[0])
                        code = None
                    elif code[5:11] not in regions:
                        self.error(row, "project_code", f"项目代码中的行政区划代码 {project_code_region(code)} 不存在")
                        code = None
                if code:
                    values["project_code"] = code
            place = get("region_text")
            region: str | None
            if place is not None and type(place) is str and place in place_hits:  # a place already read without a remark
                region, zone = place_hits[place]
                explicit = True
                if zone is not None:
                    values["zone_id"] = zone
            elif "region_text" in v or "location" in v:
                region, explicit = check_row_region(row, values)
                if region is not None and explicit and type(place) is str and place.strip():  # (read by its 所属区域: no remark)
                    place_hits[place] = (region, values.get("zone_id"))
            else:
                region, explicit = None, False
            item = _Item(row, name, code, region, explicit, values)
            if type(get("project_id")) is int:
                item.project_id = v["project_id"]
            for src in v.keys() & FIELD_HANDLERS:
                x = v[src]
                if x is None or (type(x) is str and not x):  # (no Decimal == "" per cell)
                    continue
                kind = FIELD_HANDLERS[src]
                if kind == "text":
                    t = x.strip() if type(x) is str else _text(x)
                    if t:
                        values[src] = t
                elif kind == "date":
                    if isinstance(x, dt.date):
                        values[src] = x
                elif kind == "money":
                    d = x if normalised and type(x) is Decimal else _wan(x)
                    if d is not None:
                        values[src] = d
                elif src == "category":
                    cat = maps["category"](_text(x))
                    if cat is None:
                        self.error(row, "category", "项目类别应为：产业项目、城建项目、基础设施项目或社会民生项目")
                        item.bad.add("category")
                    else:
                        values["category"] = cat
                elif src == "nature":
                    nat = maps["nature"](_text(x))
                    if nat is None:
                        self.error(row, "nature", "建设性质应为：新开工、续建、竣工投产或预备(前期)")
                        item.bad.add("nature")
                    else:
                        values["nature"] = nat
                elif src == "industry":
                    found = _industry_of(_text(x))
                    if found is None:
                        self.warn(row, "industry", "所属行业不是国民经济行业分类（GB/T 4754）的门类或大类名称，未导入")
                    else:
                        values["industry_section"], values["industry_division"] = found
                elif src == "stage_text":
                    item.stage_hint = maps["stage"](_text(x))
                    if item.stage_hint is None:
                        self.warn(row, "stage_text", "项目阶段无法识别，未导入")
                elif src == "started":
                    t = _text(x).upper()
                    item.started = True if t in _YES else False if t in _NO else None
                elif src == "level":
                    item.levels = _levels_of(_text(x))
                    if item.levels is None:
                        self.warn(row, "level", "项目级别应为省级、市级或县级，未导入")
                elif src == "period_range":
                    if isinstance(x, tuple | list) and len(x) == 2:
                        if isinstance(x[0], dt.date):
                            values.setdefault("planned_start", x[0])
                        if isinstance(x[1], dt.date):
                            values.setdefault("planned_completion", x[1])
                elif src == "annual_plan":
                    item.plan = x if normalised and type(x) is Decimal else _wan(x)
            if "category" not in values and row.group_category:
                group = row.group_category
                cat = group if group in ("industry", "urban", "infrastructure", "social") else maps["category"](group)
                if cat:
                    values["category"] = cat
            if item.levels is None and row.group_level in ("province", "city", "county"):
                item.levels = (row.group_level == "province", row.group_level == "city", row.group_level == "county")
            year = get("year")
            if not isinstance(year, int):
                year = None
            rp = file_period
            if year and isinstance(get("month"), int) and 1 <= v["month"] <= 12:
                rp = (year, v["month"])
            item.year = year or (rp[0] if rp else None)
            # the period's figures (本月无进展 "是" is a figure too: an explicit zero)
            month, ytd, to_date = get("invested_month"), get("invested_ytd"), get("invested_to_date")
            no_activity = get("no_activity") == "是"
            reason = _text(get("no_activity_reason")) if "no_activity_reason" in v else ""
            if reason and not no_activity:
                self.warn(row, "no_activity_reason", "“本月无进展”未选“是”，无进展原因未导入")
                reason = ""
            if (
                no_activity
                or (month is not None and month != "")
                or (ytd is not None and ytd != "")
                or (to_date is not None and to_date != "")
            ):
                if rp is None:
                    if not missing_period_reported:
                        self.error(None, "", "文件含有完成投资数据，但无法确定调度期：请在标题或表头注明月份，或指定调度期（如 2024-06）")
                        missing_period_reported = True
                else:
                    pct = get("physical_progress_pct")
                    workers = get("workers")
                    item.figures.append(
                        _Figures(
                            row,
                            rp,
                            month if normalised and type(month) is Decimal else _wan(month),
                            ytd if normalised and type(ytd) is Decimal else _wan(ytd),
                            to_date if normalised and type(to_date) is Decimal else _wan(to_date),
                            Decimal(pct).quantize(PCT) if isinstance(pct, Decimal | int) else None,  # pct
                            _text(get("physical_progress")),
                            workers if isinstance(workers, int) else None,
                            _text(get("problems")),
                            no_activity,
                            reason,
                        )
                    )
            items.append(item)
        if any(i.plan is not None for i in items) and not any(i.year for i in items if i.plan is not None):
            year = self.today.year
            self.warn(None, "annual_plan", f"未能确定年度计划所属年度，按{year}年导入")
            for i in items:
                i.year = i.year or year
        return items

    def _row_region(self, row: ParsedRow, values: dict[str, Any]) -> tuple[str | None, bool]:
        """The row's region: its 所属区域 (a place name, or a function zone), else a county of
        the user's area named in its 建设地点, else none (the default applies to new projects later)."""
        text = _text(row.values.get("region_text"))
        if text:
            code, why, zone = self.resolve_place(text)
            if code is None:
                if why == "ambiguous":
                    self.error(row, "region_text", "该地名对应多个区县，请写明所属市（如“济南市市中区”）")
                    return None, True
                self.warn(row, "region_text", "无法识别的地名，按默认区域导入")
                return None, False
            if self.regions[code].level == "province":
                self.warn(row, "region_text", "所属区域应为市或县（区），按默认区域导入")
                return None, False
            if zone is not None:
                values["zone_id"] = zone
            return code, True
        loc = _text(row.values.get("location"))
        if loc and not self.forced_region and (self.default_code is None or self.regions[self.default_code].level != "county"):
            code = self._place_in(loc)
            if code:
                return code, True
        return None, False

    def _place_in(self, text: str) -> str | None:
        """The county ``text`` (a 建设地点) names, when it is one of the user's area: the default
        region's (or the user's own) city or province, else the user's assignable counties."""
        code, _why, _zone = self.resolve_place(text)
        if code is None or self.regions[code].level != "county":
            return None
        base = self.default_code or (self.home.code if self.home is not None else None)
        r = self.regions[code]
        if base:
            return code if r.city_code == (self.regions[base].city_code or base) or r.province_code == base else None
        return code if code in self.assignable and len(self.assignable) < 400 else None

    # -- step 2: set queries -----------------------------------------------------------------

    def _lookup(self, items: list[_Item]) -> None:
        from keyprojects.enterprises.models import Enterprise
        from keyprojects.projects.models import Project

        codes = {i.code for i in items if i.code}
        names = {i.name for i in items}
        ids = {i.project_id for i in items if i.project_id}
        fields = ["id", "version", *ATTR_FIELD.keys(), "province_code", "city_code", "stage"]
        self.by_code: dict[str, dict[str, Any]] = {}
        self.by_id: dict[int, dict[str, Any]] = {}
        self.by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)

        def keep(p: dict[str, Any]) -> None:
            if p["project_code"] in codes:
                self.by_code[p["project_code"]] = p
            if p["id"] in ids:
                self.by_id[p["id"]] = p
            if p["name"] in names:
                self.by_name[(p["name"], p["region_id"])].append(p)

        if Project.objects.count() <= 2 * len(items):
            # a young system (a first import costs one COUNT): every project at once
            for p in Project.objects.values(*fields):
                keep(p)
        else:
            for chunk in _chunks(sorted(codes)):
                for p in Project.objects.filter(project_code__in=chunk).values(*fields):
                    self.by_code[p["project_code"]] = p
            for chunk in _chunks(sorted(ids)):
                for p in Project.objects.filter(pk__in=chunk).values(*fields):
                    self.by_id[p["id"]] = p
            # name + region: when the regions concerned hold few projects, read them all at
            # once; else look the names up
            regions = sorted({r for r in (i.region or self.default_code for i in items) if r})
            if regions and Project.objects.filter(region_id__in=regions).count() <= 2 * len(names):
                for p in Project.objects.filter(region_id__in=regions).values(*fields):
                    if p["name"] in names:
                        self.by_name[(p["name"], p["region_id"])].append(p)
            else:
                for chunk in _chunks(sorted(names)):
                    for p in Project.objects.filter(name__in=chunk).values(*fields):
                        self.by_name[(p["name"], p["region_id"])].append(p)
        # owners
        raw_usccs = {i.row.values.get("owner_uscc") for i in items} - {None, ""}  # a file repeats its owners
        usccs = {normalize_uscc(_text(x)) for x in raw_usccs}
        owner_names = {_text(x) for x in {i.row.values.get("owner_name") for i in items} - {None, ""}}
        self.ent_by_uscc: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(sorted(u for u in usccs if u)):
            for e in Enterprise.objects.filter(uscc__in=chunk).values("id", "uscc", "name", "region_id"):
                self.ent_by_uscc[e["uscc"]] = dict(e)
        self.ent_by_name: dict[str, list[int]] = defaultdict(list)
        for chunk in _chunks(sorted(owner_names)):
            for ent_id, ent_name in Enterprise.objects.filter(name__in=chunk).values_list("id", "name"):
                self.ent_by_name[ent_name].append(ent_id)
        ent_ids = {e["id"] for e in self.ent_by_uscc.values()} | {x for ids in self.ent_by_name.values() for x in ids}
        self.ent_reach: set[int] = set()
        if ent_ids:
            from keyprojects.projects.selectors import owners_assignable

            base = Enterprise.objects.all() if self.system else owners_assignable(self.user)
            for chunk in _chunks(sorted(ent_ids)):
                self.ent_reach.update(base.filter(pk__in=chunk).values_list("pk", flat=True))

    # -- step 3: natural keys ----------------------------------------------------------------

    def _match(self, items: list[_Item]) -> None:
        from keyprojects.projects.models import Project

        seen: dict[Any, _Item] = {}
        for item in items:
            row = item.row
            found: dict[str, Any] | None = None
            region_for_name = item.region or self.default_code
            if item.project_id:
                # the fill-in template's hidden 项目ID names the project (scope is checked below)
                found = self.by_id.get(item.project_id)
                if found is None:
                    self.error(row, "project_id", "项目ID在系统中不存在（请使用本系统导出的填报模板，勿修改隐藏列）", item.project_id)
                    item.dropped = True
                    continue
                if item.code and found["project_code"] and item.code != found["project_code"]:
                    self.error(row, "project_code", f"项目代码与项目ID对应项目的代码（{found['project_code']}）不一致")
                    item.dropped = True
                    continue
                if item.name != found["name"]:
                    self.warn(row, "name", f"项目名称与系统不一致（系统：{found['name']}），按项目ID匹配，名称未修改")
                    item.name = item.values["name"] = found["name"]
            elif item.code and item.code in self.by_code:
                found = self.by_code[item.code]
            else:
                same = self.by_name.get((item.name, region_for_name or ""), []) if region_for_name else []
                if item.code:
                    same_free = [p for p in same if not p["project_code"]]
                    if len(same_free) == 1:
                        found = same_free[0]
                    elif same and not same_free:
                        self.error(
                            row, "project_code", f"与系统中同名项目的项目代码（{same[0]['project_code']}）不一致，请核对项目代码或项目名称"
                        )
                        item.dropped = True
                        continue
                elif len(same) > 1:
                    self.error(row, "name", "系统中该区域有多个同名项目，请填写项目代码以区分")
                    item.dropped = True
                    continue
                elif len(same) == 1:
                    found = same[0]
            if found is not None:
                item.existing = found
                item.pk = found["id"]
                key: Any = ("pk", found["id"])
            else:
                if item.region is None:
                    item.region = self.default_code
                if item.region is None:
                    if not item.region_explicit:  # (an ambiguous place name was reported already)
                        self.error(row, "region_text", "未能确定所属区域：请填写所属区域（区县），或指定默认区域")
                    item.dropped = True
                    continue
                key = ("code", item.code) if item.code else ("name", item.name, item.region)
            first = seen.get(key)
            if first is not None:
                dup_periods = {f.period for f in first.figures} & {f.period for f in item.figures}
                if dup_periods or not item.figures or not first.figures:
                    self.error(row, "name", f"与第{first.row.row}行是同一项目，重复")
                first.figures.extend(item.figures)  # a later month of the same project
                item.dropped = True
                continue
            seen[key] = item
        items[:] = [i for i in items if not i.dropped]
        # which matched projects the user may edit (one query; reliability.md 14)
        ids = [i.pk for i in items if i.pk and not i.dropped]
        self.editable: set[int] = set()
        if ids:
            base = Project.objects.all() if self.system else Project.objects.editable_by(self.user)
            for chunk in _chunks(ids):
                self.editable.update(base.filter(pk__in=chunk).values_list("pk", flat=True))
        for item in items:
            if item.pk and not item.dropped and item.pk not in self.editable:
                where = "project_id" if item.project_id else "project_code" if item.code else "name"
                self.error(item.row, where, "该项目已存在，但不在您的管辖范围内，不能通过导入修改")
                item.dropped = True

    # -- step 4: owner, unit, leader, region scope ------------------------------------------

    def _resolve_links(self, items: list[_Item]) -> None:
        from keyprojects.projects.selectors import leaders_assignable, units_assignable
        from keyprojects.projects.services import LINK_MESSAGES
        from keyprojects.regions.models import Unit

        units: dict[str, list[dict[str, Any]]] = defaultdict(list)
        unit_qs = Unit.objects.filter(is_active=True) if self.system else units_assignable(self.user)
        want_units = {name_key(_text(i.row.values.get("responsible_unit"))) for i in items if i.row.values.get("responsible_unit")}
        if want_units:
            for u in unit_qs.values("id", "name", "short_name", "region_id", "kind"):
                for n in {name_key(u["name"]), name_key(u["short_name"] or "")}:
                    if n in want_units:
                        units[n].append(dict(u))
        leaders: dict[str, list[dict[str, Any]]] = defaultdict(list)
        want_leaders = {_leader_name(_text(i.row.values.get("sponsor_leader"))) for i in items if i.row.values.get("sponsor_leader")}
        if want_leaders:
            from keyprojects.projects.models import SponsorLeader

            leader_qs = SponsorLeader.objects.all() if self.system else leaders_assignable(self.user)
            for chunk in _chunks(sorted(want_leaders)):
                for ld in leader_qs.filter(name__in=chunk).values("id", "name", "region_id"):
                    leaders[ld["name"]].append(dict(ld))
        for item in items:
            if item.dropped:
                continue
            row, v = item.row, item.row.values
            region = item.region or (item.existing["region_id"] if item.existing else None)
            # region scope: the row's region must be assignable; county/department users import
            # into their own region only (the service's whitelist: they may not set a region)
            if item.region_explicit and item.region:
                if (self.forced_region and item.region != self.forced_region) or item.region not in self.assignable:
                    self.error(row, "region_text", "所属区域超出您的管辖范围")
                    item.dropped = True
                    continue
                if item.existing is None or item.existing["region_id"] != item.region:
                    item.values["region_id"] = item.region
            elif item.existing is None:
                item.values["region_id"] = item.region
                if item.region not in self.assignable:
                    self.error(row, "region_text", "所属区域超出您的管辖范围")
                    item.dropped = True
                    continue
            # owner
            uscc_text = _text(v.get("owner_uscc"))
            owner_name = _text(v.get("owner_name"))
            if uscc_text:
                uscc, invalid = _checked_uscc(uscc_text)
                if invalid:
                    self.error(row, "owner_uscc", invalid)
                else:
                    ent = self.ent_by_uscc.get(uscc)
                    if ent is not None:
                        if ent["id"] in self.ent_reach:
                            item.values["owner_id"] = ent["id"]
                            if owner_name and name_key(owner_name) != name_key(ent["name"]):
                                self.warn(row, "owner_name", f"建设单位名称与企业库登记的“{ent['name']}”不一致，按统一社会信用代码关联")
                        else:
                            self.error(row, "owner_uscc", LINK_MESSAGES["owner"])
                    elif not owner_name:
                        self.error(row, "owner_name", "统一社会信用代码未在企业库登记，请同时填写建设单位名称")
                    elif not self.can_register_owner:
                        self.warn(row, "owner_name", "建设单位未在企业库登记，您无权登记新企业，项目未关联建设单位")
                    else:
                        item.new_owner = (uscc, owner_name)
            elif owner_name:
                ids = [x for x in self.ent_by_name.get(owner_name, []) if x in self.ent_reach]
                if len(ids) == 1:
                    item.values["owner_id"] = ids[0]
                elif len(ids) > 1:
                    self.warn(row, "owner_name", "企业库中有多个同名企业，请填写统一社会信用代码；项目未关联建设单位")
                else:
                    self.warn(row, "owner_name", "建设单位未在企业库登记（无统一社会信用代码），项目未关联建设单位")
            # responsible unit (a department user's projects are always their unit's)
            unit_text = _text(v.get("responsible_unit"))
            if self.forced_unit:
                if item.existing is None:
                    item.values["responsible_unit_id"] = self.forced_unit
            elif unit_text:
                u = _nearest(units.get(name_key(unit_text), []), region, self.regions)
                if u == "ambiguous":
                    self.warn(row, "responsible_unit", "有多个同名单位，未关联责任单位")
                elif u is None:
                    self.warn(row, "responsible_unit", "无法识别的责任单位（不在单位库或不在您可选的范围内），未关联")
                else:
                    item.values["responsible_unit_id"] = u["id"]
                    if u["kind"] == "zone" and "zone_id" not in item.values:
                        item.values["zone_id"] = u["id"]
            leader_text = _text(v.get("sponsor_leader"))
            if leader_text:
                ld = _nearest(leaders.get(_leader_name(leader_text), []), region, self.regions)
                if ld == "ambiguous":
                    self.warn(row, "sponsor_leader", "有多位同名领导，未关联包保领导")
                elif ld is None:
                    self.warn(row, "sponsor_leader", "无法识别的包保领导（不在领导库或不在您可选的范围内），未关联")
                else:
                    item.values["sponsor_leader_id"] = ld["id"]

    # -- step 5: the project's own rules -----------------------------------------------------

    def _validate_projects(self, items: list[_Item]) -> None:
        from keyprojects.projects.models import Project

        fields = self.project_fields
        stated = set().union(*(i.values.keys() for i in items))
        not_writable = sorted(a for a in stated if ATTR_FIELD.get(a, a) not in self.writable and a != "name")
        for a in not_writable:
            if a in ("region_id", "responsible_unit_id") and self.forced_region:
                continue
            self.warn(None, ATTR_SOURCE.get(a, a), "您无权通过导入设置该列，已忽略")
        missing_category = missing_nature = 0
        total = len(items)
        allowed = {a for a in ATTR_FIELD if ATTR_FIELD[a] in self.writable}
        if self.forced_region:
            allowed |= {"region_id", "responsible_unit_id"}
        checked = {a: f for a, f in fields.items() if isinstance(f, models.CharField | models.DecimalField)}
        # the values that plainly pass (a short enough text, an amount within the digits) skip
        # the field's validators; anything else gets their message
        text_limit = {a: f.max_length or 10**9 for a, f in checked.items() if isinstance(f, models.CharField)}
        amount_limit = {
            a: Decimal(10) ** (f.max_digits - f.decimal_places)  # type: ignore[operator]
            for a, f in checked.items()
            if isinstance(f, models.DecimalField)
        }
        cleaned: dict[tuple[Any, ...], dict[str, list[str]] | None] = {}
        for n, item in enumerate(items, 1):
            if n % 1000 == 0:
                self.tick(PHASE_CHECK, total // 2 + n // 2, total)
            if item.dropped:
                continue
            row = item.row
            vals = item.values if item.values.keys() <= allowed else {a: x for a, x in item.values.items() if a in allowed}
            if item.existing is None:
                if "total_investment" not in vals:
                    self.error(row, "total_investment", "总投资不能为空")
                    item.dropped = True
                    continue
                if "category" not in vals:
                    vals["category"] = "industry"
                    missing_category += "category" not in item.bad
                if "nature" not in vals:
                    vals["nature"] = self._infer_nature(item)
                    missing_nature += "nature" not in item.bad
                vals.setdefault("invested_before", ZERO)
                merged = vals
            else:
                merged = {**item.existing, **vals}
            bad = False
            for attr, x in vals.items():
                if attr not in checked:
                    continue
                tx = type(x)
                if tx is str and len(x) <= text_limit.get(attr, -1):
                    continue
                if tx is Decimal and attr in amount_limit and x.is_finite() and ZERO <= x < amount_limit[attr]:
                    continue
                msg = _field_error(checked[attr], x)
                if msg:
                    self.error(row, ATTR_SOURCE.get(attr, attr), msg, x)
                    bad = True
            if bad:
                item.dropped = True
                continue
            # Project.clean reads only these: one call per distinct combination
            key = tuple(map(merged.get, CLEAN_INPUTS))
            if key not in cleaned:
                try:
                    _clean_project(Project, merged, self.regions)
                    cleaned[key] = None
                except ValidationError as exc:
                    cleaned[key] = exc.message_dict
            problems = cleaned[key]
            if problems is not None:
                for attr, msgs in problems.items():
                    src = ATTR_SOURCE.get(attr, attr) if attr != "__all__" else ""
                    for m in msgs:
                        self.error(row, src, m)
                item.dropped = True
                continue
            item.values = vals
            if item.existing is None:
                item.changes = vals
                item.stage = self._stage_for_new(item)
            else:
                item.changes = {a: x for a, x in vals.items() if item.existing.get(a) != x}
                if item.stage_hint and item.stage_hint != item.existing["stage"]:
                    self.warn(
                        row,
                        "stage_text",
                        f"文件中的阶段与系统不一致（系统：{Stage(item.existing['stage']).label}），阶段变更请在项目页办理，未导入",
                    )
        if missing_category:
            self.warn(None, "category", f"{missing_category}个新项目未填写项目类别，按“产业项目”导入，请核对")
        if missing_nature:
            self.warn(None, "nature", f"{missing_nature}个新项目未填写建设性质，按有无往年投资推定（新开工或续建），请核对")

    def _infer_nature(self, item: _Item) -> str:
        f = item.figures[0] if item.figures else None
        if item.values.get("invested_before") or (f and f.to_date is not None and f.ytd is not None and f.to_date > f.ytd):
            return "continuing"
        if item.values.get("actual_start") and item.year and item.values["actual_start"].year < item.year:
            return "continuing"
        return "new"

    def _stage_for_new(self, item: _Item) -> str:
        """A new project's stage: what the file says, else 是否开工 / 实际开工 / 建设性质 / investment."""
        hint = item.stage_hint
        if hint in (Stage.SUSPENDED, Stage.CANCELLED):
            self.warn(item.row, "stage_text", "停缓建、退库须在项目页办理并填写原因，按其他列推定阶段导入")
            hint = None
        if hint:
            return hint
        v = item.values
        if item.started is True or v.get("actual_start") or v.get("nature") in ("continuing", "completing"):
            return Stage.CONSTRUCTION
        for f in item.figures:
            if (f.ytd or f.month or ZERO) > 0:
                return Stage.CONSTRUCTION
        return Stage.PREPARATION if item.levels or item.plan is not None else Stage.RESERVE

    # -- step 6: monthly figures -------------------------------------------------------------

    def _figures(self, items: list[_Item], plan: _Plan) -> None:
        from keyprojects.dispatch.models import DispatchConfig, MonthlyReport, ReportingPeriod
        from keyprojects.dispatch.selectors import closed_region_codes, fill_window, is_frozen_in
        from keyprojects.dispatch.services import report_checks_from

        live = [i for i in items if i.figures and not i.dropped]
        if not live:
            return
        wanted = {f.period for i in live for f in i.figures}
        periods = {(p.year, p.month): p for p in ReportingPeriod.objects.filter(year__in={y for y, _ in wanted})}
        closed = {p: closed_region_codes(per) for p, per in periods.items() if p in wanted}
        self.config = DispatchConfig.get()
        self.periods = periods
        self.fill_end = {}
        for p in wanted:
            if p in periods:
                self.fill_end[p] = periods[p].fill_end
            else:
                self.fill_end[p] = fill_window(p[0], p[1], self.config)[1]
        stubs = {p: _PeriodStub(*p) for p in wanted}
        # existing reports of matched projects: every month, for the cumulative figures
        history: dict[int, dict[tuple[int, int], dict[str, Any]]] = defaultdict(dict)
        ids = [i.pk for i in live if i.pk]
        for chunk in _chunks(ids):
            for r in MonthlyReport.objects.filter(project_id__in=chunk).values(
                "id", "version", "project_id", "period__year", "period__month", "status", "invested_month", "invested_ytd",
                "invested_to_date",
            ):  # fmt: skip
                history[r["project_id"]][(r["period__year"], r["period__month"])] = dict(r)
        lumped = 0
        total = len(live)
        frozen_cache: dict[tuple[Any, ...], bool] = {}
        regions = self.regions
        for n, item in enumerate(live, 1):
            if n % 1000 == 0:
                self.tick(PHASE_CHECK, total, total)
            existing = history.get(item.pk or 0, {}) if history else {}
            months: dict[tuple[int, int], Decimal] = {p: r["invested_month"] for p, r in existing.items()} if existing else {}
            ytds: dict[tuple[int, int], Decimal] = {p: r["invested_ytd"] for p, r in existing.items()} if existing else {}
            vget = item.values.get
            old_row = item.existing
            before = vget("invested_before", old_row["invested_before"] if old_row else ZERO) or ZERO
            figs = item.figures if len(item.figures) == 1 else sorted(item.figures, key=lambda f: f.period)
            f0 = figs[0]
            if not existing and f0.to_date is not None and item.row.values.get("invested_before") is None and not before:
                # nothing reported yet: 开工至今累计 minus this year's states the investment before tracking
                base = f0.ytd if f0.ytd is not None else (f0.month or ZERO)
                guess = f0.to_date - base
                if guess < 0:
                    self.error(
                        f0.row, "invested_to_date", f"开工至今累计完成投资（{_fmt(f0.to_date)}）小于1-{f0.period[1]}月累计（{_fmt(base)}）"
                    )
                    continue
                if guess and "invested_before" in self.writable:
                    before = guess
                    item.values["invested_before"] = guess
                    item.changes["invested_before"] = guess
            if old_row:
                stage = old_row["stage"]
                actual_start = vget("actual_start", old_row.get("actual_start"))
                actual_completion = vget("actual_completion", old_row.get("actual_completion"))
                total_inv = vget("total_investment", old_row.get("total_investment"))
                region = vget("region_id") or old_row["region_id"]
            else:
                stage = item.stage
                actual_start, actual_completion, total_inv = vget("actual_start"), vget("actual_completion"), vget("total_investment")
                region = vget("region_id") or item.region
            info = regions[region if type(region) is str else str(region)]
            project = _ProjectStub(total_inv, stage, actual_start, actual_completion)
            ok = True
            for f in figs:
                p = f.period
                fkey = (p, info.province_code, info.city_code)
                frozen = frozen_cache.get(fkey)
                if frozen is None:
                    per = periods.get(p)
                    where = _Where(info.province_code, info.city_code or "")
                    frozen = frozen_cache[fkey] = per is not None and is_frozen_in(per, where, closed[p])  # type: ignore[arg-type]
                if months:
                    ytd_before = sum((m for q, m in months.items() if q[0] == p[0] and q < p), ZERO)
                    total_before = sum((m for q, m in months.items() if q < p), ZERO)
                else:
                    ytd_before = total_before = ZERO
                month: Decimal | None
                if f.ytd is not None:
                    month = f.ytd - ytd_before
                    if month < 0:
                        self.error(
                            f.row, "invested_ytd", f"1-{p[1]}月累计（{_fmt(f.ytd)}）低于系统中此前各月完成投资之和（{_fmt(ytd_before)}）"
                        )
                        ok = False
                        continue
                    if f.month is not None and f.month != month:
                        if ytd_before == 0 and not any(q[0] == p[0] and q < p for q in months):
                            lumped += 1
                        else:
                            self.warn(
                                f.row,
                                "invested_month",
                                f"本月完成投资与“1-{p[1]}月累计减去此前各月”（{_fmt(month)}）不一致，按累计数导入",
                            )
                elif f.month is not None:
                    month = f.month
                else:
                    month = ZERO if f.no_activity else None
                if month is None:
                    continue
                if month < 0:
                    self.error(f.row, "invested_month", "金额不能为负数")
                    ok = False
                    continue
                if f.no_activity:  # the rules of dispatch.services.report_save
                    if month:
                        self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", "选择“本月无进展”时本月完成投资应为0")
                        ok = False
                        continue
                    if not f.no_activity_reason:
                        self.error(f.row, "no_activity_reason", "请说明本月无进展的原因")
                        ok = False
                        continue
                    if len(f.no_activity_reason) > 200:
                        self.error(f.row, "no_activity_reason", "无进展原因不能超过200字")
                        ok = False
                        continue
                ytd = ytd_before + month
                to_date = before + total_before + month
                if f.to_date is not None and f.to_date != to_date:
                    self.warn(f.row, "invested_to_date", f"开工至今累计与系统推算（{_fmt(to_date)}）不一致，按系统推算")
                if f.pct is not None and not (0 <= f.pct <= 100):
                    self.error(f.row, "physical_progress_pct", "形象进度百分比应在0到100之间")
                    ok = False
                    continue
                if f.workers is not None and f.workers < 0:
                    self.error(f.row, "workers", "在岗工人数不能为负数")
                    ok = False
                    continue
                old = existing.get(p)
                if old is not None and old["status"] not in ("draft", "returned"):
                    same = old["invested_month"] == month
                    if not same:
                        from keyprojects.dispatch.choices import ReportStatus

                        label = ReportStatus(old["status"]).label
                        self.error(
                            f.row,
                            "invested_ytd" if f.ytd is not None else "invested_month",
                            f"该项目{p[0]}年{p[1]}月月报{label}，不能通过导入修改（需退回或申请更正）",
                        )
                        ok = False
                    months[p] = old["invested_month"]
                    continue
                if frozen:
                    self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", f"{p[0]}年{p[1]}月已关账，数据不能再修改")
                    ok = False
                    continue
                # the submission checks: the rule of report_submit, on the history preloaded above
                if months:
                    prev_same_year = max((q for q in ytds if q[0] == p[0] and q < p), default=None)
                    prev_months = [months[q] for q in sorted((q for q in months if q < p), reverse=True) if months[q] > 0][:6]
                else:
                    prev_same_year, prev_months = None, []
                checks = report_checks_from(
                    report=_FiguresStub(month, ytd, to_date, f.pct),
                    period=stubs[p],
                    project=project,
                    prev_ytd=ytds.get(prev_same_year) if prev_same_year else None,
                    history=prev_months,
                    config=self.config,
                )
                errs = [c for c in checks if c[1] == "error"]
                for _code, _sev, msg in errs:
                    self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", msg)
                if errs:
                    ok = False
                    continue
                for _code, _sev, msg in checks:
                    self.warn(f.row, "invested_ytd" if f.ytd is not None else "invested_month", msg)
                months[p] = month
                ytds[p] = ytd
                plan.reports.append(
                    _ReportWrite(item, f, p, month, ytd, to_date, old["id"] if old else None, old["version"] if old else None, checks)
                )
            if not ok or not existing:
                continue
            # later months already in the system move with the imported ones
            imported = {f.period for f in figs}
            first = min(imported)
            for q in sorted(p for p in existing if p > first and p not in imported):
                ytd_q = sum((m for r, m in months.items() if r[0] == q[0] and r <= q), ZERO)
                to_q = before + sum((m for r, m in months.items() if r <= q), ZERO)
                old = existing[q]
                if old["invested_ytd"] != ytd_q or old["invested_to_date"] != to_q:
                    plan.rederive.append((old["id"], ytd_q, to_q))
        if lumped:
            self.warn(
                None,
                "invested_month",
                f"系统中没有此前月份的月报：{lumped}个项目的本月完成投资按1-N月累计导入（此前月份合并计入本月）",
            )

    # -- step 7: year plans ------------------------------------------------------------------

    def _years(self, items: list[_Item], plan: _Plan) -> None:
        from keyprojects.projects.models import ProjectYear

        live = [i for i in items if not i.dropped and (i.plan is not None or i.levels or i.figures)]
        existing: dict[tuple[int, int], dict[str, Any]] = {}
        ids = [i.pk for i in live if i.pk]
        years = {i.year for i in live if i.year}
        for chunk in _chunks(ids):
            for y in ProjectYear.objects.filter(project_id__in=chunk, year__in=years).values():
                existing[(y["project_id"], y["year"])] = dict(y)
        default_levels = (self.user_level == "province", self.user_level == "city", self.user_level == "county")
        self.top_levels: dict[int, tuple[bool, bool, bool]] = {}
        for item in live:
            if not item.year:
                continue
            levels = item.levels
            if item.plan is not None and item.plan < 0:
                self.error(item.row, "annual_plan", "年度计划投资不能为负数")
                continue
            total = item.values.get("total_investment", item.existing.get("total_investment") if item.existing else None)
            if item.plan is not None and total is not None and item.plan > total:
                self.warn(item.row, "annual_plan", f"年度计划投资超过总投资（{_fmt(total)}万元）")
            old = existing.get((item.pk, item.year)) if item.pk else None
            if old is None:
                flags = levels or (default_levels if any(default_levels) else self._level_of_region(item))
                plan.years_new.append((item, item.year, item.plan if item.plan is not None else ZERO, flags))
                plan.list_flags[(id(item), item.year)] = flags
            else:
                flags = (old["on_province_list"], old["on_city_list"], old["on_county_list"])
                if levels:
                    flags = (flags[0] or levels[0], flags[1] or levels[1], flags[2] or levels[2])
                plan.list_flags[(id(item), item.year)] = flags
                new_plan = item.plan if item.plan is not None else old["annual_plan"]
                if new_plan != old["annual_plan"] or flags != (old["on_province_list"], old["on_city_list"], old["on_county_list"]):
                    plan.years_changed.append((old["id"], new_plan, flags))
                    item.changes.setdefault("_year", True)

    def _level_of_region(self, item: _Item) -> tuple[bool, bool, bool]:
        region = item.values.get("region_id") or item.region
        level = self.regions[region].level if region in self.regions else "county"
        return (False, level == "city", level == "county")

    # -- step 8: counts ----------------------------------------------------------------------

    def _count(self, items: list[_Item], plan: _Plan) -> None:
        reported = {id(r.item) for r in plan.reports}
        new_owners = {i.new_owner[0] for i in items if i.new_owner and not i.dropped}
        plan.enterprises_created = len(new_owners)
        for item in items:
            if item.dropped:
                continue
            if item.existing is None:
                plan.created += 1
                item.action = "新增"
            elif item.changes or id(item) in reported or item.new_owner:
                plan.updated += 1
                item.action = "更新"
            else:
                plan.unchanged += 1
                item.action = "无变化"
        plan.reports_created = sum(1 for r in plan.reports if r.existing_id is None)
        plan.reports_updated = sum(1 for r in plan.reports if r.existing_id is not None)

    def _sample(self, items: list[_Item]) -> list[dict[str, Any]]:
        out = []
        for item in items[:SAMPLE_ROWS]:
            if item.dropped:
                continue
            region = item.values.get("region_id") or (item.existing["region_id"] if item.existing else item.region)
            f = item.figures[0] if item.figures else None
            out.append(
                {
                    "sheet": item.row.sheet,
                    "row": item.row.row,
                    "name": item.name,
                    "code": item.code or "",
                    "region": self.regions[region].name if region in self.regions else "",
                    "action": item.action,
                    "total_investment": str(item.values.get("total_investment", "")),
                    "annual_plan": "" if item.plan is None else str(item.plan),
                    "invested_ytd": "" if f is None or f.ytd is None else str(f.ytd),
                }
            )
        return out

    # ----------------------------------------------------------------------------------------
    # Writing (inside the caller's transaction)
    # ----------------------------------------------------------------------------------------

    def write(self, plan: _Plan) -> None:
        """Every row the services would write, in bulk; then the scope of every written project
        is read back (inside the caller's transaction)."""
        from keyprojects.dispatch.models import MonthlyReport, ReportStep
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        items = [i for i in plan.items if not i.dropped]
        new = sum(1 for i in items if i.existing is None)
        loads = {
            Project: new,
            ProjectEvent: new,
            ProjectYear: len(plan.years_new),
            MonthlyReport: sum(1 for r in plan.reports if r.existing_id is None),
            ReportStep: len(plan.reports),
        }
        with _bulk_load(loads):
            self._write_rows(plan, items)
        steps = max(1, len(items) * 2 + len(plan.reports))  # as _write_rows counts them
        self.tick(PHASE_WRITE, steps, steps)
        self._recheck_scope(items)

    def _write_rows(self, plan: _Plan, items: list[_Item]) -> None:
        from keyprojects.dispatch.models import MonthlyReport, ReportFlag, ReportStep
        from keyprojects.dispatch.services import period_get_or_open
        from keyprojects.enterprises.models import Enterprise
        from keyprojects.projects.choices import EventKind
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        total_steps = max(1, len(items) * 2 + len(plan.reports))
        done = 0
        actor_id = self.user.pk if self.user is not None else None
        now = self.now

        # enterprises the file registers (USCC not yet known)
        owners: dict[str, int] = {}
        new_owner_rows = {}
        for item in items:
            if item.new_owner and item.new_owner[0] not in new_owner_rows:
                new_owner_rows[item.new_owner[0]] = (
                    item.new_owner[1],
                    item.values.get("region_id") or item.region or (item.existing or {}).get("region_id"),
                )  # type: ignore[index]
        if new_owner_rows:
            ent = _Writer(Enterprise, ["name", "uscc", "region_id"], const={"created_at": now, "updated_at": now, "version": 1})
            for uscc, (name, region) in new_owner_rows.items():
                owners[uscc] = ent.add(name[:200], uscc, region)
            ent.flush()
        for item in items:
            if item.new_owner:
                item.values["owner_id"] = owners[item.new_owner[0]]
                item.changes["owner_id"] = owners[item.new_owner[0]]

        # new projects, then their creation event (made by the database from the rows written)
        new_items = [i for i in items if i.existing is None]
        if new_items:
            cols = ["province_code", "city_code", "stage", *ATTR_FIELD.keys()]
            pw = _Writer(Project, cols, const={"created_at": now, "updated_at": now, "version": 1, "created_by_id": actor_id})
            attrs = list(ATTR_FIELD)
            defaults = [self.project_fields[a].get_default() for a in attrs]
            regions = self.regions
            add = pw.add
            for n, item in enumerate(new_items, 1):
                v = item.values
                reg = regions[v["region_id"]]
                item.pk = add(reg.province_code, reg.city_code or "", item.stage, *map(v.get, attrs, defaults))
                if n % CHUNK == 0:
                    pw.flush()
                    done += CHUNK
                    self.tick(PHASE_WRITE, done, total_steps)
            pw.flush()
            _insert_derived(
                ProjectEvent,
                {"kind": str(EventKind.CREATED), "from_stage": "", "reason": "导入", "actor_id": actor_id, "at": now},
                Project,
                {"project_id": "id", "to_stage": "stage"},
                [i.pk for i in new_items],  # type: ignore[misc]
            )
        done = len(new_items)

        # changed projects: one UPDATE per set of changed columns, guarded by the version
        shapes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        for item in items:
            if item.existing is None:
                continue
            ch = {a: x for a, x in item.changes.items() if not a.startswith("_") and a in ATTR_FIELD}
            if not ch:
                continue
            if "region_id" in ch:
                reg = self.regions[ch["region_id"]]
                ch["province_code"], ch["city_code"] = reg.province_code, reg.city_code or ""
            key = tuple(sorted(ch))
            shapes[key].append([*(ch[a] for a in key), item.pk, item.existing["version"]])
        for key, rows in shapes.items():
            n = _update_versioned(Project, key, rows, now)
            if n != len(rows):
                raise ImportFailed([self._issue(None, "", "导入期间有项目被他人修改，请重新导入")])
        done = len(items)
        self.tick(PHASE_WRITE, done, total_steps)

        # year plans
        if plan.years_new:
            yw = _Writer(ProjectYear, ["project_id", "year", "annual_plan", "on_province_list", "on_city_list", "on_county_list"])
            as_ints: dict[tuple[bool, ...], tuple[int, ...]] = {}  # (a bool binds through the adapter lookup, an int does not)
            for item, year, amount, flags in plan.years_new:
                bits = as_ints.get(flags) or as_ints.setdefault(flags, tuple(map(int, flags)))
                yw.add(item.pk, year, amount, *bits)
            yw.flush()
        if plan.years_changed:
            with connection.cursor() as cur:
                qn = connection.ops.quote_name
                cur.executemany(
                    f"UPDATE {qn(ProjectYear._meta.db_table)} SET annual_plan = %s, on_province_list = %s, on_city_list = %s, "
                    f"on_county_list = %s WHERE id = %s",
                    [(amount, *flags, pk) for pk, amount, flags in plan.years_changed],
                )

        # monthly reports: submitted by the uploader (the review chain of report_submit)
        if plan.reports:
            periods = {p: period_get_or_open(year=p[0], month=p[1]) for p in {r.period for r in plan.reports}}
            chains = self._chains(plan)
            rw = _Writer(
                MonthlyReport,
                [
                    "project_id", "period_id", "review_levels", "pending_level", "invested_month", "invested_ytd", "invested_to_date",
                    "physical_progress", "physical_progress_pct", "workers", "problems", "no_activity", "no_activity_reason", "is_late",
                ],
                const={
                    "created_at": now, "updated_at": now, "version": 1, "status": "submitted", "review_step": 0, "submitted_at": now,
                    "submitted_by_id": actor_id,
                },
            )  # fmt: skip
            updates: list[list[Any]] = []
            written: list[tuple[_ReportWrite, int]] = []
            level = getattr(self.user, "role", "") or ""
            chain_json: dict[int, str] = {}
            for r in plan.reports:
                levels = chains[(r.item.pk, r.period[0])]
                if id(levels) not in chain_json:
                    chain_json[id(levels)] = _json(levels)
                levels_json = chain_json[id(levels)]
                per = periods[r.period]
                late = self.today > per.fill_end
                f = r.fig
                if r.existing_id is None:
                    pk = rw.add(
                        r.item.pk, per.pk, levels_json, levels[0], r.month, r.ytd, r.to_date, f.progress_text, f.pct, f.workers,
                        f.problems, 1 if f.no_activity else 0, f.no_activity_reason, 1 if late else 0,
                    )  # fmt: skip
                    written.append((r, pk))
                else:
                    updates.append(
                        [
                            "submitted", levels_json, 0, levels[0], r.month, r.ytd, r.to_date, f.progress_text, f.pct, f.workers,
                            f.problems, f.no_activity, f.no_activity_reason, now, actor_id, late, "", r.existing_id, r.existing_version,
                        ]
                    )  # fmt: skip
                    written.append((r, r.existing_id))
            rw.flush()
            if updates:
                key = (
                    "status", "review_levels", "review_step", "pending_level", "invested_month", "invested_ytd", "invested_to_date",
                    "physical_progress", "physical_progress_pct", "workers", "problems", "no_activity", "no_activity_reason",
                    "submitted_at", "submitted_by_id", "is_late", "return_opinion",
                )  # fmt: skip
                if _update_versioned(MonthlyReport, key, updates, now) != len(updates):
                    raise ImportFailed([self._issue(None, "", "导入期间有月报被他人修改，请重新导入")])
                ReportFlag.objects.filter(report_id__in=[pk for r, pk in written if r.existing_id]).delete()
            _insert_derived(
                ReportStep,
                {"action": "submit", "level": level, "opinion": "导入", "actor_id": actor_id, "at": now},
                MonthlyReport,
                {"report_id": "id"},
                [pk for _r, pk in written],
            )
            flag_rows = _Writer(ReportFlag, ["report_id", "code", "severity", "message"])
            for r, pk in written:
                for code, severity, message in r.flags:
                    flag_rows.add(pk, code, severity, message[:300])
            flag_rows.flush()
        if plan.rederive:
            with connection.cursor() as cur:
                qn = connection.ops.quote_name
                cur.executemany(
                    f"UPDATE {qn(MonthlyReport._meta.db_table)} SET invested_ytd = %s, invested_to_date = %s WHERE id = %s",
                    [(ytd, to, pk) for pk, ytd, to in plan.rederive],
                )

    def _chains(self, plan: _Plan) -> dict[tuple[Any, int], list[str]]:
        """The review chain of each (project, year): ``review_chain_from`` (the rule of
        ``report_submit``) on the project's top list that year — from the file, else from the
        system — and whether it is a city-level project; decided once per kind of project."""
        from keyprojects.dispatch.selectors import LEVEL_ORDER
        from keyprojects.dispatch.services import review_chain_from
        from keyprojects.projects.models import ProjectYear

        list_flags = plan.list_flags
        flags: dict[tuple[Any, int], tuple[bool, bool, bool] | None] = {}
        for r in plan.reports:
            key = (r.item.pk, r.period[0])
            if key not in flags:
                flags[key] = list_flags.get((id(r.item), r.period[0]))
        unknown = sorted(k for k, f in flags.items() if f is None)
        for chunk in _chunks(unknown):
            for y in ProjectYear.objects.filter(project_id__in={p for p, _ in chunk}, year__in={y for _, y in chunk}).values_list(
                "project_id", "year", "on_province_list", "on_city_list", "on_county_list"
            ):
                if (y[0], y[1]) in flags:
                    flags[(y[0], y[1])] = (y[2], y[3], y[4])
        config = self.config
        kinds: dict[tuple[Any, ...], list[str]] = {}
        out: dict[tuple[Any, int], list[str]] = {}
        regions = self.regions
        for r in plan.reports:
            item = r.item
            key = (item.pk, r.period[0])
            if key in out:
                continue
            code = item.values.get("region_id") or (item.existing or {}).get("region_id") or item.region
            kind = (flags[key], code)
            chain = kinds.get(kind)
            if chain is None:
                region = regions[str(code)]
                top = next((str(lvl) for lvl, on in zip(LEVEL_ORDER, flags[key] or (False, False, False), strict=True) if on), "county")
                city_level = not region.city_code or region.code == region.city_code
                chain = kinds[kind] = review_chain_from(top_level=top, city_level=city_level, config=config)
            out[key] = chain
        return out

    def _recheck_scope(self, items: list[_Item]) -> None:
        """reliability.md 14: every project this import touched must be editable by the user,
        read back inside the transaction; anything else rolls the whole import back."""
        from keyprojects.projects.models import Project

        if self.system:
            return
        ids = [i.pk for i in items if i.pk]
        ok: set[int] = set()
        for chunk in _chunks(ids):
            ok.update(Project.objects.editable_by(self.user).filter(pk__in=chunk).values_list("pk", flat=True))
        bad = [i for i in items if i.pk not in ok]
        if bad:
            raise ImportFailed([self._issue(i.row, "region_text", "该项目超出您的管辖范围，导入已撤销") for i in bad])


# --------------------------------------------------------------------------------------------
# Rules shared with the services
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RegionInfo:
    """What the import needs of a region (Project.clean reads ``level``)."""

    code: str
    name: str
    level: str
    parent_id: str | None
    city_code: str
    province_code: str


class _Where(NamedTuple):
    """What ``dispatch.selectors.is_frozen_in`` reads of a project (before it exists)."""

    province_code: str
    city_code: str


class _PeriodStub(NamedTuple):
    year: int
    month: int


class _FiguresStub(NamedTuple):
    """What ``dispatch.services.report_checks_from`` reads of a report, before it exists."""

    invested_month: Decimal
    invested_ytd: Decimal
    invested_to_date: Decimal
    physical_progress_pct: Decimal | None


class _ProjectStub(NamedTuple):
    """What ``dispatch.services.report_checks_from`` reads of a project (as the import leaves it)."""

    total_investment: Decimal | None
    stage: str
    actual_start: dt.date | None
    actual_completion: dt.date | None


def _field_error(f: models.Field[Any, Any] | None, value: Any) -> str | None:
    """The model field's own validation (max_length, decimal digits, ≥ 0), with a fast path
    for values that plainly pass; the Django validators produce the message otherwise."""
    if f is None or value is None:
        return None
    if isinstance(f, models.CharField):
        if isinstance(value, str) and len(value) <= (f.max_length or 10**9):
            return None
    elif isinstance(f, models.DecimalField):
        if isinstance(value, Decimal) and value.is_finite() and 0 <= value < Decimal(10) ** (f.max_digits - f.decimal_places):  # type: ignore[operator]
            return None
    elif isinstance(f, models.DateField | models.ForeignKey | models.BooleanField):
        return None
    try:
        f.clean(value, None)
    except ValidationError as exc:
        return "；".join(str(m) for m in exc.messages)
    return None


# What ``_clean_project`` hands to ``Project.clean`` (the project code and zone are checked elsewhere).
CLEAN_INPUTS = (
    "industry_section", "industry_division", "planned_start", "planned_completion", "actual_start", "actual_completion", "region_id",
)  # fmt: skip


def _clean_project(model: type[models.Model], values: dict[str, Any], regions: dict[str, Any]) -> None:
    """``Project.clean()`` on a lightweight instance: the model's cross-field rules (dates in
    order, industry division within its section, a region below the province) without a
    model ``__init__`` per row. The project-code rule (shape, region exists) was checked with
    the same validators while reading the row, so ``clean`` is spared its query."""
    obj = model.__new__(model)
    obj._state = ModelState()
    d = obj.__dict__
    d.update(dict.fromkeys(("industry_section", "industry_division"), ""))
    d.update(dict.fromkeys(("planned_start", "planned_completion", "actual_start", "actual_completion", "zone_id", "region_id")))
    d.update({k: values[k] for k in CLEAN_INPUTS if k in values})
    d["project_code"] = None
    region = regions.get(values.get("region_id") or "")
    if region is not None:
        obj._state.fields_cache["region"] = region
    else:
        d["region_id"] = None
    d["zone_id"] = None  # zones come only from zone units
    obj.clean()  # type: ignore[attr-defined]


def _nearest(candidates: list[dict[str, Any]], region: str | None, regions: dict[str, Any]) -> Any:
    """The unit or leader nearest the project's region: same region, its city, its province."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    r = regions.get(region or "")
    for target in [r.code, r.city_code, r.province_code] if r is not None else []:
        if not target:
            continue
        hits = [c for c in candidates if c["region_id"] == target]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return "ambiguous"
    return "ambiguous"


@functools.lru_cache(maxsize=4096)
@functools.lru_cache(maxsize=8192)
def _checked_uscc(text: str) -> tuple[str, str]:
    """(normalised USCC, "" or the validator's message): a file repeats its owners' codes."""
    uscc = normalize_uscc(text)
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        return uscc, str(exc.messages[0])
    return uscc, ""


def _leader_name(text: str) -> str:
    """ "张三（副市长）" / "张三 副市长" → "张三"."""
    t = re.split(r"[（(\s/、,，]", str(text).strip(), maxsplit=1)[0]
    return t.strip()


def _chunks(values: Sequence[Any] | Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Raw bulk writes (the same values the ORM would write, without a model instance per row)
# --------------------------------------------------------------------------------------------


class _Writer:
    """Append-only batches for one table. Ids come from the table's own sequence (PostgreSQL:
    ``nextval``, so concurrent writers never collide) or, on SQLite, after the largest id ever
    used (the IMMEDIATE transaction holds the write lock). Rows go out with ``executemany``
    (SQLite) or ``COPY`` (PostgreSQL); columns not listed get their model default.

    ``const`` are values every row of this batch shares (the import's timestamp, its actor, a
    status): on SQLite they and the defaults are written as literals of the statement, so only
    the values that differ are bound per row."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], const: dict[str, Any] | None = None):
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        pk = meta.pk
        assert pk is not None
        const = const or {}
        self.model = model
        self.fields = [by_attname[a] for a in fields]
        fixed = [by_attname[a] for a in const]
        missing = [f for f in meta.concrete_fields if f is not pk and f.attname not in fields and f.attname not in const]
        defaults = tuple(f.get_default() for f in missing)
        for f, default in zip(missing, defaults, strict=True):
            if default is None and not f.null:
                raise ValueError(f"{meta.label}.{f.attname} needs a value")
        shared = [*fixed, *missing]
        shared_values = [*const.values(), *defaults]
        self.tail = tuple(_json(x) if isinstance(f, models.JSONField) else x for f, x in zip(shared, shared_values, strict=True))
        self.columns: list[str] = [str(pk.column), *(str(f.column) for f in self.fields), *(str(f.column) for f in shared)]
        self.vendor = connection.vendor
        qn = connection.ops.quote_name
        self.table = meta.db_table
        self.insert_head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in self.columns)}) VALUES ("
        if self.vendor == "sqlite":
            self.tail_literals = [_value_literal(x) for x in self.tail]
            values = ", ".join(["%s"] * (1 + len(self.fields)) + self.tail_literals)
            self.tail = ()
        else:
            values = ", ".join(["%s"] * len(self.columns))
        self.insert_sql = f"{self.insert_head}{values})"
        self.copy_sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in self.columns)}) FROM STDIN"
        self.dt_positions = [i + 1 for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)]
        # what Django's SQLite adapters make of decimals and dates (their text), made here: the
        # driver's adapter lookup per bound value costs more than the conversion itself
        self.text_positions = [
            i + 1
            for i, f in enumerate(self.fields)
            if isinstance(f, models.DecimalField) or (isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField))
        ]
        self.json_positions = [i + 1 for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        self.rows: list[list[Any]] = []
        self._ids: list[int] = []
        self._next: int | None = None

    def _reserve(self) -> None:
        """Refill ``self._ids`` with the next ids to use (popped from the end)."""
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [self.table, self.columns[0], CHUNK]
                )
                self._ids = [r[0] for r in cur.fetchall()][::-1]
                return
            if self._next is None:
                qn = connection.ops.quote_name
                cur.execute(f"SELECT MAX({qn(self.columns[0])}) FROM {qn(self.table)}")
                top = cur.fetchone()[0] or 0
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                seq = cur.fetchone()
                self._next = max(top, seq[0] if seq else 0) + 1
            self._ids = list(range(self._next + CHUNK - 1, self._next - 1, -1))
            self._next += CHUNK

    def add(self, *values: Any) -> int:
        if not self._ids:
            self._reserve()
        pk = self._ids.pop()
        self.rows.append([pk, *values, *self.tail])
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                adapted: dict[dt.datetime, Any] = {}  # the import stamps every row with one "now"
                adapt = connection.ops.adapt_datetimefield_value
                for row in rows:
                    for i in self.dt_positions:
                        value = row[i]
                        if value is not None:
                            if value not in adapted:
                                adapted[value] = adapt(value)
                            row[i] = adapted[value]
                sql, params = self._sqlite_batch(rows)
                _sqlite_insert_many(cur, sql, params)

    def _sqlite_batch(self, rows: list[list[Any]]) -> tuple[str, Sequence[Sequence[Any]]]:
        """The statement for this batch and its rows: a column whose value is the same in every
        row of the batch (a column the file does not have, a flag, the year) is written as a
        literal of the statement instead of bound per row. Only values that need no quoting are
        inlined (NULL, numbers, booleans, dates, empty text, codes and choices such as "370000"
        or "construction"); any other text of the file is always bound."""
        n = len(rows)
        if n < 64:
            return self.insert_sql, rows  # (the driver adapts decimals and dates)
        parts: list[str] = []
        keep: list[int] = []
        first, middle, last = rows[0], rows[n // 2], rows[-1]
        for i, v in enumerate(first):
            if (
                i
                and (v is None or type(v) in _INLINE_TYPES or (type(v) is str and (not v or _PLAIN_TEXT.fullmatch(v))))
                and middle[i] == v
                and last[i] == v
                and (column := list(map(operator.itemgetter(i), rows))).count(v) == n
                and (v is None or type(v) is str or len(set(map(type, column))) == 1)  # (True == 1 == Decimal(1))
            ):
                parts.append(_value_literal(v))
            else:
                parts.append("%s")
                keep.append(i)
        as_text = [i for i in self.text_positions if i in keep]
        if as_text:  # (for the columns still bound)
            for row in rows:
                for i in as_text:
                    value = row[i]
                    if value is not None:
                        row[i] = str(value)  # Decimal → "12.3400", date → "2024-03-01"
        if len(parts) - len(keep) < 3:  # too few to pay for re-making every row without them
            return self.insert_sql, rows
        pick = operator.itemgetter(*keep)
        params = list(map(pick, rows)) if len(keep) > 1 else [(pick(r),) for r in rows]
        return self.insert_head + ", ".join(parts + self.tail_literals) + ")", params


_INLINE_TYPES = (bool, int, Decimal, dt.date)
_PLAIN_TEXT = re.compile(r"[0-9A-Za-z_.:+-]{1,40}")  # codes, choices, amounts and dates as text: nothing to quote


def _value_literal(value: Any) -> str:
    """An SQLite literal stored exactly as the driver's binding of ``value`` would be (Django's
    adapters: Decimal, date and datetime as text); ``%`` doubled for the cursor's placeholder
    syntax. Only for values the import controls or that need no quoting (see _sqlite_batch)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        text = str(connection.ops.adapt_datetimefield_value(value))
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Decimal | str):
        text = str(value)
    else:
        raise TypeError(f"no SQLite literal for {type(value).__name__}")
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


SQLITE_ROWS_PER_INSERT = 300


def _sqlite_insert_many(cur: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
    """``INSERT … VALUES (…)`` for every row of ``params``: some hundred rows per execution of the
    statement (``VALUES (…), (…), …``) cost SQLite and the driver far less than one execution per
    row; the same rows in the same order, still one ``executemany``."""
    width = len(params[0]) if params else 0
    per = max(1, min(SQLITE_ROWS_PER_INSERT, 30_000 // max(width, 1)))
    full = len(params) // per * per
    if width and full:
        head, one = sql.split(" VALUES ", 1)
        statement = f"{head} VALUES {', '.join([one] * per)}"
        flat = list(itertools.chain.from_iterable(params[:full]))
        step = per * width
        cur.executemany(statement, [flat[i : i + step] for i in range(0, len(flat), step)])
    if full < len(params):
        cur.executemany(sql, params[full:])


def _insert_derived(
    model: type[models.Model], values: dict[str, Any], source: type[models.Model], columns: dict[str, str], ids: Sequence[int]
) -> None:
    """One row of ``model`` per ``source`` row in ``ids``, made by the database itself
    (``INSERT … SELECT``): ``values`` are the same for every row, ``columns`` maps attnames to
    the source column they copy. Rows the import derives from rows it just wrote (a project's
    "created" event, a report's submit step) cost no binding per row this way."""
    qn = connection.ops.quote_name
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields if f is not meta.pk}
    missing = [f for a, f in by_attname.items() if a not in values and a not in columns]
    for f in missing:
        if f.get_default() is None and not f.null:
            raise ValueError(f"{meta.label}.{f.attname} needs a value")
    shared = {**values, **{f.attname: f.get_default() for f in missing}}
    target = [*columns, *shared]
    into = ", ".join(qn(str(by_attname[a].column)) for a in target)
    select = ", ".join([*(qn(c) for c in columns.values()), *(["%s"] * len(shared))])
    params = [by_attname[a].get_db_prep_value(x, connection) for a, x in shared.items()]
    head = f"INSERT INTO {qn(meta.db_table)} ({into}) SELECT {select} FROM {qn(source._meta.db_table)} WHERE {qn('id')}"
    with connection.cursor() as cur:
        low, high = (min(ids), max(ids)) if ids else (0, -1)
        if high - low + 1 == len(ids) == len(set(ids)):  # the import's own consecutive ids: a range
            cur.execute(f"{head} BETWEEN %s AND %s", [*params, low, high])
            return
        for chunk in _chunks(ids):
            cur.execute(f"{head} IN ({', '.join(['%s'] * len(chunk))})", [*params, *chunk])


BULK_LOAD_MIN_ROWS = 1000
BULK_LOAD_CACHE_KIB = 65536  # SQLite page cache during a big load (the default is 2 MB)


@contextlib.contextmanager
def _bulk_load(loads: dict[type[models.Model], int]) -> Iterator[None]:
    """SQLite: a table about to receive more new rows than it holds (a first import into an
    empty system) is loaded without its non-unique secondary indexes, re-created from their
    own SQL right after, in the same transaction: building an index once is cheaper than
    15,000 inserts into each of a project's fifteen. Nothing outside the transaction ever
    sees them missing, and an error rolls the DDL back with everything else. Unique indexes
    stay, to guard the rows. PostgreSQL (COPY) and big tables: nothing to do."""
    if connection.vendor != "sqlite":
        yield
        return
    qn = connection.ops.quote_name
    dropped: list[str] = []
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache_size = int(cur.fetchone()[0])
        if sum(loads.values()) >= BULK_LOAD_MIN_ROWS:  # the pages of a big load (and its index builds) stay in memory
            cur.execute(f"PRAGMA cache_size = {min(cache_size, -BULK_LOAD_CACHE_KIB)}")
        for model, rows in loads.items():
            if rows < BULK_LOAD_MIN_ROWS:
                continue
            table = model._meta.db_table
            cur.execute(f"SELECT MAX(id) FROM {qn(table)}")  # at least as many as it holds
            if (cur.fetchone()[0] or 0) >= rows:
                continue
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            for name, sql in cur.fetchall():
                cur.execute(f"DROP INDEX {qn(name)}")
                dropped.append(sql)
    try:
        yield
        with connection.cursor() as cur:
            for sql in dropped:
                cur.execute(sql)
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {cache_size}")


def _update_versioned(model: type[models.Model], fields: Sequence[str], rows: list[list[Any]], now: dt.datetime) -> int:
    """``UPDATE … SET <fields>, version = version + 1 WHERE id = ? AND version = ?`` for every
    row (values, then id and expected version): the optimistic lock of ``save_versioned``,
    in bulk. Returns the number of rows updated."""
    qn = connection.ops.quote_name
    meta = model._meta
    cols = [str(meta.get_field(f).column) for f in fields]  # type: ignore[union-attr]
    sets = ", ".join(f"{qn(c)} = %s" for c in cols)
    version = qn("version")
    sql = f"UPDATE {qn(meta.db_table)} SET {sets}, {version} = {version} + 1, {qn('updated_at')} = %s WHERE id = %s AND {version} = %s"
    if connection.vendor == "sqlite":
        adapt = connection.ops.adapt_datetimefield_value
        params = [[adapt(x) if isinstance(x, dt.datetime) else x for x in r[:-2]] + [adapt(now), r[-2], r[-1]] for r in rows]
    else:
        params = [[*r[:-2], now, r[-2], r[-1]] for r in rows]
    n = 0
    with connection.cursor() as cur:
        for chunk in _chunks(params):
            cur.executemany(sql, chunk)
            n += cur.rowcount
    return n


__all__ = [
    "DuplicateFile",
    "ImportOutcome",
    "batch_issue_rows",
    "can_import",
    "file_sha256",
    "import_confirm",
    "import_file",
    "import_parsed",
    "import_preview",
    "parse_period",
]

_ = dataclasses  # re-exported name used by tests' type hints
