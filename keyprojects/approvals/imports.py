"""Importing the 四张清单 back (issue 14): a workbook in the shape ``export_factor_lists`` writes
(one sheet per list: 土地、资金、环境、能耗; a title, a subtitle, then the header row).

The file is read by the spreadsheet importer's reader (``dataio.reader.read_sheets``: the size,
zip-bomb, macro and extent checks, .xlsx/.xls/.ods); the columns are found by the export's own
headers (``exports.columns``, one definition for both ways). Everything or nothing: every row is
checked first, and the needs are written by the services (``factor_need_create`` /
``factor_need_update``) in one transaction that any error rolls back; errors name the sheet, the
row, the column and say what is wrong in Chinese.

A row is matched to its project by 项目代码 (else by 项目名称 within 所在地), and to an existing need
by (project, 细类/来源) when exactly one exists: that need is updated, otherwise a need is
created, so importing the same file twice changes nothing. 缺口 and 协调层级 are read but not
imported: the gap follows from the figures, the level changes only through 提级会商.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, Message, ValidationFailed, listed
from keyprojects.core.errors import shown as message_shown
from keyprojects.dataio.reader import read_sheets
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from .choices import SUBTYPES_OF, FactorKind, FactorSubtype, NeedStatus
from .exports import columns
from .models import FactorNeed
from .services import warnings_changed
from .services_needs import factor_need_create, factor_need_update

MAX_ROWS = 20000


@dataclass
class RowError:
    sheet: str
    row: int  # the Excel row number (0: the sheet or the file)
    column: str
    message: str

    def __str__(self) -> str:
        where = "，".join(x for x in (self.sheet, f"第{self.row}行" if self.row else "", self.column) if x)
        return f"[{where}] {self.message}" if where else self.message

    @property
    def shown(self) -> str:
        """The message as the page says it: a source string of the catalogue or a :class:`Message`
        in the active language (the file's sheets, headers and words as written)."""
        return message_shown(self.message)


#: A 细类 the sheet's list does not have (the list's name and its words in the page's language).
NOT_A_SUBTYPE = gettext_noop("“%(value)s”不是%(list)s清单的细类，可填：%(choices)s")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


class _Abort(Exception):
    """Raised inside the transaction to roll it back (errors found while writing, or a dry run)."""


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _decimal(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        d = Decimal(str(v).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(gettext_noop("应为数字")) from None
    if not d.is_finite():
        raise ValueError(gettext_noop("应为数字"))
    return d.quantize(Decimal("0.0001"))


def _date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = str(v).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(gettext_noop("日期格式应为 YYYY-MM-DD")) from None


def _header_row(rows: list[list[Any]], names: list[str]) -> int | None:
    """The index of the row holding the export's headers (within the first ten rows)."""
    for i, row in enumerate(rows[:10]):
        cells = {_text(c) for c in row}
        if "项目名称" in cells and sum(n in cells for n in names) >= len(names) - 2:
            return i
    return None


def _in_every_language(words: Callable[[], dict[str, str]]) -> dict[str, str]:
    """``words()`` (a list's sheet names, 细类 or 保障状态 → value) in every language of the UI:
    the lists are exported in Chinese (core.xlsx), but a file exported from the English page
    before that still imports (the Chinese words win a clash)."""
    found: dict[str, str] = {}
    for code, _name in reversed(settings.LANGUAGES):  # Chinese (first) last: it wins
        with translation.override(code):
            found.update(words())
    return found


def read_factor_lists(source: Any, *, filename: str, user: Any) -> tuple[list[tuple[str, int, dict[str, Any]]], list[RowError]]:
    """The file's rows as (sheet, Excel row, need values incl. ``project``) and the errors found."""
    sheets = {s.name.strip(): s for s in read_sheets(source, filename=filename)}
    labels = _in_every_language(lambda: {str(k.label): k.value for k in FactorKind})
    found = [name for name in sheets if name in labels]
    errors: list[RowError] = []
    if not found:
        return [], [RowError("", 0, "", gettext_noop("文件中没有“土地、资金、环境、能耗”工作表，请使用“导出四张清单”导出的文件格式"))]
    projects = Project.objects.all() if user is None else Project.objects.visible_to(user)
    by_code = dict(projects.exclude(project_code__isnull=True).exclude(project_code="").values_list("project_code", "pk"))
    by_name: dict[tuple[str, str], list[int]] = {}
    for pk, name, region in projects.values_list("pk", "name", "region__name"):
        by_name.setdefault((name, region), []).append(pk)
    units: dict[str, list[int]] = {}
    for pk, name in Unit.objects.filter(is_active=True).values_list("pk", "name"):
        units.setdefault(name, []).append(pk)
    statuses = _in_every_language(lambda: {str(label): value for value, label in NeedStatus.choices})
    shown_statuses = [str(label) for _value, label in NeedStatus.choices]  # what a refusal lists: the page's words
    out: list[tuple[str, int, dict[str, Any]]] = []
    for name in found:
        sheet, kind = sheets[name], labels[name]
        cols = [c.header for c in columns(kind)]
        h = _header_row(sheet.rows, cols)
        if h is None:
            errors.append(RowError(name, 0, "", gettext_noop("找不到表头（项目名称、需求量等），请勿改动导出文件的表头")))
            continue
        index = {_text(c): j for j, c in enumerate(sheet.rows[h])}
        missing = [c for c in cols if c not in index and not c.startswith(("序号", "缺口", "协调层级", "是否逾期"))]
        if missing:
            errors.append(RowError(name, sheet.first_row + h, "", Message(gettext_noop("缺少列：%(columns)s"), columns=listed(missing))))
            continue
        subtypes = _in_every_language(lambda kind=kind: {str(FactorSubtype(s).label): s for s in SUBTYPES_OF[kind]})
        shown_subtypes = [str(FactorSubtype(s).label) for s in SUBTYPES_OF[kind]]
        q_col, s_col = cols[5], cols[6]
        for i, row in enumerate(sheet.rows[h + 1 :], start=h + 1):
            excel_row = sheet.first_row + i

            def cell(header: str, row: list[Any] = row, index: dict[str, int] = index) -> Any:
                j = index.get(header)
                return row[j] if j is not None and j < len(row) else None

            pname, code = _text(cell("项目名称")), _text(cell("项目代码")).upper()
            if not pname and not code:
                continue  # a blank line
            if len(out) >= MAX_ROWS:
                errors.append(RowError(name, excel_row, "", Message(gettext_noop("行数超过上限 %(n)s"), n=MAX_ROWS)))
                break

            def bad(column: str, message: str, excel_row: int = excel_row, sheet_name: str = name) -> None:
                errors.append(RowError(sheet_name, excel_row, column, message))

            pk = by_code.get(code) if code else None
            if pk is None:
                candidates = by_name.get((pname, _text(cell("所在地"))), [])
                if len(candidates) == 1 and not code:
                    pk = candidates[0]
                else:
                    refusal = gettext_noop("项目不存在或无权访问") if not candidates else gettext_noop("项目名称不唯一，请填写项目代码")
                    bad("项目代码" if code else "项目名称", refusal)
                    continue
            values: dict[str, Any] = {"project": pk, "kind": kind}
            sub = _text(cell(cols[4]))
            if sub not in subtypes:
                bad(cols[4], Message(NOT_A_SUBTYPE, value=sub, list=FactorKind(kind).label, choices=listed(shown_subtypes)))
                continue
            values["subtype"] = subtypes[sub]
            try:
                values["quantity"] = _decimal(cell(q_col))
                values["secured"] = _decimal(cell(s_col)) or Decimal(0)
            except ValueError as exc:
                bad(q_col, str(exc))
                continue
            if values["quantity"] is None:
                bad(q_col, gettext_noop("需求量不能为空"))
                continue
            if kind == FactorKind.FUNDS:
                g = _text(cell("金融辅导"))
                if g not in ("", "是", "否"):
                    bad("金融辅导", gettext_noop("应填“是”或“否”"))
                    continue
                values["financial_guidance"] = g == "是"
            owner = _text(cell("责任单位"))
            if owner:
                pks = units.get(owner, [])
                if len(pks) != 1:
                    unknown = gettext_noop("单位“%(name)s”不存在") if not pks else gettext_noop("单位“%(name)s”重名，请在系统中核对")
                    bad("责任单位", Message(unknown, name=owner))
                    continue
                values["owner_unit"] = pks[0]
            else:
                values["owner_unit"] = None
            try:
                values["due_on"] = _date(cell("保障时限"))
            except ValueError as exc:
                bad("保障时限", str(exc))
                continue
            status = _text(cell("保障状态")) or str(NeedStatus.PENDING.label)
            if status not in statuses:
                bad("保障状态", Message(gettext_noop("应为：%(choices)s"), choices=listed(shown_statuses)))
                continue
            values["status"] = statuses[status]
            values["description"] = _text(cell("需求说明"))
            values["resolution"] = _text(cell("保障措施/结果"))
            out.append((name, excel_row, values))
    return out, errors


@transaction.atomic
def factor_lists_import(*, user: Any, source: Any, filename: str, dry_run: bool = False, request: Any = None) -> ImportResult:
    """Import the 四张清单 in ``source`` (see the module docstring). ``user`` None is the command
    line (the system, full scope); a user needs :func:`policy.can_record_needs` and imports into
    the projects of their scope only. Returns the counts, or the errors (nothing written)."""
    if user is not None and not policy.can_record_needs(user):
        from keyprojects.core.errors import PermissionDenied

        raise PermissionDenied()
    rows, errors = read_factor_lists(source, filename=filename, user=user)
    result = ImportResult(rows=len(rows) + len({(e.sheet, e.row) for e in errors if e.row}), dry_run=dry_run, errors=errors)
    if errors:
        return result
    if not rows:
        result.errors.append(RowError("", 0, "", gettext_noop("文件中没有要素需求")))
        return result
    try:
        with transaction.atomic():
            _write(user, rows, result, request)
            if result.errors or dry_run:
                raise _Abort
    except _Abort:
        pass
    if not result.errors and not dry_run:
        audit_record(
            action="factor_lists.import", user=user, request=request, object_type="approvals.factorneed",
            changes={"file": filename, "rows": result.rows, "created": result.created, "updated": result.updated},
            message=f"导入四张清单 {result.rows} 行", username="" if user is not None else "manage.py",
        )  # fmt: skip
    return result


def _write(user: Any, rows: list[tuple[str, int, dict[str, Any]]], result: ImportResult, request: Any) -> None:
    projects = {p.pk: p for p in Project.objects.filter(pk__in={v["project"] for _, _, v in rows})}
    existing: dict[tuple[int, str], list[FactorNeed]] = {}
    for need in FactorNeed.objects.filter(project_id__in=projects).order_by("pk"):
        existing.setdefault((need.project_id, need.subtype), []).append(need)
    touched: set[int] = set()
    for sheet, excel_row, values in rows:
        data = dict(values)
        project = projects[data.pop("project")]
        result.by_kind[data["kind"]] = result.by_kind.get(data["kind"], 0) + 1
        match = existing.get((project.pk, data["subtype"]), [])
        try:
            if len(match) == 1:
                need = match[0]
                changed = {k: v for k, v in data.items() if _current(need, k) != v}
                if not changed:
                    result.unchanged += 1
                    continue
                fields = dict(changed)
                if user is not None:  # an owner unit may update only its fields: others that did not change are left out
                    fields = {k: v for k, v in changed.items() if k != "kind"}
                match[0] = factor_need_update(
                    user=user, need=need, expected_version=need.version, data=fields, request=request, refresh=False
                )
                result.updated += 1
            else:
                factor_need_create(user=user, project=project, data=data, request=request, refresh=False)
                result.created += 1
            touched.add(project.pk)
        except ValidationFailed as exc:
            for f, messages in (exc.extra.get("fields") or {"": [exc.message]}).items():
                label = str(FactorNeed._meta.get_field(f).verbose_name) if f and f in {x.name for x in FactorNeed._meta.fields} else ""
                for m in messages:
                    result.errors.append(RowError(sheet, excel_row, label, m))
        except ApplicationError as exc:
            result.errors.append(RowError(sheet, excel_row, "", exc.message))
    if touched and not result.errors:
        warnings_changed(project_ids=touched)


def _current(need: FactorNeed, name: str) -> Any:
    if name == "owner_unit":
        return need.owner_unit_id
    value = getattr(need, name)
    return value.quantize(Decimal("0.0001")) if isinstance(value, Decimal) else value
