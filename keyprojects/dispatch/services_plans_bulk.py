"""分月计划批量填报: the 12-month plan curves of every project of a user's scope for a year, set
from one spreadsheet.

* :func:`plan_sheet` — the .xlsx to fill: one row per project in scope with an annual plan that
  year (项目代码, or its ID when it has none; 项目名称; 所属区域; 年度计划投资), then 1月…12月
  prefilled with the curve as it counts (the default spread where the project has none, said in
  计划来源), closed months grey and locked, a hidden 项目ID column that brings a row back to its
  project. Cells go through ``core.xlsx`` (``safe_cell``: no formula from a name).
* :func:`plans_preview` — the filled sheet read through ``dataio.reader.read_sheets`` (the file
  safety rules) and checked row by row by the rules of the single save
  (``services_plans.plan_apply``, nothing written): the row errors in the page's language and
  the projects that would change, with a signed token of what was read.
* :func:`plans_confirm` — the token applied by :func:`plans_apply`.
* :func:`plans_apply` — many projects' curves applied all or nothing in one transaction (the
  page's confirm and the API's ``POST /api/v1/monthly-plans/bulk/``): every project's curve
  checked again and written by ``plan_apply`` (its audit record), refused as a whole when a curve
  changed since it was read (each row's ``expected``) or a rule fails now; then one refresh of all
  the changed projects (``services_plans.refresh_plans``).

A city or the province may narrow all of it to one region below it (``region``,
:func:`plan_region`: one of ``policy.regions_below``): the sheet lists the region's projects only,
and a row of the user's project outside it is refused as outside the region (:data:`OUTSIDE_REGION`).

A row left as exported writes nothing and is not checked (a curve that no longer adds up to a
changed annual plan is the project page's to say). A project code that is unknown and one out of
the user's scope are said with one message: no existence leak (reliability.md 11)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ConflictError, Message, NotFound, PermissionDenied, ValidationFailed, listed
from keyprojects.core.money import format_month
from keyprojects.core.xlsx import EXPORT_LANGUAGE, in_chinese, new_workbook, safe_cell
from keyprojects.dataio.reader import read_sheets
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

from .selectors_plans import MONTHS, PlanMonths, plan_months_of
from .services_plans import first_changed, left_as_counted, month_field, plan_apply, refresh_plans

SALT = "keyprojects.dispatch.plans_bulk"
TOKEN_MAX_AGE = 2 * 3600  # a preview is confirmed within two hours
CHUNK = 2000

H_CODE = gettext_noop("项目代码")
H_NAME = gettext_noop("项目名称")
H_REGION = gettext_noop("所属区域")
H_PLAN = gettext_noop("年度计划投资（万元）")
H_SOURCE = gettext_noop("计划来源")
H_TOTAL = gettext_noop("12个月合计")
H_ID = gettext_noop("项目ID")
OWN = gettext_noop("项目自定")
DEFAULT = gettext_noop("默认分布")
HEADER_ROW = 2  # 0-based: the title, the note, then the header
FIRST_MONTH_COL = 5
TITLE = "%(year)s年重点项目分月计划批量填报（%(place)s）"
NOTE = (
    "单位：万元，可填到四位小数（精确到元）。请只改白色单元格：每个项目1月至12月的合计须等于年度计划投资；"
    "灰色月份已关账，按关账时计入的计划锁定，不能修改。计划来源为“默认分布”的项目尚未自定分月计划，表中为按默认权重的分布。"
    "不要改动项目代码、表头和隐藏的项目ID列。"
)
YEAR_RE = re.compile(r"(\d{4})年重点项目分月计划批量填报")

NO_HEADER = gettext_noop("找不到表头（项目代码、项目名称、1月至12月），请使用“分月计划批量填报”导出的模板")
OTHER_YEAR = gettext_noop("该文件是%(file)s年的分月计划，当前填报的是%(year)s年：请导出%(year)s年的模板")
NO_PROJECT = gettext_noop("缺少项目代码")
UNKNOWN = gettext_noop("项目“%(code)s”不存在或不在您的管辖范围内")
OUTSIDE_REGION = gettext_noop("项目“%(code)s”不在所选区域（%(region)s）内")  # (in the user's scope: nothing revealed)
ID_MISMATCH = gettext_noop("项目代码与隐藏的项目ID不是同一个项目，请勿改动项目代码")
DUPLICATE = gettext_noop("该项目已在第%(row)s行填写")
NO_ROWS = gettext_noop("文件中没有要导入的项目行")
STALE = gettext_noop("预览之后，以下项目的分月计划已被修改：%(projects)s。未导入任何数据，请重新上传文件并核对后再确认。")
REFUSED = gettext_noop("文件中有错误，未导入任何数据")
BAD_TOKEN = gettext_noop("预览已过期或无效，请重新上传文件")
REGION_UNKNOWN = gettext_noop("所选区域不存在或不在您的管辖范围内")
STALE_ROW = gettext_noop("读取之后，该项目的分月计划已被修改（与 expected 不符）")
REGION_RE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class RowError:
    """A problem of the file: its Excel row (0: the file), the project as the row names it, the
    column (a header or a month; '' for the row) and the message (a catalogue source string or a
    :class:`Message`, said in the page's language by ``core.errors.shown``)."""

    row: int
    project: str
    column: str
    message: str
    project_id: int | None = None  # the project's ID when the row names one in scope (the API says it)
    month: int | None = None  # the month of ``column`` (1–12), None for the row


@dataclass(frozen=True)
class PlanRow:
    """One project's twelve months to apply (:func:`plans_apply`): its row (the sheet's Excel
    row, or the API item's number from 1), the project's ID, the twelve values and the twelve the
    caller read (``expected``: the optimistic lock)."""

    row: int
    project_id: int
    months: list[Any]
    expected: list[Any]


@dataclass(frozen=True)
class Change:
    """A project whose curve the file changes: the curve as it counts (``before``) and the new
    twelve values (``after``)."""

    row: int
    project: Project
    label: str
    before: list[Decimal]
    after: list[Decimal]
    own_before: bool

    @property
    def months(self) -> list[dict[str, Any]]:
        """Each month with whether it changed (the preview's table)."""
        return [
            {"month": m, "before": b, "after": a, "changed": b.quantize(Decimal("0.0001")) != a.quantize(Decimal("0.0001"))}
            for m, b, a in zip(MONTHS, self.before, self.after, strict=True)
        ]


@dataclass
class Preview:
    year: int
    rows: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    token: str = ""


@dataclass
class Applied:
    year: int
    changed: int = 0
    project_ids: list[int] = field(default_factory=list)
    unchanged: int = 0


class BulkRefused(ApplicationError):
    """Nothing was written: the rows' errors (``errors``) or the projects whose curve changed since
    the preview (``stale``, names; ``stale_rows``, their rows said with :data:`STALE_ROW`)."""

    code = "plans_bulk_refused"
    default_message = REFUSED

    def __init__(
        self,
        message: Any = None,
        *,
        errors: list[RowError] | None = None,
        stale: list[str] | None = None,
        stale_rows: list[RowError] | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = errors or []
        self.stale = stale or []
        self.stale_rows = stale_rows or []


# --- scope -------------------------------------------------------------------------------------


def plan_region(*, user: Any, code: str | None) -> Region | None:
    """The region ``code`` names among the regions the user may narrow the sheet to
    (``policy.regions_below``: their home region and every region below it); None for no code
    (the whole scope). An unknown code, a malformed one and one outside the scope are all
    :class:`NotFound` with one message (:data:`REGION_UNKNOWN`): nothing said about what lies
    outside."""
    if code is None or code == "":
        return None
    region = policy.regions_below(user).filter(code=code).first() if REGION_RE.fullmatch(code) else None
    if region is None:
        raise NotFound(REGION_UNKNOWN)
    return region


def region_choices(user: Any) -> list[Region]:
    """The regions the page offers to narrow the sheet to: ``policy.regions_below`` within the
    installation's province (a superuser's list would be every region of the country), by code
    (a city, then its counties); empty when there is nothing to choose (a county)."""
    regions = list(policy.regions_below(user).filter(province_code=policy.province_code()).select_related("parent").order_by("code"))
    return regions if len(regions) > 1 else []


def _in_region(qs: QuerySet[Project], region: Region | None) -> QuerySet[Project]:
    return qs if region is None else qs.filter(policy.region_rows_q(region))


def sheet_projects(*, user: Any, year: int, region: Region | None = None) -> QuerySet[Project]:
    """The projects of the sheet: those ``user`` may set the curve of (a leader: those they see,
    read only) in ``region`` (None: all of them), with an annual plan in ``year``; by region, then
    name."""
    if policy.can_plan_months(user):
        qs = Project.objects.editable_by(user)
    elif policy.can_export_plan_months(user):
        qs = Project.objects.visible_to(user)
    else:
        return Project.objects.none()
    qs = _in_region(qs, region)
    return qs.filter(years__year=year, years__annual_plan__gt=0).select_related("region").order_by("region_id", "name", "pk").distinct()


def place_name(user: Any, region: Region | None = None) -> str:
    """The place a sheet covers: the region chosen (a county with its city: 济南市历下区), else
    the user's scope region, else their unit or user name."""
    if region is not None:
        parent = region.parent if region.parent_id else None
        if region.level == "county" and parent is not None and parent.level == "city":
            return f"{parent.name}{region.name}"
        return str(region.name)
    home = policy.scope_region(user)
    if home is not None:
        return str(home.name)
    unit = getattr(user, "unit", None)
    return str(getattr(unit, "name", "") or user.get_username())


def project_label(project: Project) -> str:
    """How a row names its project: its code, else its ID."""
    return project.project_code or str(project.pk)


# --- the sheet ---------------------------------------------------------------------------------


@in_chinese
def plan_sheet(*, user: Any, year: int, region: Region | None = None) -> tuple[bytes, int]:
    """The .xlsx of the user's projects' curves of ``year`` (in ``region`` when one is chosen; see
    the module docstring) and its number of project rows."""
    projects = list(sheet_projects(user=user, year=year, region=region))
    states = plan_months_of(projects=projects, year=year)
    editable = policy.can_plan_months(user)
    buf = io.BytesIO()
    wb = new_workbook(buf)
    ws = wb.add_worksheet("分月计划")
    base = {"font_size": 10, "valign": "vcenter", "border": 1}
    grey = {**base, "bg_color": "#D9D9D9", "locked": True}
    white = {**base, "locked": False}
    money = "#,##0.00##"
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    f_note = wb.add_format({"font_size": 10, "text_wrap": True, "valign": "top", "font_color": "#333333"})
    f_head = wb.add_format({**grey, "bold": True, "align": "center", "text_wrap": True})
    f_head_edit = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    f_text = wb.add_format({**grey, "text_wrap": False})
    f_money = wb.add_format({**grey, "num_format": money})
    f_edit = wb.add_format({**white, "num_format": money})
    f_closed = wb.add_format({**grey, "num_format": money, "font_color": "#555555", "italic": True})
    headers = [H_CODE, H_NAME, H_REGION, H_PLAN, H_SOURCE, *(format_month(m) for m in MONTHS), H_TOTAL, H_ID]
    widths = [24, 36, 12, 14, 10, *([11] * 12), 13, 8]
    ncols = len(headers)
    place = place_name(user, region)
    ws.merge_range(0, 0, 0, ncols - 2, safe_cell(TITLE % {"year": year, "place": place}), f_title)
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 1, ncols - 2, safe_cell(NOTE), f_note)
    ws.set_row(1, 42)
    for c, (head, width) in enumerate(zip(headers, widths, strict=True)):
        is_month = FIRST_MONTH_COL <= c < FIRST_MONTH_COL + 12
        ws.write_string(HEADER_ROW, c, str(head), f_head_edit if is_month and editable else f_head)
        ws.set_column(c, c, width, None, {"hidden": head == H_ID})
    ws.set_row(HEADER_ROW, 30)
    first = HEADER_ROW + 1
    for i, p in enumerate(projects):
        r = first + i
        state = states[p.pk]
        plan = state.annual_plan or Decimal(0)
        ws.write_string(r, 0, safe_cell(project_label(p)), f_text)
        ws.write_string(r, 1, safe_cell(p.name), f_text)
        ws.write_string(r, 2, safe_cell(p.region.name if p.region_id else ""), f_text)
        ws.write_number(r, 3, float(plan), f_money)
        ws.write_string(r, 4, str(OWN if state.own else DEFAULT), f_text)
        for m, v in zip(MONTHS, state.curve, strict=True):
            fmt = f_closed if m in state.frozen else (f_edit if editable else f_money)
            ws.write_number(r, FIRST_MONTH_COL + m - 1, float(v), fmt)
        c0, c1 = _cell(r, FIRST_MONTH_COL), _cell(r, FIRST_MONTH_COL + 11)
        ws.write_formula(r, FIRST_MONTH_COL + 12, f"=SUM({c0}:{c1})", f_money, float(state.total))
        ws.write_number(r, ncols - 1, p.pk, f_text)
    if projects and editable:
        ws.data_validation(
            first,
            FIRST_MONTH_COL,
            first + len(projects) - 1,
            FIRST_MONTH_COL + 11,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "input_title": "分月计划",
                "input_message": "单位：万元，填不小于0的数字",
                "error_title": "金额有误",
                "error_message": "请填写不小于0的数字（单位：万元）",
            },
        )
    if not projects:
        ws.merge_range(first, 0, first, ncols - 2, f"{year}年没有设置了年度计划投资的项目", f_note)
    ws.freeze_panes(first, 2)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True, "format_rows": True})
    wb.close()
    return buf.getvalue(), len(projects)


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))


def sheet_filename(year: int, user: Any, region: Region | None = None) -> str:
    return f"分月计划批量填报-{place_name(user, region)}-{year}.xlsx"


# --- reading the filled sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    row: int  # the Excel row
    code: str
    name: str
    pk: int | None  # the hidden 项目ID
    months: list[str]


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else format(v, ".15g")  # as a spreadsheet shows it (15 digits)
    return str(v).strip()


def _head(v: Any) -> str:
    text = _text(v).replace(" ", "")
    for unit in ("（万元）", "(万元)"):
        if text.endswith(unit) and text != H_PLAN:
            text = text[: -len(unit)]
    return text


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def read_plan_sheet(source: Any, *, filename: str, year: int) -> tuple[list[SheetRow], list[RowError]]:
    """The rows of the filled sheet (through ``read_sheets``: its file safety checks raise
    ``UnsafeFile``) and the file's own errors (no header, another year)."""
    sheets = read_sheets(source, filename=filename)
    with translation.override(EXPORT_LANGUAGE):
        months = [format_month(m) for m in MONTHS]  # the sheet's headers: Chinese in any UI language
    for sheet in sheets:
        for i, row in enumerate(sheet.rows[:10]):
            heads = [_head(c) for c in row]
            if H_NAME not in heads or not all(m in heads for m in months) or (H_CODE not in heads and H_ID not in heads):
                continue
            index = {h: j for j, h in reversed(list(enumerate(heads))) if h}
            title = " ".join(_text(c) for r in sheet.rows[:i] for c in r)
            found = YEAR_RE.search(title)
            if found and int(found.group(1)) != year:
                return [], [RowError(0, "", "", Message(OTHER_YEAR, file=found.group(1), year=year))]
            out: list[SheetRow] = []
            for k, cells in enumerate(sheet.rows[i + 1 :], start=i + 1):

                def cell(head: str, cells: list[Any] = cells, index: dict[str, int] = index) -> str:
                    j = index.get(head)
                    return _text(cells[j]) if j is not None and j < len(cells) else ""

                values = [cell(m) for m in months]
                code, name, pk = cell(H_CODE), cell(H_NAME), _int(cell(H_ID))
                if not code and not name and pk is None and not any(values):
                    continue  # a blank line
                out.append(SheetRow(sheet.first_row + k, code, name, pk, values))
            return out, []
    return [], [RowError(0, "", "", NO_HEADER)]


def _match(
    rows: list[SheetRow], user: Any, region: Region | None = None
) -> tuple[dict[int, Project], list[RowError], list[tuple[SheetRow, Project]]]:
    """Each row's project among those ``user`` may set the curve of, in ``region`` when one is
    chosen (by the hidden ID, else the code, else an ID typed as the code)."""
    codes = {r.code for r in rows if r.code}
    ids = {r.pk for r in rows if r.pk is not None} | {i for i in (_int(c) for c in codes) if i is not None}
    scope = _in_region(Project.objects.editable_by(user), region).select_related("region")
    found: dict[int, Project] = {}
    by_code: dict[str, Project] = {}
    code_list, id_list = sorted(codes), sorted(ids)
    for chunk in (code_list[i : i + CHUNK] for i in range(0, len(code_list), CHUNK)):
        for p in scope.filter(project_code__in=chunk):
            by_code[str(p.project_code)] = p
            found[p.pk] = p
    for chunk in (id_list[i : i + CHUNK] for i in range(0, len(id_list), CHUNK)):
        found.update({p.pk: p for p in scope.filter(pk__in=chunk)})
    elsewhere = _elsewhere(user, region, [c for c in code_list if c not in by_code], [i for i in id_list if i not in found])
    errors: list[RowError] = []
    matched: list[tuple[SheetRow, Project]] = []
    seen: dict[int, int] = {}
    for r in rows:
        said = r.code or r.name or (str(r.pk) if r.pk is not None else "")
        if not r.code and r.pk is None:
            errors.append(RowError(r.row, said, str(H_CODE), NO_PROJECT))
            continue
        by_c = by_code.get(r.code) if r.code else None
        typed = by_c or (found.get(_int(r.code) or 0) if r.code else None)  # the code, or an ID typed as the code
        project = found.get(r.pk) if r.pk is not None else typed
        if project is None:
            named = (r.pk,) if r.pk is not None else (r.code, _int(r.code))
            errors.append(RowError(r.row, said, str(H_CODE), _not_found(r.code or r.pk, named, elsewhere, user, region)))
            continue
        if r.code and typed is not None and typed.pk != project.pk:
            errors.append(RowError(r.row, said, str(H_CODE), ID_MISMATCH))
            continue
        if project.pk in seen:
            errors.append(RowError(r.row, said, "", Message(DUPLICATE, row=seen[project.pk])))
            continue
        seen[project.pk] = r.row
        matched.append((r, project))
    return found, errors, matched


def _elsewhere(user: Any, region: Region | None, codes: list[str], ids: list[int]) -> set[str | int]:
    """With a region chosen, which of ``codes`` and ``ids`` (named by rows and not found in it)
    are projects the user may plan outside it: the whole scope's sheet uploaded while narrowed
    says so of its other rows, not "does not exist" (they are the user's own: nothing revealed)."""
    found: set[str | int] = set()
    if region is None:
        return found
    wider = Project.objects.editable_by(user)
    for chunk in (codes[i : i + CHUNK] for i in range(0, len(codes), CHUNK)):
        found.update(wider.filter(project_code__in=chunk).values_list("project_code", flat=True))
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        found.update(wider.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _not_found(said: Any, named: tuple[Any, ...], elsewhere: set[str | int], user: Any, region: Region | None) -> Message:
    """The error of a row whose project is not among those it may set in the region chosen:
    outside the region (:func:`_elsewhere`), else unknown or outside the scope, said alike."""
    if region is not None and any(n in elsewhere for n in named if n is not None):
        return Message(OUTSIDE_REGION, code=said, region=place_name(user, region))
    return Message(UNKNOWN, code=said)


def _service_errors(row: int, project: Project, exc: ValidationFailed) -> list[RowError]:
    """A refusal of ``plan_apply`` as the rows' errors: a month's at its month, the sum's and the
    rest at the row."""
    out: list[RowError] = []
    label, pk = project_label(project), project.pk
    fields = exc.extra.get("fields") or {}
    for m in MONTHS:
        for msg in fields.get(month_field(m), []):
            out.append(RowError(row, label, format_month(m), msg, project_id=pk, month=m))
    for name, msgs in fields.items():
        if not name.startswith("month_"):
            out.extend(RowError(row, label, "", msg, project_id=pk) for msg in msgs)
    return out or [RowError(row, label, "", exc.message, project_id=pk)]


def _curve_text(values: list[Decimal]) -> list[str]:
    return [str(v) for v in values]


def plans_preview(*, user: Any, year: int, source: Any, filename: str, region: Region | None = None) -> Preview:
    """The filled sheet checked (nothing written): see the module docstring. With ``region``, a
    row of the user's project outside it is refused as outside the region."""
    if not policy.can_plan_months(user):
        raise PermissionDenied()
    rows, file_errors = read_plan_sheet(source, filename=filename, year=year)
    preview = Preview(year=year, rows=len(rows), errors=file_errors)
    if file_errors:
        return preview
    if not rows:
        preview.errors.append(RowError(0, "", "", NO_ROWS))
        return preview
    _found, errors, matched = _match(rows, user, region)
    preview.errors.extend(errors)
    states = plan_months_of(projects=[p for _r, p in matched], year=year)
    token_rows: list[list[Any]] = []
    for r, project in matched:
        state: PlanMonths = states[project.pk]
        label = project_label(project)
        if left_as_counted(state, r.months):
            preview.unchanged += 1
            continue
        expected = _curve_text(state.curve)
        try:
            values = plan_apply(user=user, project=project, year=year, state=state, months=r.months, expected=expected, write=False)
        except ValidationFailed as exc:
            preview.errors.extend(_service_errors(r.row, project, exc))
            continue
        if values is None:  # (equal as counted: left_as_counted said so already)
            preview.unchanged += 1
            continue
        preview.changes.append(Change(r.row, project, label, state.curve, values, state.own))
        token_rows.append([project.pk, r.row, _curve_text(values), expected])
    preview.errors.sort(key=lambda e: e.row)
    if not preview.errors and token_rows:
        data = {"u": user.pk, "y": year, "g": region.code if region is not None else None, "r": token_rows}
        preview.token = signing.dumps(data, salt=SALT, compress=True)
    return preview


def _unsign(token: str, user: Any) -> tuple[int, str | None, list[list[Any]]]:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ValidationFailed(BAD_TOKEN) from None
    if not isinstance(data, dict) or data.get("u") != user.pk or not isinstance(data.get("r"), list):
        raise ValidationFailed(BAD_TOKEN)
    return int(data["y"]), data.get("g"), data["r"]


def plans_confirm(*, user: Any, token: str, request: Any = None) -> Applied:
    """Apply a preview's token through :func:`plans_apply` (the region the preview was read for,
    if any, still bounds it). Raises :class:`BulkRefused` (nothing written) with the rows' errors
    or the stale projects."""
    if not policy.can_plan_months(user):
        raise PermissionDenied()
    year, code, rows = _unsign(token, user)
    region = Region.objects.filter(code=code).first() if code else None
    if code and region is None:
        raise ValidationFailed(BAD_TOKEN)
    planned = [PlanRow(int(row), int(pk), months, expected) for pk, row, months, expected in rows]
    return plans_apply(user=user, year=year, rows=planned, region=region, request=request)


@transaction.atomic
def plans_apply(
    *, user: Any, year: int, rows: list[PlanRow], region: Region | None = None, request: Any = None, dry_run: bool = False
) -> Applied:
    """Many projects' curves of ``year`` set all or nothing (see the module docstring): the rows'
    projects locked within the user's editable scope (and ``region``, when given), each row
    checked and written by ``plan_apply`` against its ``expected``, then one refresh. A row whose
    values and ``expected`` are both the curve as it counts is left alone (``unchanged``: nothing
    checked or written, as a sheet row left as exported). Raises :class:`BulkRefused` (nothing
    written) with every row's errors — a project unknown, outside the scope or the region, or
    named twice; a month's or the sum's rule — or the stale projects. With ``dry_run`` every row
    is checked the same way and the answer is the same (what would change), but nothing is
    written: no plan rows, no audit record, no refresh."""
    if not policy.can_plan_months(user):
        raise PermissionDenied()
    ids = sorted({r.project_id for r in rows})
    scope = _in_region(Project.objects.editable_by(user), region).select_for_update()
    locked: dict[int, Project] = {}
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        locked.update({p.pk: p for p in scope.filter(pk__in=chunk)})
    states = plan_months_of(projects=list(locked.values()), year=year)
    errors: list[RowError] = []
    stale: list[str] = []
    stale_rows: list[RowError] = []
    changed: dict[int, int] = {}
    seen: dict[int, int] = {}
    unchanged = 0
    elsewhere = _elsewhere(user, region, [], [i for i in ids if i not in locked])
    for r in rows:
        project = locked.get(r.project_id)
        if project is None:
            message = _not_found(r.project_id, (r.project_id,), elsewhere, user, region)
            errors.append(RowError(r.row, str(r.project_id), str(H_CODE), message))
            continue
        label = project_label(project)
        if project.pk in seen:
            errors.append(RowError(r.row, label, "", Message(DUPLICATE, row=seen[project.pk]), project_id=project.pk))
            continue
        seen[project.pk] = r.row
        state = states[project.pk]
        if left_as_counted(state, r.months) and left_as_counted(state, r.expected):
            unchanged += 1
            continue
        try:
            values = plan_apply(
                user=user, project=project, year=year, state=state, months=r.months, expected=r.expected, request=request, write=not dry_run
            )
        except ConflictError:
            stale.append(f"{project.name}（{label}）")
            stale_rows.append(RowError(r.row, label, "", STALE_ROW, project_id=project.pk))
            continue
        except ValidationFailed as exc:
            errors.extend(_service_errors(r.row, project, exc))
            continue
        if values is None:
            unchanged += 1
        else:
            changed[project.pk] = first_changed(state.base, values) or 13  # (13: the curve as measured is unchanged)
    if stale:
        raise BulkRefused(Message(STALE, projects=listed(stale)), errors=errors, stale=stale, stale_rows=stale_rows)
    if errors:
        raise BulkRefused(errors=errors)
    applied = Applied(year=year, changed=len(changed), project_ids=sorted(changed), unchanged=unchanged)
    if changed and min(changed.values()) <= 12 and not dry_run:
        refresh_plans(project_ids=sorted(changed), year=year, from_month=min(changed.values()))
    return applied
