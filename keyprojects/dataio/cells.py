"""One data row → a :class:`~keyprojects.dataio.types.ParsedRow`: the hot loop of an import
(cells dispatched on small ints by column kind, repeated cells remembered per column), the
value readers (amounts, dates, percentages, codes, coordinates) and the row's own checks."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from keyprojects.core.validators import (
    PROJECT_CODE_RE,
    UNSAFE_MULTILINE_RE,
    USCC_ALPHABET,
    is_valid_phone,
    is_valid_uscc,
    phone_problem,
    unsafe_text_message,
    validate_uscc,
)

from . import issue_text as T
from .classify import CLASSIFIERS
from .header import Column
from .normalize import (
    EMPTY_MARKERS,
    HUNDRED,
    ONE,
    PERCENT_PLACES,
    WAN,
    CellError,
    DateReading,
    cell_text,
    clean_code,
    clean_text,
    name_key,
    parse_amount,
    parse_int,
    parse_percent,
    parse_period_range,
    read_date,
    to_halfwidth,
    unneutralise,
)
from .reader import Sheet
from .types import (
    COORDINATE_FIELDS,
    DATE_FIELDS,
    INT_FIELDS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    Issue,
    ParsedRow,
)

if TYPE_CHECKING:
    from .parsing import _State

ZERO = Decimal(0)
SLIP_HIGH = Decimal(30_000_000)  # 3000 亿元 in 万元: above this an amount was probably typed in 元
SLIP_LOW_TOTAL = Decimal(100)  # a key project under 100 万元: probably typed in 亿元
SLIP_LOW_MESSAGE = "总投资不足 100 万元，疑似按“亿元”填报（本表单位为万元）"
CODE_SHAPE_MESSAGE = "项目代码格式不正确，应为 YYMM-行政区划6位-部门2位-类型2位-6位（如 2403-370102-04-01-123456）"
MULTILINE_FIELDS = frozenset({"content", "problems", "physical_progress"})
CODE_FIELDS = frozenset({"project_code", "owner_uscc", "contact_phone"})
CLASSIFIED_FIELDS = frozenset({"level", "category", "nature", "stage_text", "started", "industry", "no_activity", "in_statistics"})
COMPLETION_FIELDS = frozenset({"planned_completion", "actual_completion"})


# Column kinds: the hot loop dispatches on a small int rather than on field-name sets.
K_MONEY, K_DATE, K_PCT, K_INT, K_PCODE, K_USCC, K_PHONE, K_RANGE, K_CLASS, K_PROGRESS, K_TEXT, K_MULTI, K_COORD = range(13)


def _kind(f: str) -> int:
    if f in MONEY_FIELDS:
        return K_MONEY
    if f in DATE_FIELDS:
        return K_DATE
    if f in PERCENT_FIELDS:
        return K_PCT
    if f in INT_FIELDS:
        return K_INT
    if f in COORDINATE_FIELDS:
        return K_COORD
    if f == "project_code":
        return K_PCODE
    if f == "owner_uscc":
        return K_USCC
    if f == "contact_phone":
        return K_PHONE
    if f == "period_range":
        return K_RANGE
    if f in CLASSIFIED_FIELDS:
        return K_CLASS
    if f == "physical_progress":
        return K_PROGRESS
    return K_MULTI if f in MULTILINE_FIELDS else K_TEXT


_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_CACHE: dict[str, tuple[str, str]] = {}  # raw → (value, error message or "")


def _uscc(raw: str) -> tuple[str, str]:
    hit = _USCC_CACHE.get(raw)
    if hit is not None:
        return hit
    value = clean_code(raw)
    ok = len(value) == 18 and is_valid_uscc(value)
    hit = (value, "" if ok else _uscc_message(value))
    if len(_USCC_CACHE) < 100_000:
        _USCC_CACHE[raw] = hit
    return hit


_CLASS_CACHE: dict[tuple[str, str], str | None] = {}


def _classify(f: str, text: str) -> str | None:
    key = (f, text)
    try:
        return _CLASS_CACHE[key]
    except KeyError:
        pass
    mapped = CLASSIFIERS[f](text)
    if len(_CLASS_CACHE) < 100_000:
        _CLASS_CACHE[key] = mapped
    return mapped


def spaced_code(raw: str) -> str | None:
    """A 项目代码 whose groups are separated by spaces instead of hyphens ("2401 370303 04 01
    123456", also with full-width digits or spaces, or a hyphen and a space mixed) as a person
    reads it; ``None`` when it has not the code's shape that way either."""
    parts = clean_code(raw.replace(" ", "-").replace("\u3000", "-")).split("-")
    val = "-".join(p for p in parts if p)
    return val if val.isascii() and PROJECT_CODE_RE.match(val) else None


Spec = tuple[int, str, int, str, Decimal, bool | None, dict[str, tuple[Any, tuple[str, str]]]]
# index, field, kind, header, multiplier, fraction, memo (text → (value, cell))
MEMO_LIMIT = 4096  # a column of mostly distinct texts (names, codes) stops remembering more
_MEMO_KINDS = frozenset((K_TEXT, K_MULTI, K_MONEY, K_PCODE, K_USCC, K_PHONE, K_PCT, K_INT, K_CLASS, K_DATE, K_PROGRESS, K_COORD))


_DATE_CACHE: dict[tuple[str, bool], DateReading | str | None] = {}  # text → reading, or the error message


def _read_date_cached(v: Any, raw: str, end: bool) -> DateReading | None:
    """Dates repeat (month precision): read each distinct text once."""
    if type(v) is not str:
        return read_date(v, end=end)
    key = (raw, end)
    try:
        hit = _DATE_CACHE[key]
    except KeyError:
        try:
            hit = read_date(raw, end=end)
        except CellError as exc:
            hit = str(exc)
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[key] = hit
    if isinstance(hit, str):
        raise CellError(hit)
    return hit


def _data_row(st: _State, sheet: Sheet, excel_row: int, row: list[Any], specs: list[Spec], name_col: Column | None) -> None:
    """One data row. The loop is the hot path of a 15,000-row import: the common kinds are
    handled inline (dispatch on small ints, caches for dates, codes and classifications)."""
    values: dict[str, Any] = {}
    cells: dict[str, tuple[str, str]] = {}
    width = len(row)
    empty = EMPTY_MARKERS
    for j, f, kind, header, multiplier, fraction, memo in specs:
        if j >= width:
            continue
        v = row[j]
        tv = type(v)
        if tv is str:
            if not v:
                continue
            hit = memo.get(v)
            if hit is not None:
                values[f] = hit[0]
                cells[f] = hit[1]
                continue
            text_cell = v
            if v[0] == "'":  # an exported "'=…" (core.xlsx.neutralise) reads as the "=…" typed
                v = unneutralise(v)
            raw = v.strip()
            if raw in empty:
                continue
        elif tv is float:
            raw = repr(v)
            if raw.endswith(".0"):
                raw = raw[:-2]
        elif v is None:
            continue
        else:
            raw = cell_text(v)
        pure = True  # the reading depends on the text alone: remembered for the column
        try:
            if kind == K_TEXT:
                val: Any = raw if "\n" not in raw and "\r" not in raw else clean_text(raw)
                if (bad := UNSAFE_MULTILINE_RE.search(val)) is not None:  # bidi and control characters (issue 11)
                    raise CellError(unsafe_text_message(bad.group(0)))
            elif kind == K_MONEY:
                if tv is float:
                    if multiplier is ONE and len(raw) < 16 and raw.isdigit():  # a whole number of 万元 (most amounts)
                        val = Decimal(raw + ".0000")
                    else:
                        val = Decimal(raw)
                        val = (val * multiplier if multiplier is not ONE else val).quantize(WAN, ROUND_HALF_UP)
                else:
                    val = parse_amount(v, multiplier)
                if val is not None and val < ZERO:
                    raise CellError(T.MONTH_NEGATIVE.zh())
            elif kind == K_CLASS:
                text = raw if "\n" not in raw else clean_text(raw)
                val = _classify(f, text)
                if val is None:
                    st.unmapped_values.setdefault((f, text), [header, excel_row, 0])[2] += 1
                    val = text
                    pure = False  # counted per row
            elif kind == K_DATE:
                if tv is dt.datetime:
                    val = v.date()
                elif tv is dt.date:
                    val = v
                else:
                    reading = _read_date_cached(v, raw, f in COMPLETION_FIELDS)
                    val = reading.value if reading else None
                    if reading and reading.doubtful:
                        st.result.warnings.append(Issue(sheet.name, excel_row, header, raw, reading.doubtful))
                        pure = False  # warned per row
            elif kind == K_MULTI:
                val = raw
            elif kind == K_PCODE:
                val = raw if raw.isascii() and PROJECT_CODE_RE.match(raw) else clean_code(raw)
                if not (val.isascii() and PROJECT_CODE_RE.match(val)):
                    val = spaced_code(raw)  # "2401 370303 04 01 123456": spaces for the hyphens
                    if val is None:
                        raise CellError(CODE_SHAPE_MESSAGE)
            elif kind == K_USCC:
                val, message = _uscc(raw)
                if message:
                    raise CellError(message)
            else:
                val = _convert_cell(kind, f, v, raw, header, fraction, values, cells)
                if kind == K_RANGE or (kind == K_PROGRESS and raw.endswith(("%", "％"))):
                    pure = False  # sets other fields too
        except CellError as exc:
            st.result.errors.append(Issue(sheet.name, excel_row, header, raw, str(exc)))
            cells[f] = (header, raw)
            continue
        if val is None:
            continue
        values[f] = val
        cell = cells[f] = (header, raw)
        if pure and tv is str and kind in _MEMO_KINDS and len(memo) < MEMO_LIMIT:
            memo[text_cell] = (val, cell)

    if not cells:
        return  # only a 序号, or text in unmapped columns
    pr = ParsedRow(sheet.name, excel_row, values, cells, normalised=True)
    group = st.effective
    if group:
        pr.group_level = group.get("level")
        pr.group_category = group.get("category")
        if "nature" in group and "nature" not in cells:
            values["nature"] = group["nature"]
            cells["nature"] = ("分组行", st.group_label)
        if "region" in group and "region_text" not in cells:
            values["region_text"] = group["region"]
            cells["region_text"] = ("分组行", st.group_label)
    if name_col is not None and "name" not in values:
        st.result.errors.append(Issue(sheet.name, excel_row, name_col.header, "", T.NAME_MISSING.zh()))
    _row_checks(st, pr)
    st.result.rows.append(pr)


def _convert_cell(
    kind: int, f: str, v: Any, raw: str, header: str, fraction: bool | None, values: dict[str, Any], cells: dict[str, tuple[str, str]]
) -> Any:
    if kind == K_PCT:
        if type(v) is float:
            return (Decimal(raw) * HUNDRED if fraction else Decimal(raw)).quantize(PERCENT_PLACES, ROUND_HALF_UP)
        return parse_percent(v, fraction=fraction)
    if kind == K_PHONE:
        if raw.isascii() and raw.isdigit() and is_valid_phone(raw):
            return raw
        phone = clean_code(raw)
        problem = phone_problem(phone)  # the form's rule (core.validators.validate_phone)
        if problem is not None:
            raise CellError(problem)
        return phone
    if kind == K_COORD:
        return _coordinate(f, raw)
    if kind == K_INT:
        val = parse_int(v)
        if val is not None:
            _check_int(f, val)
        return val
    if kind == K_RANGE:
        start, finish = parse_period_range(v)
        if start and "planned_start" not in values:
            values["planned_start"] = start
            cells["planned_start"] = (header, raw)
        if finish and "planned_completion" not in values:
            values["planned_completion"] = finish
            cells["planned_completion"] = (header, raw)
        return clean_text(raw)
    # K_PROGRESS: free text; a percentage is also read as a number
    pct = None
    if type(v) is str:
        val = raw
        if (bad := UNSAFE_MULTILINE_RE.search(val)) is not None:
            raise CellError(unsafe_text_message(bad.group(0)))
        if raw.endswith(("%", "％")) and len(raw) <= 8:
            try:
                pct = parse_percent(raw)
            except CellError:
                pct = None  # "完成 60%" stays text
    else:
        pct = parse_percent(v)
        val = f"{pct}%" if pct is not None else None
    if pct is not None and "physical_progress_pct" not in values:
        values["physical_progress_pct"] = pct
        cells["physical_progress_pct"] = (header, raw)
    return val


COORDINATE_PLACES = Decimal("0.000001")
COORDINATE_LIMITS = {"latitude": (Decimal(-90), Decimal(90), "纬度应为 -90 到 90 之间的数字（十进制度，如 36.6512）"),
                     "longitude": (Decimal(-180), Decimal(180), "经度应为 -180 到 180 之间的数字（十进制度，如 117.1201）")}  # fmt: skip


def _coordinate(f: str, raw: str) -> Decimal:
    """A latitude or longitude in decimal degrees ("36.6512", "36.6512°"), 6 places."""
    low, high, message = COORDINATE_LIMITS[f]
    text = to_halfwidth(raw).strip().rstrip("°").strip()
    try:
        val = Decimal(text).quantize(COORDINATE_PLACES, ROUND_HALF_UP)
    except ArithmeticError:
        raise CellError(message) from None
    if not (val.is_finite() and low <= val <= high):
        raise CellError(message)
    return val


def _check_int(f: str, val: int) -> None:
    if f == "month" and not 1 <= val <= 12:
        raise CellError(T.MONTH_RANGE.zh())
    if f == "year" and not 1990 <= val <= 2100:
        raise CellError(T.YEAR_RANGE.zh())
    if f == "workers" and val < 0:
        raise CellError(T.WORKERS_NEGATIVE_CELL.zh())
    if f == "project_id" and val <= 0:
        raise CellError(T.ID_NOT_POSITIVE.zh())


def _uscc_message(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        validate_uscc(value)
    except ValidationError as exc:
        return str(exc.messages[0])
    return "统一社会信用代码无效"


def _fmt(d: Decimal) -> str:
    s = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f").rstrip("0").rstrip(".")
    return s


def _row_checks(st: _State, pr: ParsedRow) -> None:
    v = pr.values
    get = v.get
    total = get("total_investment")
    ytd = get("invested_ytd")
    month = get("invested_month")
    problems: list[tuple[str, str, bool]] = []  # field, message, blocking
    if total is not None:
        if ytd is not None and ytd > total:
            problems.append(("invested_ytd", T.YTD_ABOVE_TOTAL.zh(total=_fmt(total)), True))
        to_date = get("invested_to_date")
        if to_date is not None and to_date > total:
            problems.append(("invested_to_date", T.TO_DATE_ABOVE_TOTAL.zh(total=_fmt(total)), False))
        plan = get("annual_plan")
        if plan is not None and plan > total:
            problems.append(("annual_plan", T.PLAN_ABOVE_TOTAL_UNIT.zh(), False))
        if ZERO < total < SLIP_LOW_TOTAL:
            problems.append(("total_investment", SLIP_LOW_MESSAGE, False))
    carried = type(status := get("report_status")) is str and status.strip() in carried_status_labels()
    if month is not None and ytd is not None and month > ytd and not carried:  # (a carried ytd is not the row's)
        problems.append(("invested_month", T.MONTH_ABOVE_YTD.zh(), False))
    for f in MONEY_FIELDS:
        amount = get(f)
        if amount is not None and amount > SLIP_HIGH:
            problems.append((f, "金额超过 3000 亿元，疑似按“元”填报（本表单位为万元）", False))
    start, finish = get("planned_start"), get("planned_completion")
    if start and finish and finish < start:
        problems.append(("planned_completion", T.COMPLETION_BEFORE_START.zh(), False))
    for f, message, blocking in problems:
        (st.result.errors if blocking else st.result.warnings).append(Issue(pr.sheet, pr.row, pr.header(f), pr.raw(f), message))

    # the same project twice (the template's 项目ID, code, or name + owner + the place its 县区
    # column or group row names: "老旧小区改造工程" of two counties is two projects; per year/month
    # when the table has them)
    code = get("project_code")
    nm = get("name")
    pid = get("project_id")
    if code or nm:
        ident = ("id", pid) if pid else code if code else (name_key(nm), name_key(get("owner_name", "")), get("region_text"))
        key = (ident, get("level") or pr.group_level, get("year"), get("month"))
        first = st.keys.get(key)
        if first is not None:
            column = pr.header("project_code") if code else pr.header("name")
            st.result.errors.append(Issue(pr.sheet, pr.row, column, code or nm, T.DUPLICATE_IN_SHEET.zh(row=first)))
        else:
            st.keys[key] = pr.row


@functools.cache
def carried_status_labels() -> frozenset[str]:
    """The 填报状态 labels (``dispatch.rules.report_status_label``, in Chinese) of a month whose
    cumulative figures are not the project's own report of it: no report, a draft, a returned one
    (the app's own 月调度 export shows the official, carried-forward figures beside them). Such a
    row's cumulative columns are not its report: the importer reads its 本月 only, and its 本月 is
    not compared with them."""
    from django.utils import translation

    from keyprojects.dispatch import rules
    from keyprojects.dispatch.choices import ReportStatus

    with translation.override("zh-hans"):
        statuses = [None, *(s for s in ReportStatus.values if not rules.counts(s))]
        return frozenset(rules.report_status_label(s, frozen=f) for s in statuses for f in (False, True))
