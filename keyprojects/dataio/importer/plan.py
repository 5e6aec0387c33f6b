"""What the import will do, computed before anything is written: the items (one per project of
the file), their figures, the write instructions, and the state the steps share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils import timezone

from keyprojects.core.errors import ApplicationError

from ..types import FIELD_LABELS, Issue, ParsedRow, ParseResult
from .values import _build_mappers, _text

if TYPE_CHECKING:
    from ..normalize import RegionResolver

Progress = Callable[[str, int, int], None]

SAMPLE_ROWS = 50
PHASE_READ = "读取文件"  # the file's bytes → its sheets' cells (python-calamine: one call per sheet)
PHASE_PARSE = "解析"  # the cells → rows, reported every ``parsing.PROGRESS_ROWS`` rows
PHASE_CHECK = "校验"  # reported as a share of the rows: CHECK_SHARES
PHASE_WRITE = "写入"
PHASE_REFRESH = "刷新汇总"  # the one refresh action after the write (analytics.refresh), per chunk and period


# where each step of 校验 ends, in % of the phase: its measured share of the check's CPU time
# (15,000 rows, ADR 0010); the loops over rows report within their step every 1,000 rows
CHECK_SHARES = {"items": 32, "resolve": 48, "validate": 67, "figures": 88, "years": 94}


class ImportFailed(ApplicationError):
    """Raised inside the write transaction to roll it back; ``issues`` say why."""

    code = "import_failed"
    default_message = "导入未完成，数据未写入"

    def __init__(self, issues: list[Issue]):
        super().__init__(issues[0].message if issues else None)
        self.issues = issues


@dataclass(slots=True)
class Figures:
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
class Item:
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
    figures: list[Figures] = field(default_factory=list)
    existing: dict[str, Any] | None = None  # the DB row of a matched project
    pk: int | None = None
    dropped: bool = False  # an error makes the row unusable (no identity, no region, out of scope)
    stage: str = ""  # a new project's initial stage
    action: str = ""  # 新增 / 更新 / 无变化, for the preview
    bad: set[str] = field(default_factory=set)  # fields already reported as errors
    changes: dict[str, Any] = field(default_factory=dict)
    new_owner: tuple[str, str] | None = None  # (uscc, name) of an enterprise to register


@dataclass
class Plan:
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    totals: dict[str, str | None] = field(default_factory=dict)
    period: tuple[int, int] | None = None
    items: list[Item] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    enterprises_created: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    # write instructions, filled by Importer.plan()
    years_new: list[tuple[Item, int, Decimal, tuple[bool, bool, bool], str]] = field(default_factory=list)  # (…, flags, nature)
    # (ProjectYear id, plan, flags, nature)
    years_changed: list[tuple[int, Decimal, tuple[bool, bool, bool], str]] = field(default_factory=list)
    reports: list[ReportWrite] = field(default_factory=list)
    rederive: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # (report id, ytd, to_date)
    list_flags: dict[tuple[int, int], tuple[bool, bool, bool]] = field(default_factory=dict)  # (id(item), year) → lists


@dataclass(slots=True)
class ReportWrite:
    item: Item
    fig: Figures
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
    **dict.fromkeys(("latitude", "longitude"), "coordinate"),
    **dict.fromkeys(
        ("category", "nature", "industry", "stage_text", "started", "level", "period_range", "annual_plan", "in_statistics"), "map"
    ),
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
    "in_statistics": "in_statistics",
    "latitude": "latitude",
    "longitude": "longitude",
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


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """What the import needs of a region (Project.clean reads ``level``)."""

    code: str
    name: str
    level: str
    parent_id: str | None
    city_code: str
    province_code: str


class Where(NamedTuple):
    """What ``dispatch.selectors.is_frozen_in`` reads of a project (before it exists)."""

    province_code: str
    city_code: str


class PeriodStub(NamedTuple):
    year: int
    month: int


class FiguresStub(NamedTuple):
    """What ``dispatch.services.report_checks_from`` reads of a report, before it exists."""

    invested_month: Decimal
    invested_ytd: Decimal
    invested_to_date: Decimal
    physical_progress_pct: Decimal | None
    no_activity: bool = False


class ProjectStub(NamedTuple):
    """What ``dispatch.services.report_checks_from`` reads of a project (as the import leaves it)."""

    total_investment: Decimal | None
    stage: str
    actual_start: dt.date | None
    actual_completion: dt.date | None


class ImporterState:
    """The state the import's steps share (``read``, ``resolve``, ``check``, ``write`` are mixins
    of :class:`~keyprojects.dataio.importer.Importer` over it) and the way they report issues."""

    # set by resolve.ResolveMixin._load_scope and _lookup / _match
    regions: dict[str, RegionInfo]
    assignable: set[str]
    writable: set[str]
    forced_region: str | None
    forced_unit: int | None
    default_code: str | None
    scope_code: str | None  # the region rows must fall in (policy.import_scope: --region within the user's own)
    scope_asked: bool  # scope_code is the region asked for (--region, the upload page's default)
    home: Any
    user_level: str | None
    can_register_owner: bool
    _resolver: RegionResolver | None
    _place_cache: dict[str, tuple[str | None, str, int | None]]
    _clue_cache: dict[tuple[str, str], str]  # (field, text) → the county it names, "" for none
    _clue_field: str  # the field the last row's region was read from ("_sheet": the sheet's name)
    by_code: dict[str, dict[str, Any]]
    by_id: dict[int, dict[str, Any]]
    by_name: dict[tuple[str, str], list[dict[str, Any]]]
    ent_by_uscc: dict[str, dict[str, Any]]
    ent_by_name: dict[str, list[int]]
    ent_reach: set[int]
    editable: set[int]
    sheet_years: dict[str, int]  # sheet → the annual plan's year it names (title, header, sheet name)
    sheet_periods: dict[str, tuple[int, int]]  # sheet → the reporting month it names
    sheets_ambiguous: set[str]  # sheets named after a place several regions share ("市中区"), undecided
    total_sheets: set[str]  # sheets with a 总投资 column
    # set by check.CheckMixin._figures / _years
    config: Any
    periods: dict[tuple[int, int], Any]
    fill_end: dict[tuple[int, int], dt.date]
    top_levels: dict[int, tuple[bool, bool, bool]]
    # set by write.WriteMixin.write: the new projects' rows for the refresh (analytics.refresh.Written)
    written: Any

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
        self.check_rows = 0  # the rows 校验 is reported against (set by ``plan``)

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

    def tick_check(self, start: str, end: str, n: int = 1, count: int = 1) -> None:
        """校验, ``n`` of ``count`` done in the step from :data:`CHECK_SHARES` ``start`` (a step's
        name, or "" for 0) to ``end`` ("" for 100), as a share of the phase's rows."""
        if self.progress is None:
            return
        a, b = CHECK_SHARES.get(start, 0), CHECK_SHARES.get(end, 100)
        total = self.check_rows
        self.progress(PHASE_CHECK, total * (a * count + (b - a) * min(n, count)) // (100 * count) if count else total * b // 100, total)
