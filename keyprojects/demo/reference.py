"""The demo's reference data, read once from ``demo/data/*.json`` (Shandong's cities, zones and
departments, name lists, industries, texts, the real projects of domain.md §6). Each file says
what its lists mean in its ``_about``; lists become tuples here (the generator only reads them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items() if k != "_about"}
    return value


def load(name: str) -> dict[str, Any]:
    """One data file, lists as tuples."""
    with (DATA / name).open(encoding="utf-8") as f:
        frozen: dict[str, Any] = _frozen(json.load(f))
    return frozen


_places = load("places.json")
_names = load("names.json")
_industries = load("industries.json")
_texts = load("texts.json")
_real = load("real_projects.json")

# places.json
CITY_WEIGHTS: dict[str, float] = _places["city_weights"]
CITY_CENTRES: dict[str, tuple[float, float, float]] = _places["city_centres"]
PORT_CITIES: tuple[str, ...] = _places["port_cities"]
PROVINCE_DEPARTMENTS: dict[str, tuple[str, str]] = _places["province_departments"]
CITY_DEPARTMENTS: dict[str, tuple[str, str]] = _places["city_departments"]
COUNTY_DEPARTMENTS: dict[str, tuple[str, str]] = _places["county_departments"]
ZONES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = _places["zones"]

# names.json
SURNAMES: dict[str, float] = _names["surnames"]
GIVEN_CHARS: str = _names["given_chars"]
BRAND_CHARS: str = _names["brand_chars"]
ROADS: tuple[str, ...] = _names["roads"]
DIRECTIONS: tuple[str, ...] = _names["directions"]
CONTACT_TITLES: tuple[str, ...] = _names["contact_titles"]
PHASES: tuple[str, ...] = _names["phases"]
CN_NUMBERS: str = _names["cn_numbers"]
ENTERPRISE_FORMS: tuple[tuple[str, int], ...] = _names["enterprise_forms"]
ENTERPRISE_WORDS: dict[str, tuple[str, ...]] = _names["enterprise_words"]
NAME_TEMPLATES: dict[str, tuple[str, ...]] = _names["name_templates"]

# industries.json
CATEGORY_DIVISIONS: dict[str, dict[str, float]] = _industries["category_divisions"]
INDUSTRY_DIVISIONS = CATEGORY_DIVISIONS["industry"]
PUBLIC_OWNERS: dict[str, tuple[str, str, str, str]] = _industries["public_owners"]
PUBLIC_FOR_DIVISION: dict[str, str] = _industries["public_for_division"]
DEPARTMENT_FOR_DIVISION: dict[str, tuple[str, ...]] = _industries["department_for_division"]
INDUSTRY_DEPARTMENTS: tuple[str, ...] = _industries["industry_departments"]
CODE_DEPARTMENTS: tuple[str, ...] = _industries["code_departments"]

# texts.json
SUSPEND_REASONS: tuple[str, ...] = _texts["suspend_reasons"]
CANCEL_REASONS: tuple[str, ...] = _texts["cancel_reasons"]
TRANSITION_REASONS: dict[str, str] = _texts["transition_reasons"]
NO_ACTIVITY_REASONS: dict[int, tuple[str, ...]] = {int(k): v for k, v in _texts["no_activity_reasons"].items()}
DONE_REASON: str = _texts["done_reason"]
PRODUCING_REASON: str = _texts["producing_reason"]
PREP_TEXTS: tuple[str, ...] = _texts["prep_texts"]
PHASE_TEXTS: dict[str, tuple[tuple[float, str], ...]] = _texts["phase_texts"]
PROBLEMS: tuple[tuple[str, str, str, str], ...] = _texts["problems"]
RETURN_OPINIONS: tuple[str, ...] = _texts["return_opinions"]
PROBLEM_OPINION: str = _texts["problem_opinion"]  # for a report with 存在问题
SLIP_OPINION: str = _texts["slip_opinion"]
APPROVAL_CITY_SHORT: dict[str, str] = _texts["approval_numbers"]["city_short"]
APPROVAL_NUMBER_WORDS: dict[str, str] = _texts["approval_numbers"]["item_words"]

# real_projects.json
SPECIAL_OWNERS: dict[str, tuple[str, str, str, str]] = _real["special_owners"]
REAL_PROJECTS: tuple[dict[str, Any], ...] = _real["real_projects"]
PORT_PROJECTS: tuple[tuple[str, str], ...] = tuple(
    (_real["port_prefix"] + name, group) for group, names in _real["port_projects"].items() for name in names
)
