"""Reading a cell's value as the importer needs it: the words real tables use for categories,
natures, stages, levels and industries, and amounts/texts as the model stores them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .. import issue_text as T

WAN = Decimal("0.0001")
PCT = Decimal("0.01")
ZERO = Decimal(0)

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


COORDINATE_PLACES = Decimal("0.000001")
COORDINATE_LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}
COORDINATE_MESSAGES = {
    "latitude": T.LATITUDE_INVALID.zh(),
    "longitude": T.LONGITUDE_INVALID.zh(),
}


def _coordinate(field_name: str, value: Any) -> Decimal | None:
    """A latitude or longitude in decimal degrees with 6 places (the model's), or None when it
    is not a number within range."""
    try:
        d = value if type(value) is Decimal else Decimal(_text(value).rstrip("°"))
        d = d.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        return None
    limit = COORDINATE_LIMITS[field_name]
    return d if d.is_finite() and -limit <= d <= limit else None
