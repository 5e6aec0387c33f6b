"""Classification cells read like a person: 项目级别, 项目类别, 建设性质, 项目阶段, 是否开工,
是/否 columns (本月无进展, 是否纳统) and 所属行业 (GB/T 4754) → the model's values
(``CLASSIFIERS``, one reader per field)."""

from __future__ import annotations

import re
from collections.abc import Callable

from keyprojects.projects.industries import DIVISIONS, SECTIONS

from .normalize import (
    name_key,
)

# ---------------------------------------------------------------------------------------------
# Classification values


def _level(text: str) -> str | None:
    t = name_key(text)
    if t in ("省", "省级", "省重点"):
        return "province"
    if t in ("市", "市级", "市重点"):
        return "city"
    if t in ("县", "区", "县级", "区级", "县区级", "区县级", "县重点", "区重点"):
        return "county"
    if re.search(r"(县|区|县区|区县|县（市、区）|县（市区）|县市区)(级|重点)", t):
        return "county"
    if re.search(r"市(级|重点)", t):
        return "city"
    if re.search(r"省(级|重点)", t):
        return "province"
    return None


def _category(text: str) -> str | None:
    t = name_key(text)
    if "基础设施" in t:
        return "infrastructure"
    if "民生" in t or "社会事业" in t:
        return "social"
    if "城建" in t or "城市建设" in t:
        return "urban"
    if "产业" in t or "工业" in t:
        return "industry"
    return None


def _nature(text: str) -> str | None:
    t = name_key(text)
    if "新开工" in t or t in ("新开", "新建"):
        return "new"
    if "续建" in t:
        return "continuing"
    if "竣工" in t or "投产" in t:
        return "completing"
    if "预备" in t or "前期" in t or "储备" in t:
        return "preparatory"
    return None


_STAGES = (
    (("退库", "终止", "取消"), "cancelled"),
    (("停建", "缓建", "停缓建", "停工"), "suspended"),
    (("达效", "达产"), "effective"),
    (("投产", "运营", "运行"), "production"),
    (("竣工", "完工", "建成"), "completed"),
    (("未开工", "前期", "手续", "审批"), "preparation"),
    (("在建", "开工", "施工", "建设"), "construction"),
    (("储备", "谋划"), "reserve"),
)


def _stage(text: str) -> str | None:
    t = name_key(text)
    for words, value in _STAGES:
        if any(w in t for w in words):
            return value
    return None


_YES = frozenset({"是", "已开工", "开工", "√", "✓", "Y", "YES", "1", "TRUE", "已"})
_NO = frozenset({"否", "未开工", "未", "×", "✗", "N", "NO", "0", "FALSE", "没有"})


def _started(text: str) -> str | None:
    t = name_key(text)
    if t in _YES:
        return "是"
    if t in _NO:
        return "否"
    return None


_TRUE = frozenset({"是", "√", "✓", "Y", "YES", "1", "TRUE", "有"})
_FALSE = frozenset({"否", "×", "✗", "N", "NO", "0", "FALSE", "没有"})


def _yes_no(text: str) -> str | None:
    """本月无进展 and other 是/否 columns."""
    t = name_key(text)
    if t in _TRUE:
        return "是"
    if t in _FALSE:
        return "否"
    return None


_IN_STATISTICS = {"已纳统": "是", "纳统": "是", "已入统": "是", "入统": "是", "未纳统": "否", "未入统": "否", "不纳统": "否"}


def _in_statistics(text: str) -> str | None:
    """是否纳统: 是/否 and the words offices write (已纳统, 未纳统 …)."""
    return _IN_STATISTICS.get(name_key(text)) or _yes_no(text)


def _industry_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for letter, (name, _rng) in SECTIONS.items():
        index[name_key(name)] = letter
        index[name_key(name).replace("、", "")] = letter
    for code, name in DIVISIONS.items():
        index.setdefault(name_key(name), code)
        index.setdefault(name_key(name).replace("、", ""), code)
    return index


_INDUSTRY = _industry_index()
_INDUSTRY_CODE_RE = re.compile(r"^([A-T])?\s*(\d{2})?(?:\s|$|[^\d])")


def _industry(text: str) -> str | None:
    t = name_key(text)
    hit = _INDUSTRY.get(t) or _INDUSTRY.get(t.replace("、", ""))
    if hit:
        return hit
    m = _INDUSTRY_CODE_RE.match(t)
    if m and (m.group(1) or m.group(2)):
        letter, div = m.group(1), m.group(2)
        if div and div in DIVISIONS and (not letter or letter == _section_of(div)):
            return div
        if letter and not div:
            rest = t[1:].lstrip(" ")
            if not rest or _INDUSTRY.get(rest) == letter:
                return letter
    return None


def _section_of(division: str) -> str | None:
    n = int(division)
    return next((k for k, (_n, rng) in SECTIONS.items() if n in rng), None)


CLASSIFIERS: dict[str, Callable[[str], str | None]] = {
    "level": _level,
    "category": _category,
    "nature": _nature,
    "stage_text": _stage,
    "started": _started,
    "industry": _industry,
    "no_activity": _yes_no,
    "in_statistics": _in_statistics,
}
