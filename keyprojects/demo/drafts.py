"""Projects before they are written: the generic ones (names, owners, units, leaders, schedule
and stage as of the data month) and the real ones of domain.md §6 (``data/real_projects.json``)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import MIN_TOTAL, Picker, last_day, short_place
from .reference import (
    CANCEL_REASONS,
    CITY_CENTRES,
    CN_NUMBERS,
    COUNTY_DEPARTMENTS,
    DEPARTMENT_FOR_DIVISION,
    DIRECTIONS,
    INDUSTRY_DEPARTMENTS,
    NAME_TEMPLATES,
    PHASES,
    PORT_CITIES,
    PORT_PROJECTS,
    PUBLIC_FOR_DIVISION,
    REAL_PROJECTS,
    ROADS,
    SUSPEND_REASONS,
)


@dataclass
class Ent:
    pk: int
    name: str
    short: str
    region: str
    division: str


@dataclass
class Draft:
    """A generated project before it becomes a model instance."""

    name: str
    region: str
    category: str
    nature: str
    division: str
    total: Decimal
    levels: tuple[bool, bool, bool]  # province, city, county
    owner: Ent | None = None
    zone: int | None = None
    unit: int | None = None
    leader: int | None = None
    stage: str = "reserve"
    before_suspension: str = ""
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    created: dt.date | None = None
    prepared: dt.date | None = None
    produced: dt.date | None = None
    side_date: dt.date | None = None  # suspension or cancellation
    side_reason: str = ""
    cancelled_from: str = ""
    plan: Decimal = Decimal(0)
    prev_plan: Decimal | None = None
    invested_before: Decimal = Decimal(0)  # 万元 invested up to the end of last year
    prev_year_only: bool = False
    has_code: bool = True
    code_type: str = "03"
    location: str = ""
    content: str = ""
    coords: tuple[float, float] | None = None


class DraftsMixin:
    """The drafts of :class:`~keyprojects.demo.builder.DemoBuilder` (its random stream, regions,
    units, leaders and owners)."""

    rng: random.Random
    year: int
    as_of: dt.date
    floor: dt.date
    cities: list[str]
    counties_of: dict[str, list[str]]
    city_of: dict[str, str]
    region_name: dict[str, str]
    pick_city: Picker
    pick_category: dict[str, Picker]
    pick_division: dict[str, Picker]
    pick_nature: Picker
    pick_month: Picker
    used_names: set[str]
    private_by_county: dict[str, list[Ent]]
    private_by_city: dict[str, list[Ent]]
    public_owner: dict[tuple[str, str], Ent]
    special_owners: dict[str, Ent]
    zones_of_county: dict[str, list[int]]
    zones_of_city: dict[str, list[int]]
    zone_ids: dict[str, int]
    county_units: dict[str, dict[str, int]]
    city_units: dict[str, dict[str, int]]
    province_units: dict[str, int]
    leaders_of: dict[str, list[int]]
    jinan_mayor: Any

    def generic_draft(self, county: str | None = None) -> Draft:
        """A generated project; in ``county`` when given (a demo county a small seed left without
        a project: the same random draws, another place)."""
        rng = self.rng
        y = self.year
        r = rng.random()
        level = "province" if r < 0.15 else "city" if r < 0.50 else "county"
        city = self.pick_city()
        if level == "county" or rng.random() < 0.8:
            region = rng.choice(self.counties_of[city])
        else:
            region = city
        if county is not None:
            city, region = self.city_of[county], county
        category = self.pick_category[level]()
        owner: Ent | None
        if category == "industry":
            pool = self.private_by_county.get(region) if region != city else None
            pool = pool or self.private_by_city.get(city) or self.private_by_city[self.cities[0]]
            owner = rng.choice(pool)
            division = owner.division if rng.random() < 0.85 else self.pick_division[category]()
        else:
            division = self.pick_division[category]()
            if division == "55" and city not in PORT_CITIES:
                division = "54"  # no harbours inland
            owner_region = region if rng.random() < 0.8 else city
            owner = self.public_owner.get((owner_region, PUBLIC_FOR_DIVISION.get(division, "ct")))
        if rng.random() < 0.03:
            owner = None
        # levels: primary plus sometimes the neighbouring ones
        prov = level == "province"
        on_city = level == "city" or (prov and rng.random() < 0.5)
        on_county = region != city and (level == "county" or (level == "city" and rng.random() < 0.25) or (prov and rng.random() < 0.1))
        # investment: log-normal around a level-dependent median
        median = {"province": 120_000, "city": 30_000, "county": 8_000}[level] * (0.6 if category == "social" else 1.0)
        total = self.money(10 ** rng.gauss(math.log10(median), 0.45))
        d = Draft(name="", region=region, category=category, nature="", division=division, total=total,
                   levels=(prov, on_city, on_county), owner=owner)  # fmt: skip
        d.name = self._name(d)
        # zone, responsible unit, leader
        zones = self.zones_of_county.get(region) if region != city else self.zones_of_city.get(city)
        if zones and rng.random() < (0.35 if region != city else 0.5):
            d.zone = rng.choice(zones)
        d.unit = self._responsible_unit(level, region, city, category, division)
        leaders = self.leaders_of.get(city if level != "county" or region == city else region, [])
        if leaders and rng.random() < 0.85:
            d.leader = rng.choice(leaders)
        d.code_type = rng.choice(("03", "03", "03", "02")) if category == "industry" else rng.choice(("01", "01", "02"))
        self._schedule(d, y)
        d.location = (
            f"{self.full_place(region)}{rng.choice(ROADS)}以{rng.choice(DIRECTIONS)}、{rng.choice(ROADS)}以{rng.choice(DIRECTIONS)}"
        )
        d.content = self._content(d)
        if rng.random() < 0.4:
            lat, lon, spread = CITY_CENTRES.get(city, (36.4, 118.0, 0.3))
            d.coords = (lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread))
        return d

    def _name(self, d: Draft) -> str:
        """A list-style name, unique where possible: on collisions a phase, then a year, an area
        or a kind of works is added, as real lists do."""
        rng = self.rng
        for attempt in range(8):
            tpl = rng.choice(NAME_TEMPLATES[d.division])
            place = self.place(d.region)
            city_word = short_place(self.region_name[self.city_of[d.region]])
            if "{p}" in tpl and d.region != self.city_of[d.region] and rng.random() < 0.15 and not place.startswith(city_word):
                place = city_word + place  # 历下 → 济南历下; 济南市中区 has its city already
            ent = d.owner.short if d.owner else place
            name = tpl.format(
                e=ent, p=place, r=rng.choice(ROADS), n=rng.choice((1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 30, 50)),
                g=rng.choice((2, 5, 10, 20)), mw=rng.choice((50, 100, 200, 300, 500)), cn=rng.choice(CN_NUMBERS),
                gd=rng.choice(("104", "105", "205", "206", "220", "308", "309", "327")),
            )  # fmt: skip
            if not name.endswith("工程"):
                name += "项目"
            if attempt >= 4:
                if "{p}" in tpl and rng.random() < 0.5:
                    name = f"{self.year - rng.randint(0, 1)}年{name}"
                elif "{p}" in tpl:
                    name = name.replace(place, f"{place}{rng.choice(ROADS)}片区", 1)
                elif name.endswith("项目"):
                    name = name[:-2] + rng.choice(("扩建项目", "技术改造项目", "智能化改造项目", "提质增效项目"))
            if 2 <= attempt < 6 or rng.random() < 0.12:
                phase = rng.choice(PHASES)
                name = name[:-2] + phase + name[-2:] if name.endswith("项目") else name + phase
            if name not in self.used_names:
                break
        self.used_names.add(name)
        return name

    def _responsible_unit(self, level: str, region: str, city: str, category: str, division: str) -> int | None:
        rng = self.rng
        if level == "county" and region != city:
            units = self.county_units[region]
            if category == "industry":
                return units["gxj"] if rng.random() < 0.6 else units["fgj"]
            if category in ("urban", "social"):
                return units["zjj"] if rng.random() < 0.5 else units["fgj"]
            return units["fgj"]
        keys = INDUSTRY_DEPARTMENTS if category == "industry" else DEPARTMENT_FOR_DIVISION.get(division, ("fgw",))
        key = rng.choice(keys)
        if level == "province" and rng.random() < 0.15:
            return self.province_units.get(key, self.province_units["fgw"])
        return self.city_units[city][key]

    def _schedule(self, d: Draft, y: int) -> None:
        """Nature, stage and dates as of ``self.as_of``; plans for this year (and last)."""
        rng = self.rng
        as_of = self.as_of
        nature = self.pick_nature()
        d.nature = nature
        months = max(6, min(48, round(8 + 7 * math.log10(float(d.total) / MIN_TOTAL) + rng.uniform(-4, 6))))

        def plus_months(a: dt.date, m: int) -> dt.date:
            yy, mm = divmod(a.month - 1 + m, 12)
            return last_day(a.year + yy, mm + 1)

        def spring_date(year: int) -> dt.date:
            m = self.pick_month()
            return dt.date(year, m, rng.randint(1, 28))

        if nature == "new":
            d.planned_start = spring_date(y)
            d.planned_completion = plus_months(d.planned_start, months)
            if d.planned_start <= as_of:
                if rng.random() < 0.85:
                    d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(-20, 45)))
            elif rng.random() < 0.08:
                d.actual_start = self.date_between(dt.date(y, 1, 5), as_of)
            d.plan = self.share(d.total, 0.15, 0.45)
        elif nature == "preparatory":
            d.planned_start = spring_date(y + 1)
            d.planned_completion = plus_months(d.planned_start, months)
            d.plan = self.share(d.total, 0.0, 0.05) if rng.random() < 0.6 else Decimal(0)
        else:
            d.planned_start = self.date_between(dt.date(y - 3, 3, 1), dt.date(y - 1, 10, 31))
            d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(-15, 60)))
            if nature == "continuing":
                d.planned_completion = max(plus_months(d.planned_start, months), last_day(y + 1, rng.randint(1, 12)))
                done = rng.uniform(0.2, 0.65)
                d.prev_plan = self.share(d.total, 0.12, min(0.4, done))
                d.plan = self.share(d.total, 0.3 * (1 - done), 0.8 * (1 - done))
                d.invested_before = max(d.prev_plan, Decimal(int(float(d.total) * done)))
            else:  # completing this year
                d.planned_completion = max(last_day(y, rng.randint(3, 12)), d.planned_start)
                d.prev_plan = self.share(d.total, 0.2, 0.5)
                d.plan = self.share(d.total, 0.05, 0.35)
                d.invested_before = d.total - d.plan - self.share(d.total, 0.0, 0.05)
                if (d.planned_completion <= as_of and rng.random() < 0.65) or (d.planned_completion > as_of and rng.random() < 0.06):
                    lo = max(d.actual_start, dt.date(y, 1, 1))
                    d.actual_completion = max(lo, min(as_of, d.planned_completion + dt.timedelta(days=rng.randint(-40, 20))))
                    if rng.random() < 0.45:
                        produced = d.actual_completion + dt.timedelta(days=rng.randint(10, 60))
                        d.produced = produced if produced <= as_of else None
            if d.prev_plan + d.plan > d.total:
                d.prev_plan = d.total - d.plan
            d.invested_before = min(max(d.invested_before, d.prev_plan), d.total - d.plan)
        anchor = d.actual_start or d.planned_start
        d.created = max(self.floor, min(anchor - dt.timedelta(days=rng.randint(60, 300)), as_of - dt.timedelta(days=rng.randint(5, 90))))
        # stage from the milestones
        if d.produced:
            d.stage = "production"
        elif d.actual_completion:
            d.stage = "completed"
        elif d.actual_start:
            d.stage = "construction"
        elif (nature == "preparatory" and rng.random() < 0.55) or (nature == "new" and rng.random() < 0.07):
            d.stage = "reserve"
        else:
            d.stage = "preparation"
        if d.stage != "reserve":
            end = d.actual_start or as_of
            d.prepared = self.date_between(d.created, d.created + (end - d.created) * 6 // 10)
        # side states
        if d.stage in ("construction", "preparation") and rng.random() < (0.04 if nature == "continuing" else 0.015):
            d.before_suspension, d.stage = d.stage, "suspended"
            d.side_date = self.date_between(max(d.prepared or d.created, d.actual_start or d.created), as_of)
            d.side_reason = rng.choice(SUSPEND_REASONS)
        elif d.stage in ("reserve", "preparation") and nature in ("new", "preparatory") and rng.random() < 0.015:
            d.cancelled_from, d.stage = d.stage, "cancelled"
            d.side_date = self.date_between(d.prepared or d.created, as_of)
            d.side_reason = rng.choice(CANCEL_REASONS)
        # codes: nearly all started projects, most in preparation, a quarter of the reserve
        p_code = {"reserve": 0.25, "preparation": 0.85, "cancelled": 0.5}.get(d.stage, 0.97)
        d.has_code = rng.random() < p_code

    def _content(self, d: Draft) -> str:
        rng = self.rng
        total_yi = f"{float(d.total) / 10000:.2f}".rstrip("0").rstrip(".")
        if d.category == "industry":
            body = (f"规划用地约{rng.randint(20, 600)}亩，新建生产车间、研发中心及配套设施{rng.randint(1, 30)}万平方米，"
                    f"购置生产设备{rng.randint(20, 800)}台（套）")  # fmt: skip
        elif d.category == "infrastructure":
            body = "建设主体工程及附属配套设施，同步实施绿化、照明、智能化等工程"
        elif d.category == "urban":
            body = f"总建筑面积约{rng.randint(1, 60)}万平方米，同步建设道路、管网、绿化等配套设施"
        else:
            places = {"83": "学位", "84": "床位", "85": "养老床位"}.get(d.division, "座位")
            body = f"总建筑面积约{rng.randint(1, 20)}万平方米，建成后新增{places}{rng.randint(2, 30) * 100}个"
        return f"项目总投资{total_yi}亿元。{body}。"

    # -- the real projects (domain.md §6) ---------------------------------------------------

    def real_drafts(self) -> Iterator[Draft]:
        y = self.year
        as_of = self.as_of
        for spec in REAL_PROJECTS:
            region = spec["region"]
            city = self.city_of[region]

            def day(rel: tuple[int, int, int] | None) -> dt.date | None:
                return dt.date(y + rel[0], rel[1], rel[2]) if rel else None

            owner = self.special_owners.get(spec["owner"]) if spec.get("owner") else None
            d = Draft(name=spec["name"], region=region, category=spec["category"], nature=spec["nature"],
                       division=spec["division"], total=Decimal(spec["total"]), levels=spec["levels"], owner=owner)  # fmt: skip
            d.zone = self.zone_ids.get(spec.get("zone", ""))
            dept = spec["unit"]
            d.unit = self.county_units[region][dept] if region != city and dept in COUNTY_DEPARTMENTS else self.city_units[city][dept]
            d.leader = self.jinan_mayor.pk if city == "370100" else self.leaders_of[city][0]
            d.planned_start, d.planned_completion = day(spec["planned"][0]), day(spec["planned"][1])
            start, done, produced = (day(spec.get(k)) for k in ("start", "done", "produced"))
            d.actual_start = start if start and start <= as_of else None
            d.actual_completion = done if done and d.actual_start and done <= as_of else None
            d.produced = produced if produced and d.actual_completion and produced <= as_of else None
            d.stage = (
                "production" if d.produced else "completed" if d.actual_completion else "construction" if d.actual_start else "preparation"
            )
            d.created = day(spec["created"])
            d.prepared = self.date_between(d.created, min(d.actual_start or as_of, as_of))
            d.plan = Decimal(spec["plan"])
            d.prev_plan = Decimal(spec["prev_plan"]) if spec.get("prev_plan") else None
            d.invested_before = Decimal(spec.get("invested_before", spec.get("prev_plan") or 0))
            d.code_type = "02" if spec["category"] == "infrastructure" else "03"
            d.location = spec["location"]
            d.content = spec["content"]
            yield d

    def port_drafts(self) -> Iterator[Draft]:
        """山东港口 in Qingdao: 32 projects, 754.85亿元 (domain.md §6); names and the split of
        the totals are illustrative."""
        rng = self.rng
        y = self.year
        as_of = self.as_of
        owner = self.special_owners["port"]
        zone = self.zone_ids.get("青岛西海岸新区")
        groups = {"done": 1_283_500, "continuing": 1_055_000, "new": 5_210_000}
        amounts: dict[str, list[int]] = {}
        for group, total in groups.items():
            names = [n for n, g in PORT_PROJECTS if g == group]
            weights = [rng.uniform(0.6, 1.4) for _ in names]
            parts = [round(total * w / sum(weights) / 100) * 100 for w in weights]
            parts[-1] = total - sum(parts[:-1])
            amounts[group] = parts
        counters = dict.fromkeys(groups, 0)
        for name, group in PORT_PROJECTS:
            total = Decimal(amounts[group][counters[group]])
            counters[group] += 1
            division = port_division(name)
            region = "370203" if "邮轮母港" in name else "370211"
            category = "urban" if division == "70" else "infrastructure"
            big = total >= 300_000
            d = Draft(name=name, region=region, category=category, nature="", division=division, total=total,
                       levels=(big, True, False), owner=owner)  # fmt: skip
            d.zone = zone if region == "370211" else None
            d.unit = self.city_units["370200"]["jtj"]
            d.leader = self.leaders_of["370200"][2]
            d.code_type = "02"
            if group == "done":
                d.nature = "completing"
                d.planned_start = self.date_between(dt.date(y - 3, 3, 1), dt.date(y - 2, 9, 30))
                d.actual_start = d.planned_start + dt.timedelta(days=rng.randint(0, 30))
                d.planned_completion = last_day(y - 1, rng.randint(6, 12))
                d.actual_completion = d.planned_completion - dt.timedelta(days=rng.randint(0, 25))
                d.produced = min(as_of, d.actual_completion + dt.timedelta(days=rng.randint(5, 30)))
                d.stage = "production"
                d.prev_plan = self.share(total, 0.25, 0.45)
                d.invested_before = total
                d.prev_year_only = True
            elif group == "continuing":
                d.nature = "continuing"
                d.planned_start = self.date_between(dt.date(y - 2, 3, 1), dt.date(y - 1, 9, 30))
                d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(0, 30)))
                d.planned_completion = last_day(y + rng.randint(1, 2), rng.randint(3, 12))
                d.stage = "construction"
                d.prev_plan = self.share(total, 0.2, 0.35)
                d.plan = self.share(total, 0.2, 0.35)
                d.invested_before = d.prev_plan + self.share(total, 0.0, 0.2)
            else:
                d.nature = "new"
                d.planned_start = dt.date(y, rng.randint(2, 9), rng.randint(1, 28))
                d.planned_completion = last_day(y + rng.randint(2, 4), rng.randint(3, 12))
                if d.planned_start <= as_of:
                    d.actual_start = d.planned_start
                d.stage = "construction" if d.actual_start else "preparation"
                d.plan = self.share(total, 0.08, 0.2)
            d.created = max(self.floor, min((d.actual_start or d.planned_start) - dt.timedelta(days=rng.randint(60, 200)), as_of))
            d.prepared = self.date_between(d.created, min(d.actual_start or as_of, as_of))
            d.location = f"青岛市{self.region_name[region]}" + ("（青岛西海岸新区）" if d.zone else "")
            d.content = (
                "山东港口2024年世界级港口群建设（青岛）项目之一：在青岛共32项、总投资754.85亿元，其中2023年建成投产14项"
                "（128.35亿元）、续建7项（约105.5亿元）、2024年新启动推进11项（521亿元）。本项目名称和金额为演示示意。"
            )
            yield d


def port_division(name: str) -> str:
    for words, division in (
        (("城市更新",), "70"),
        (("LNG", "氢能"), "45"),
        (("光伏",), "44"),
        (("铁路",), "53"),
        (("道路",), "54"),
        (("储", "罐", "物流", "冷链", "仓", "筒仓", "堆场", "多式联运"), "59"),
    ):
        if any(w in name for w in words):
            return division
    return "55"
