"""Cell normalisation: how a person reads a messy cell (domain.md §5).

Pure functions, no Django. Amounts come back as ``Decimal`` 万元 with 4 places, dates as
``datetime.date`` (first of the month when the cell gives only a month), percentages as a
``Decimal`` on the 0–100 scale (``"56.3%"`` → ``Decimal("56.3")``). Empty markers ("", "—",
"/", "无" …) read as ``None``. Anything that is not what it claims raises :class:`CellError`
with a Chinese message; the parser turns it into an :class:`~keyprojects.dataio.types.Issue`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import issue_text as T

WAN = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.01")
YUAN_TO_WAN = Decimal("0.0001")
YI_TO_WAN = Decimal(10000)
ONE = Decimal(1)
HUNDRED = Decimal(100)

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100


class CellError(ValueError):
    """A cell that cannot be read as what its column says; ``str(exc)`` is the Chinese message."""


# ---------------------------------------------------------------------------------------------
# Characters


def _halfwidth_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "  # ideographic space
    table[0x00A0] = " "  # no-break space (Excel exports)
    return table


_HALFWIDTH = _halfwidth_table()
# Dashes people type for "-" in codes and ranges (en/em dash, minus, full-width hyphen, 一?).
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "−": "-", "‐": "-", "‑": "-", "―": "-"})


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (``１２３，（）``) and the ideographic space to their half-width forms."""
    return text.translate(_HALFWIDTH)


EMPTY_MARKERS = frozenset(
    {"", "-", "--", "—", "——", "–", "－", "/", "／", "\\", "无", "暂无", "空", "n/a", "N/A", "#N/A", "NA", "null", "NULL", "None", "/ "}
)
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"})


def is_empty(value: object) -> bool:
    """True for None, blank text and the markers people use for "nothing" ("—", "/", "无")."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in EMPTY_MARKERS
    return False


# The first characters a spreadsheet evaluates; ``keyprojects.core.xlsx.neutralise`` writes such
# a text with a leading "'" (kept equal by test_parsing_normalize.py).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def unneutralise(text: str) -> str:
    """Undo the exports' formula guard: ``"'=1+2项目"`` → ``"=1+2项目"``. Exactly one leading
    ``'`` goes, and only before a character the guard protects (``"'abc"`` stays as it is)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def cell_text(value: object) -> str:
    """A cell as the person sees it: ``12345.0`` → ``"12345"``, dates ISO, text stripped (and
    an exported ``'=…`` back to ``=…``, see :func:`unneutralise`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unneutralise(value).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# Amounts

_UNIT_SUFFIXES = (("亿元", YI_TO_WAN), ("万元", ONE), ("亿", YI_TO_WAN), ("万", ONE), ("元", YUAN_TO_WAN))
_AMOUNT_JUNK = str.maketrans({",": None, "，": None, " ": None, "　": None, "\u00a0": None, "'": None, "’": None, "¥": None, "￥": None})


def _decimal(text: str) -> Decimal:
    d = Decimal(text)
    if not d.is_finite():
        raise InvalidOperation
    return d


def parse_amount(value: object, multiplier: Decimal = ONE) -> Decimal | None:
    """An amount in 万元. ``multiplier`` converts the column's unit (亿元 → 10000, 元 → 0.0001).

    A unit written in the cell (``"3.5亿元"``) wins over the column's. Thousands separators,
    full-width digits, a currency sign and accounting brackets ``(100)`` are understood.
    Negative values are returned (the caller reports them); non-numbers raise :class:`CellError`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(T.NOT_AMOUNT.zh())
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise CellError(T.NOT_AMOUNT.zh())
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return (d * multiplier).quantize(WAN, rounding=ROUND_HALF_UP) if multiplier is not ONE else d.quantize(WAN, ROUND_HALF_UP)
    if isinstance(value, Decimal):
        return (value * multiplier).quantize(WAN, rounding=ROUND_HALF_UP)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise CellError(T.AMOUNT_IS_DATE.zh())
    text = str(value).strip()
    if text in EMPTY_MARKERS:
        return None
    try:
        d = _decimal(text)
    except (InvalidOperation, ValueError):
        d = None
    if d is None:
        if text in EXCEL_ERRORS:
            raise CellError(T.FORMULA_ERROR.zh(value=text))
        t = to_halfwidth(text).translate(_AMOUNT_JUNK)
        if t in EMPTY_MARKERS:
            return None
        negative = False
        if len(t) > 2 and t[0] == "(" and t[-1] == ")":
            negative, t = True, t[1:-1]
        for suffix, unit in _UNIT_SUFFIXES:
            if t.endswith(suffix):
                t, multiplier = t[: -len(suffix)], unit
                break
        try:
            d = _decimal(t)
        except (InvalidOperation, ValueError):
            raise CellError(T.NOT_AMOUNT_UNIT.zh()) from None
        if negative:
            d = -d
    return (d * multiplier).quantize(WAN, rounding=ROUND_HALF_UP)


def unit_multiplier(text: str) -> Decimal | None:
    """The amount unit named in a header or a "单位：万元" line: 亿元 → 10000, 万元 → 1, 元 → 0.0001."""
    if "亿元" in text or "亿" in text:
        return YI_TO_WAN
    if "万元" in text:
        return ONE
    if "元" in text:
        return YUAN_TO_WAN
    return None


# ---------------------------------------------------------------------------------------------
# Percentages


def parse_percent(value: object, *, fraction: bool | None = None) -> Decimal | None:
    """A percentage on the 0–100 scale. ``"56.3%"`` → 56.3; ``0.563`` → 56.3 when ``fraction``
    is true (the parser decides per column: a column whose numbers are all ≤ 2 holds fractions);
    with ``fraction=None`` a bare number ≤ 1 is read as a fraction."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        is_fraction = fraction if fraction is not None else abs(d) <= 1
        return (d * HUNDRED if is_fraction else d).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
    text = to_halfwidth(str(value)).strip().replace(" ", "")
    if text in EMPTY_MARKERS or text in EXCEL_ERRORS:
        return None
    if text.endswith("%"):
        try:
            return _decimal(text[:-1].replace(",", "")).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            raise CellError(T.NOT_PERCENT.zh()) from None
    if text.endswith("‰"):
        try:
            return (_decimal(text[:-1]) / 10).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            raise CellError(T.NOT_PERCENT.zh()) from None
    try:
        d = _decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        raise CellError(T.NOT_PERCENT.zh()) from None
    return parse_percent(d, fraction=fraction)


# ---------------------------------------------------------------------------------------------
# Dates

_DATE_RE = re.compile(
    r"^(\d{4})\s*(?:年度?|[.\-/])?\s*(?:(\d{1,2})\s*(?:月份?|[.\-/])?\s*(?:底|末|初|[上中下]旬)?\s*(?:(\d{1,2})\s*日?)?)?$"
)
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_HALF_RE = re.compile(r"^(\d{4})年?(上半年|下半年|一季度|二季度|三季度|四季度|第[一二三四]季度|年底|年末|底)$")
_HALF_MONTH = {"上半年": 6, "下半年": 12, "一季度": 3, "二季度": 6, "三季度": 9, "四季度": 12, "年底": 12, "年末": 12, "底": 12}


@dataclass(frozen=True)
class DateReading:
    value: dt.date
    doubtful: str = ""  # a reason to check the value (e.g. 2024.1 may be 2024.10)


def _make_date(y: int, m: int, d: int) -> dt.date:
    if not (MIN_YEAR <= y <= MAX_YEAR):
        raise CellError(T.YEAR_OUT_OF_RANGE.zh(year=y, low=MIN_YEAR, high=MAX_YEAR))
    if not 1 <= m <= 12:
        raise CellError(T.NO_SUCH_MONTH.zh(month=m))
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CellError(T.NO_SUCH_DAY.zh(month=f"{y}年{m}月", day=d)) from None


def read_date(value: object, *, end: bool = False) -> DateReading | None:
    """Like :func:`parse_date`, also saying when the reading is doubtful."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return DateReading(value.date())
    if isinstance(value, dt.date):
        return DateReading(value)
    if isinstance(value, (int, float, Decimal)):
        f = float(value)
        if f.is_integer():
            n = int(f)
            if MIN_YEAR <= n <= MAX_YEAR:  # a bare year
                return DateReading(_make_date(n, 12 if end else 1, 1))
            if 190001 <= n <= 210012:  # 202403
                return DateReading(_make_date(n // 100, n % 100, 1))
            if 19000101 <= n <= 21001231:  # 20240315
                return DateReading(_make_date(n // 10000, n // 100 % 100, n % 100))
            if 20000 <= n <= 80000:  # Excel serial date
                return DateReading(EXCEL_EPOCH + dt.timedelta(days=n))
            raise CellError(T.NOT_DATE.zh())
        if 20000 <= f <= 80000:  # serial with a time part
            return DateReading(EXCEL_EPOCH + dt.timedelta(days=int(f)))
        # 2024.03 typed into a number cell: Excel keeps 2024.03, but 2024.10 becomes 2024.1.
        text = repr(f)
        y_text, _, m_text = text.partition(".")
        if len(y_text) == 4 and 1 <= len(m_text) <= 2:
            if m_text == "1":
                return DateReading(
                    _make_date(int(y_text), 1, 1),
                    doubtful="按1月读取；若原意为10月（Excel 会把 2024.10 存成 2024.1），请将单元格设为文本后重填",
                )
            reading = DateReading(_make_date(int(y_text), int(m_text), 1))
            return reading
        raise CellError(T.NOT_DATE.zh())
    text = to_halfwidth(str(value)).strip().translate(_DASHES)
    if text in EMPTY_MARKERS:
        return None
    m = _HALF_RE.match(text)
    if m:
        key = m.group(2).replace("第", "")
        return DateReading(_make_date(int(m.group(1)), _HALF_MONTH.get(key, 12), 1))
    m = _DATE_RE.match(text)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        if mo is None:
            return DateReading(_make_date(int(y), 12 if end else 1, 1))
        return DateReading(_make_date(int(y), int(mo), int(d) if d else 1))
    m = _COMPACT_RE.match(text)
    if m:
        return read_date(int(text), end=end)
    if text.replace(".", "", 1).isdigit():
        try:
            return read_date(float(text), end=end)
        except ValueError:
            pass
    # ISO with a time: 2024-03-15 00:00:00 / 2024-03-15T08:00
    if len(text) > 10 and text[4] == "-" and text[7] == "-":
        return read_date(text[:10], end=end)
    raise CellError(T.NOT_DATE_HINT.zh())


def parse_date(value: object, *, end: bool = False) -> dt.date | None:
    """A date from 2024.03 / 2024年3月 / 2024-03-15 / 2024/3/15 / 202403 / an Excel serial / a
    date cell. A month without a day gives the 1st; a bare year gives January (December when
    ``end`` is true, for completion dates). Impossible dates raise :class:`CellError`."""
    reading = read_date(value, end=end)
    return reading.value if reading else None


_RANGE_TOKEN_RE = re.compile(r"(\d{4})(?:\s*([.\-/年])\s*(\d{1,2})(?!\d)\s*(月?)(?:\s*([.\-/]?)\s*(\d{1,2})(?!\d)\s*日?)?)?")


def parse_period_range(value: object) -> tuple[dt.date | None, dt.date | None]:
    """建设年限 / 开竣工时间 / 项目工期: "2024.03-2026.12", "2024-2026", "2024年3月—2026年12月"."""
    if value is None:
        return None, None
    if isinstance(value, (dt.date, int, float)):
        return parse_date(value), None
    text = to_halfwidth(str(value)).strip().translate(_DASHES)
    if text in EMPTY_MARKERS:
        return None, None
    tokens = _RANGE_TOKEN_RE.findall(text)
    if not tokens:
        raise CellError(T.NOT_SPAN.zh())
    dates: list[dt.date] = []
    for i, (y, ysep, mo, said_month, dsep, d) in enumerate(tokens[:2]):
        end = i == 1
        month = int(mo) if mo else (12 if end else 1)
        if d and dsep == "-" and ysep != "-" and not said_month and len(tokens) == 1 and month <= int(d) <= 12:
            # "2024.03-12", "2024年3-12月": March to December of 2024, not 12 March
            return _make_date(int(y), month, 1), _make_date(int(y), int(d), 1)
        dates.append(_make_date(int(y), month, int(d) if d else 1))
    start = dates[0]
    finish = dates[1] if len(dates) > 1 else None
    if finish and finish < start:
        raise CellError(T.SPAN_REVERSED.zh())
    return start, finish


# ---------------------------------------------------------------------------------------------
# Integers and codes


def parse_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(T.NOT_INTEGER.zh())
    text = to_halfwidth(str(value)).strip().replace(",", "")
    if text in EMPTY_MARKERS:
        return None
    for suffix in ("年", "月份", "月", "人", "个"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    try:
        return int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            raise CellError(T.NOT_INTEGER.zh()) from None
        if f.is_integer():
            return int(f)
        raise CellError(T.NOT_INTEGER.zh()) from None


_CODE_JUNK = str.maketrans({" ": None, "\t": None, "\n": None, "\r": None, "'": None})


def clean_code(value: object) -> str:
    """Codes and phone numbers: half-width, no spaces, upper case, dashes unified."""
    text = cell_text(value)
    return to_halfwidth(text).translate(_DASHES).translate(_CODE_JUNK).upper()


_WS_RE = re.compile(r"\s*[\r\n]+\s*")


def clean_text(value: object, *, multiline: bool = False) -> str:
    text = cell_text(value)
    if text in EMPTY_MARKERS:
        return ""
    if not multiline and ("\n" in text or "\r" in text):
        text = _WS_RE.sub("", text)
    return text


_KEY_JUNK = str.maketrans({" ": None, "\t": None, "\n": None, "\r": None, "\u3000": None, "\u00a0": None, "(": "（", ")": "）"})


def _key_table() -> dict[int, str | int | None]:
    """:data:`_HALFWIDTH` then :data:`_KEY_JUNK` as one table (one pass over the text)."""
    table: dict[int, str | int | None] = {}
    for c in set(_HALFWIDTH) | set(_KEY_JUNK):
        table[c] = chr(c).translate(_HALFWIDTH).translate(_KEY_JUNK)
    return table


_KEY_TABLE = _key_table()


@functools.lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """A key to compare names written differently: half-width digits/letters, brackets
    unified to the full-width form, no whitespace, upper case. Remembered: an import asks for
    each row's name several times (its lookup, its match, its duplicates)."""
    return text.translate(_KEY_TABLE).upper()


# ---------------------------------------------------------------------------------------------
# Regions from 建设地点 text

_REGION_SUFFIXES = ("自治县", "自治州", "地区", "新区", "省", "市", "区", "县", "旗", "盟")


@dataclass(frozen=True)
class RegionMatch:
    region_code: str  # the deepest GB/T 2260 division named (or the zone's region)
    zone_id: int | None = None  # a function zone (高新区, 起步区…) named in the text


class RegionResolver:
    """Finds the division (and function zone) a place text names: "青岛市黄岛区…" → 370211.

    ``regions`` are ``(code, name, full_name)``; ``zones`` are ``(unit_id, name, region_code)``
    (pass a zone's short name as another tuple with the same id). A 6-digit code of a known
    division names it. Names are matched as substrings, also without their suffix ("黄岛" for
    黄岛区, "青岛" for 青岛市); the deepest division with the most of its parents also named
    wins; an ambiguous text ("市中区" alone is in three cities) gives ``None`` unless the city
    is named too. :meth:`candidates` keeps the tie for a caller that knows more (the importer
    prefers the user's own regions). Results are cached.
    """

    def __init__(self, regions: list[tuple[str, str, str]], zones: list[tuple[int, str, str]] | None = None):
        self.codes = {code for code, _name, _full in regions}
        self.by_name: dict[str, list[tuple[str, bool]]] = {}  # name → [(code, exact)]
        for code, name, _full in regions:
            name = name_key(name or "")
            if len(name) < 2:
                continue
            self.by_name.setdefault(name, []).append((code, True))
            for suffix in _REGION_SUFFIXES:
                if name.endswith(suffix):
                    stem = name[: -len(suffix)]
                    # "黄岛" for 黄岛区, but not "市中" for 市中区 (it is in "城市中心")
                    if len(stem) >= 2 and not any(ch in stem for ch in "省市区县"):
                        self.by_name.setdefault(stem, []).append((code, False))
                    break
        self.zones: dict[str, tuple[int, str]] = {}
        for unit_id, zname, region_code in zones or ():
            key = name_key(zname or "")
            if len(key) >= 2:
                self.zones[key] = (unit_id, region_code)
        self.max_len = max((len(k) for k in (*self.by_name, *self.zones)), default=0)
        self.cache: dict[str, list[RegionMatch]] = {}

    @staticmethod
    def _ancestor(a: str, b: str) -> bool:
        """True when division ``a`` contains (or is) division ``b``."""
        if a == b:
            return True
        if a.endswith("0000"):
            return b[:2] == a[:2]
        if a.endswith("00"):
            return b[:4] == a[:4]
        return False

    def resolve(self, text: str) -> RegionMatch | None:
        """The one division (and zone) ``text`` names, or ``None`` (nothing, or a tie)."""
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def candidates(self, text: str) -> list[RegionMatch]:
        """Every division ``text`` may mean (one when it is clear, none when it names none)."""
        if not text:
            return []
        hit = self.cache.get(text)
        if hit is not None:
            return hit
        key = name_key(text)
        if len(key) == 6 and key.isdigit():
            result = [RegionMatch(key)] if key in self.codes else []
        else:
            zone: tuple[int, str] | None = None
            zone_len = 0
            found: dict[str, bool] = {}  # code → matched by its exact name
            spans: dict[str, list[tuple[int, int]]] = {}  # code → where its names were read
            n = len(key)
            for i in range(n):
                for j in range(min(n, i + self.max_len), i + 1, -1):
                    sub = key[i:j]
                    z = self.zones.get(sub)
                    if z and len(sub) > zone_len:
                        zone, zone_len = z, len(sub)
                    for code, exact in self.by_name.get(sub, ()):
                        found[code] = found.get(code, False) or exact
                        spans.setdefault(code, []).append((i, j))
            if len(found) > 1:
                # a name read only inside a longer one is not meant: "城区" (a county in 山西) in "历城区"
                outer = [(c, a, b) for c, theirs in spans.items() for a, b in theirs]
                inner = {
                    c
                    for c, own in spans.items()
                    if all(any(o != c and a <= i and j <= b and b - a > j - i for o, a, b in outer) for i, j in own)
                }
                if inner and len(inner) < len(found):
                    found = {c: e for c, e in found.items() if c not in inner}
            result = self._choose(found, zone)
        if len(self.cache) < 50_000:
            self.cache[text] = result
        return result

    def _choose(self, found: dict[str, bool], zone: tuple[int, str] | None) -> list[RegionMatch]:
        codes = set(found)
        if zone:
            codes.add(zone[1])
        if not codes:
            return []

        def depth(c: str) -> int:
            return 0 if c.endswith("0000") else 1 if c.endswith("00") else 2

        # the candidates with the most of their parents also named ("枣庄市市中区": 370402, not
        # Jinan's 市中区), then the deepest; an exact name beats a stem ("黄岛" of 黄岛区)
        def support(c: str) -> int:
            return sum(1 for o in codes if o != c and self._ancestor(o, c))

        best = max(support(c) for c in codes)
        pool = {c for c in codes if support(c) == best}
        deepest = max(depth(c) for c in pool)
        pool = {c for c in pool if depth(c) == deepest}
        if len(pool) > 1:
            exact = {c for c in pool if found.get(c)}
            pool = exact or pool
        return [
            RegionMatch(code, zone[0] if zone and (self._ancestor(zone[1], code) or self._ancestor(code, zone[1])) else None)
            for code in sorted(pool)
        ]


def resolve_region(text: str, regions: list[tuple[str, str, str]], zones: list[tuple[int, str, str]] | None = None) -> RegionMatch | None:
    """One-off form of :class:`RegionResolver` (build the resolver once for many rows)."""
    return RegionResolver(regions, zones).resolve(text)
