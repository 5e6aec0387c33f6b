"""The demo builder: Shandong's regions (from the Region table, never invented), departments,
function zones, sponsor leaders, enterprises with valid USCCs, and projects on the province,
city and county lists with their year plans, project codes and life-cycle history, written
through the one bulk write path (``core.bulk``) into tables whose indexes are rebuilt after."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction

from keyprojects.core.bulk import bulk_load
from keyprojects.core.validators import make_uscc

from .common import (
    DEFAULT_BATCH,
    DEMO_COUNTIES,
    MAX_TOTAL,
    MIN_TOTAL,
    PROVINCE,
    DemoError,
    DemoResult,
    Picker,
    explicit_timestamps,
    last_day,
    short_place,
    writer_for,
)
from .dispatch import Dispatch
from .drafts import Draft, DraftsMixin, Ent
from .reference import (
    BRAND_CHARS,
    CATEGORY_DIVISIONS,
    CITY_DEPARTMENTS,
    CITY_WEIGHTS,
    CODE_DEPARTMENTS,
    CONTACT_TITLES,
    COUNTY_DEPARTMENTS,
    ENTERPRISE_FORMS,
    ENTERPRISE_WORDS,
    GIVEN_CHARS,
    INDUSTRY_DIVISIONS,
    PORT_PROJECTS,
    PROVINCE_DEPARTMENTS,
    PUBLIC_OWNERS,
    REAL_PROJECTS,
    ROADS,
    SPECIAL_OWNERS,
    SURNAMES,
    TRANSITION_REASONS,
    ZONES,
)

NATURES = (("new", 40), ("continuing", 33), ("completing", 15), ("preparatory", 12))
MONTH_WEIGHTS = (2, 6, 18, 16, 14, 12, 9, 8, 7, 5, 2, 1)  # planned starts cluster in spring

# The Project columns in the order DemoBuilder.add_project writes them.
PROJECT_COLUMNS = [
    "name", "project_code", "owner_id", "region_id", "zone_id", "province_code", "city_code", "location",
    "industry_section", "industry_division", "category", "nature", "stage", "stage_before_suspension",
    "total_investment", "planned_start", "planned_completion", "actual_start", "actual_completion", "content",
    "responsible_unit_id", "responsible_person", "sponsor_leader_id", "contact_name", "contact_phone", "in_statistics",
    "latitude", "longitude", "created_at", "updated_at",
]  # fmt: skip


class DemoBuilder(DraftsMixin):
    """The demo world for one seed: regions read, units, leaders, enterprises, projects with
    their years and history, and (with ``months``) monthly dispatch (:class:`Dispatch`)."""

    def __init__(self, *, seed: int, projects: int, year: int, month: int, months: int = 0, batch_size: int = DEFAULT_BATCH,
                 progress: bool = False, stream: Any = None):  # fmt: skip
        self.seed = seed
        self.n_projects = projects
        self.year = year
        self.month = month
        self.as_of = last_day(year, month)
        self.floor = dt.date(year - 4, 1, 2)
        self.batch = max(100, batch_size)
        self.progress = progress
        self.stream = stream
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.ref_time = dt.datetime(year - 4, 1, 2, 9, 0, tzinfo=self.tz)
        self.counts: dict[str, int] = {}
        self.used_usccs: set[str] = set()
        self.used_codes: set[str] = set()
        self.used_names: set[str] = set()
        rng = self.rng
        self.pick_surname = Picker(rng, SURNAMES)
        self.pick_category = {
            "province": Picker(rng, {"industry": 60, "infrastructure": 25, "urban": 7, "social": 8}),
            "city": Picker(rng, {"industry": 55, "infrastructure": 18, "urban": 15, "social": 12}),
            "county": Picker(rng, {"industry": 50, "infrastructure": 15, "urban": 20, "social": 15}),
        }
        self.pick_division = {k: Picker(rng, v) for k, v in CATEGORY_DIVISIONS.items()}
        self.pick_nature = Picker(rng, NATURES)
        self.pick_month = Picker(rng, [(m, w) for m, w in enumerate(MONTH_WEIGHTS, start=1)])
        self.dispatch = Dispatch(self, months) if months else None
        self.timings: dict[str, float] = {}  # phase → seconds (printed with -v 2)
        self._lap = time.perf_counter()

    def big_models(self) -> list[type[models.Model]]:
        """The tables with a row per project (or more): loaded without indexes (``core.bulk.bulk_load``)."""
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        return [Project, ProjectYear, ProjectEvent, *(t.model for t in (self.dispatch.tables if self.dispatch else ()))]

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._lap
        self._lap = now

    # -- small generators -------------------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.6 else "")
        return self.pick_surname() + given

    def mobile(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"

    def date_between(self, a: dt.date, b: dt.date) -> dt.date:
        if b <= a:
            return a
        return a + dt.timedelta(days=self.rng.randint(0, (b - a).days))

    def at(self, d: dt.date) -> dt.datetime:
        rng = self.rng
        return dt.datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59), tzinfo=self.tz)

    def uscc(self, prefix: str, region: str) -> str:
        rng = self.rng
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            if prefix == "91" and rng.random() < 0.7:
                org = "MA" + rng.choice("3CD7B") + "".join(rng.choice(alphabet) for _ in range(6))
            else:  # an old GB 11714 organisation code with its own check character
                digits = [rng.randint(0, 9) for _ in range(8)]
                c = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
                org = "".join(map(str, digits)) + ("X" if c == 10 else "0" if c == 11 else str(c))
            code = make_uscc(f"{prefix}{region}{org}")
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    def money(self, wan: float) -> Decimal:
        """万元, rounded the way lists round: 100万元 steps above 1亿, 10万元 above 1000万元."""
        if wan >= 10_000:
            v = round(wan / 100) * 100
        elif wan >= 1000:
            v = round(wan / 10) * 10
        else:
            v = round(wan)
        return Decimal(int(min(max(v, MIN_TOTAL), MAX_TOTAL)))

    def share(self, total: Decimal, lo: float, hi: float) -> Decimal:
        """A share of ``total`` in whole 万元 (never above ``total``)."""
        v = Decimal(int(float(total) * self.rng.uniform(lo, hi)))
        return min(v, total)

    def tick(self, desc: str, total: int) -> Any:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="行", disable=not self.progress, file=self.stream, leave=False,
                    dynamic_ncols=True, mininterval=0.5)  # fmt: skip

    def bulk(self, model: type[models.Model], objs: list[Any], desc: str) -> None:
        with self.tick(desc, len(objs)) as bar:
            for i in range(0, len(objs), self.batch):
                chunk = objs[i : i + self.batch]
                model._default_manager.bulk_create(chunk, batch_size=self.batch)
                bar.update(len(chunk))

    # -- the whole run ----------------------------------------------------------------------

    def run(self) -> DemoResult:
        from keyprojects.projects.models import SponsorLeader
        from keyprojects.regions.models import Unit

        self.load_regions()
        with explicit_timestamps(Unit, SponsorLeader), transaction.atomic():
            self.build_units()
            self.build_leaders()
            self.build_enterprises()
            if self.dispatch is not None:
                self.dispatch.setup()
            self.lap("单位、企业")
            with bulk_load(dict.fromkeys(self.big_models(), 0), constraints=True):
                self.build_projects()
                self.lap("项目及月报（生成、写入）")
            self.lap("重建索引和外键")
            if self.dispatch is not None:
                self.dispatch.finish()
                self.counts.update(self.dispatch.counts)
        result = DemoResult(seed=self.seed, year=self.year, as_of=self.as_of, counts=self.counts, timings=self.timings)
        if self.dispatch is not None:
            result.periods = [f"{p.year}-{p.month:02d}" for p in self.dispatch.periods]
            result.open_states = dict(self.dispatch.open_states)
        return result

    def load_regions(self) -> None:
        from keyprojects.regions.models import Region

        rows = list(Region.objects.filter(province_code=PROVINCE).order_by("code").values_list("code", "name", "level", "city_code"))
        self.region_name = {c: n for c, n, _, _ in rows}
        self.cities = [c for c, _, lvl, _ in rows if lvl == "city"]
        self.counties_of: dict[str, list[str]] = {c: [] for c in self.cities}
        for c, _, lvl, city in rows:
            if lvl == "county" and city in self.counties_of:
                self.counties_of[city].append(c)
        self.city_of = {c: (city or c) for c, _, lvl, city in rows if lvl != "province"}
        if PROVINCE not in self.region_name or len(self.cities) != 16 or sum(map(len, self.counties_of.values())) < 100:
            raise DemoError("行政区划表中没有完整的山东省（370000）数据，请先运行 manage.py migrate 或 manage.py load_regions")
        self.pick_city = Picker(self.rng, {c: CITY_WEIGHTS.get(c, 3) for c in self.cities})

    def full_place(self, code: str) -> str:
        """济南市历下区 / 济南市."""
        city = self.city_of[code]
        return self.region_name[city] + (self.region_name[code] if code != city else "")

    def place(self, code: str) -> str:
        """The place word in names: 历下 / 济南 (济南市中区 / 枣庄市中区 for the two 市中区)."""
        name = self.region_name[code]
        if name == "市中区":
            return short_place(self.region_name[self.city_of[code]]) + "市中区"
        return short_place(name)

    # -- units ------------------------------------------------------------------------------

    def build_units(self) -> None:
        from keyprojects.regions.models import Unit

        units: list[Unit] = []

        def add(name: str, short: str, kind: str, region: str) -> Unit:
            u = Unit(name=name, short_name=short, kind=kind, region_id=region, created_at=self.ref_time, updated_at=self.ref_time)
            units.append(u)
            return u

        prov = {k: add(n, s, "department", PROVINCE) for k, (n, s) in PROVINCE_DEPARTMENTS.items()}
        city_units: dict[str, dict[str, Unit]] = {}
        for city in self.cities:
            cname = self.region_name[city]
            city_units[city] = {k: add(cname + self._city_dept_name(city, k, n), s, "department", city)
                                for k, (n, s) in CITY_DEPARTMENTS.items()}  # fmt: skip
        county_units: dict[str, dict[str, Unit]] = {}
        for city in self.cities:
            for county in self.counties_of[city]:
                county_units[county] = {
                    k: add(self.full_place(county) + n, s, "department", county) for k, (n, s) in COUNTY_DEPARTMENTS.items()
                }
        zones: list[tuple[Unit, str, tuple[str, ...]]] = []
        for city, name, short, hosts in ZONES:
            if city in self.counties_of:
                zones.append((add(name, short, "zone", city), city, tuple(h for h in hosts if h in self.region_name)))
        self.bulk(Unit, units, "单位")
        self.province_units = {k: u.pk for k, u in prov.items()}
        self.city_units = {c: {k: u.pk for k, u in d.items()} for c, d in city_units.items()}
        self.county_units = {c: {k: u.pk for k, u in d.items()} for c, d in county_units.items()}
        self.zone_ids = {u.name: u.pk for u, _, _ in zones}
        self.zones_of_city: dict[str, list[int]] = {}
        self.zones_of_county: dict[str, list[int]] = {}
        for u, city, hosts in zones:
            self.zones_of_city.setdefault(city, []).append(u.pk)
            for h in hosts:
                self.zones_of_county.setdefault(h, []).append(u.pk)
        self.counts["units"] = len(units)
        self.counts["zones"] = len(zones)

    @staticmethod
    def _city_dept_name(city: str, key: str, name: str) -> str:
        return "水务局" if key == "slj" and city in ("370100", "370200") else name

    # -- sponsor leaders --------------------------------------------------------------------

    def build_leaders(self) -> None:
        from keyprojects.projects.models import SponsorLeader

        leaders: list[SponsorLeader] = []
        by_region: dict[str, list[SponsorLeader]] = {}

        def add(region: str, titles: Sequence[str]) -> None:
            names: set[str] = set()
            for title in titles:
                name = self.person()
                while name in names:
                    name = self.person()
                names.add(name)
                obj = SponsorLeader(name=name, title=title, region_id=region, created_at=self.ref_time, updated_at=self.ref_time)
                leaders.append(obj)
                by_region.setdefault(region, []).append(obj)

        for city in self.cities:
            add(city, ["市长", "常务副市长", "副市长", "副市长", "副市长", "副市长"])
            for county in self.counties_of[city]:
                suffix = self.region_name[county][-1]
                head = {"区": "区长", "县": "县长", "市": "市长"}.get(suffix, "区长")
                add(county, [head, "副" + head, "副" + head])
        self.bulk(SponsorLeader, leaders, "包保领导")
        self.leaders_of = {r: [x.pk for x in objs] for r, objs in by_region.items()}
        self.jinan_leader = by_region["370100"][1]  # 常务副市长: the demo "leader" login
        self.jinan_mayor = by_region["370100"][0]
        self.counts["leaders"] = len(leaders)

    # -- enterprises ------------------------------------------------------------------------

    def build_enterprises(self) -> None:
        from keyprojects.enterprises.models import Enterprise, EnterpriseContact
        from keyprojects.projects.industries import section_of

        rng = self.rng
        drafts: list[tuple[str, str, str, str, str]] = []  # name, short, region, division, uscc prefix
        names: set[str] = set()
        # the owners of the real projects (domain.md §6)
        for name, short, region, division in SPECIAL_OWNERS.values():
            drafts.append((name, short, region, division, "91"))
            names.add(name)
        # public owners per city and county
        public_keys: list[tuple[str, str]] = []
        for city in self.cities:
            for region in [city, *self.counties_of[city]]:
                for key, (city_suffix, county_suffix, division, prefix) in PUBLIC_OWNERS.items():
                    is_city = region == city
                    company = prefix == "91"
                    if company:
                        stem = short_place(self.region_name[city]) + (
                            "" if is_city else self.place(region).removeprefix(short_place(self.region_name[city]))
                        )
                        name = stem + (city_suffix if is_city else county_suffix)
                    else:
                        name = self.full_place(region) + (city_suffix if is_city else county_suffix)
                    drafts.append((name, name[: -len(city_suffix if is_city else county_suffix)], region, division, prefix))
                    names.add(name)
                    public_keys.append((region, key))
        n_special = len(SPECIAL_OWNERS)
        # private enterprises
        n_private = max(30, self.n_projects * 45 // 100)
        pick_div = Picker(rng, INDUSTRY_DIVISIONS)
        pick_form = Picker(rng, ENTERPRISE_FORMS)
        with self.tick("生成企业", n_private) as bar:
            for _ in range(n_private):
                city = self.pick_city()
                region = city if rng.random() < 0.12 else rng.choice(self.counties_of[city])
                division = pick_div()
                for _attempt in range(20):
                    brand = "".join(rng.sample(BRAND_CHARS, 2))
                    r = rng.random()
                    prefix = (
                        "山东" if r < 0.4 else short_place(self.region_name[city]) if r < 0.75 else self.place(region) if r < 0.9 else ""
                    )
                    name = f"{prefix}{brand}{rng.choice(ENTERPRISE_WORDS[division])}{pick_form()}"
                    if name not in names:
                        break
                else:
                    name = f"{prefix}{brand}{rng.choice(ENTERPRISE_WORDS[division])}{len(names)}号{pick_form()}"
                names.add(name)
                drafts.append((name, brand if rng.random() < 0.7 else prefix + brand, region, division, "91"))
                bar.update(1)
        table = writer_for(Enterprise, ["name", "uscc", "region_id", "industry_section", "industry_division", "address",
                                    "legal_representative", "created_at", "updated_at"])  # fmt: skip
        contacts = writer_for(EnterpriseContact, ["enterprise_id", "name", "title", "phone"])
        ents: list[Ent] = []
        with self.tick("企业", len(drafts)) as bar:
            for name, short, region, division, prefix in drafts:
                address = f"山东省{self.full_place(region)}{rng.choice(ROADS)}{rng.randint(1, 9999)}号"
                pk = table.add(name, self.uscc(prefix, region), region, section_of(division) or "", division, address,
                               self.person(), self.ref_time, self.ref_time)  # fmt: skip
                contacts.add(pk, self.person(), rng.choice(CONTACT_TITLES), self.mobile())
                ents.append(Ent(pk, name, short, region, division))
                if len(table.rows) >= self.batch:
                    table.flush()
                    contacts.flush()
                    bar.update(self.batch)
            table.finish()
            contacts.finish()
        self.special_owners = {key: ents[i] for i, key in enumerate(SPECIAL_OWNERS)}
        self.public_owner: dict[tuple[str, str], Ent] = {k: ents[n_special + i] for i, k in enumerate(public_keys)}
        self.private_by_county: dict[str, list[Ent]] = {}
        self.private_by_city: dict[str, list[Ent]] = {}
        for e in ents[n_special + len(public_keys) :]:
            self.private_by_county.setdefault(e.region, []).append(e)
            self.private_by_city.setdefault(self.city_of[e.region], []).append(e)
        self.counts["enterprises"] = table.count

    # -- projects ---------------------------------------------------------------------------

    def build_projects(self) -> None:
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        n_generic = max(0, self.n_projects - len(REAL_PROJECTS) - len(PORT_PROJECTS))
        self.counts.update(province_list=0, city_list=0, county_list=0, with_code=0)
        # ``invested_before`` (启用前累计完成投资) is written when the model has it.
        self.with_invested_before = any(f.name == "invested_before" for f in Project._meta.concrete_fields)
        self.t_projects = writer_for(Project, PROJECT_COLUMNS + (["invested_before"] if self.with_invested_before else []))
        self.t_years = writer_for(ProjectYear, ["project_id", "year", "annual_plan", "on_province_list", "on_city_list",
                                            "on_county_list", "nature"])  # fmt: skip
        self.t_events = writer_for(ProjectEvent, ["project_id", "kind", "from_stage", "to_stage", "reason", "at", "actor_id",
                                                   "on_date"])  # fmt: skip
        dispatch = self.dispatch
        tables = [self.t_projects, self.t_years, self.t_events, *(dispatch.tables if dispatch else ())]
        placed: set[str] = set()  # the regions of the drafts so far

        def generic() -> Iterator[Draft]:
            # the last drafts go to the demo counties still without a project (a small seed);
            # a seed that placed one there already is drawn as before
            for left in range(n_generic, 0, -1):
                missing = [c for c in DEMO_COUNTIES if c not in placed and c in self.city_of]
                yield self.generic_draft(missing[0] if missing and left <= len(missing) else None)

        drafts = itertools.chain(self.real_drafts(), self.port_drafts(), generic())
        desc = "项目及月报" if dispatch else "项目"
        with self.tick(desc, len(REAL_PROJECTS) + len(PORT_PROJECTS) + n_generic) as bar:
            # Each draft consumes the random streams completely before the next one starts, so
            # the data do not depend on the batch size.
            for d in drafts:
                placed.add(d.region)
                sim = dispatch.simulate(d) if dispatch else None  # sets invested_before, maybe created and prepared
                pk, created_at = self.add_project(d)
                self.add_years(d, pk)
                self.add_history(d, pk, created_at)
                if dispatch:
                    dispatch.emit(d, pk, sim)
                if len(self.t_projects.rows) >= self.batch or (dispatch and dispatch.pending_rows() >= 8 * self.batch):
                    n = len(self.t_projects.rows)
                    for t in tables:  # parents first
                        t.flush()
                    bar.update(n)
            n = len(self.t_projects.rows)
            for t in tables:
                t.finish()
            bar.update(n)
        self.counts.update(projects=self.t_projects.count, project_years=self.t_years.count, events=self.t_events.count)

    def add_project(self, d: Draft) -> tuple[int, dt.datetime]:
        from keyprojects.projects.industries import section_of

        rng = self.rng
        code = self.project_code(d) if d.has_code else None
        self.counts["with_code"] += code is not None
        lat = lon = None
        if d.coords is not None:
            lat, lon = (Decimal(f"{v:.6f}") for v in d.coords)
        created = self.at(d.created or self.floor)
        in_stats = d.actual_start is not None and d.total >= MIN_TOTAL and rng.random() < 0.93
        pk = self.t_projects.add(
            d.name, code, d.owner.pk if d.owner else None, d.region, d.zone, PROVINCE, self.city_of[d.region], d.location,
            section_of(d.division) or "", d.division, d.category, d.nature, d.stage, d.before_suspension, d.total,
            d.planned_start, d.planned_completion, d.actual_start, d.actual_completion, d.content, d.unit, self.person(),
            d.leader, self.person(), self.mobile(), in_stats, lat, lon, created, created,
            *((d.invested_before,) if self.with_invested_before else ()),
        )  # fmt: skip
        return pk, created

    def add_years(self, d: Draft, pk: int) -> None:
        """The project's years: this year's row states the project's nature (as
        ``projects.services.sync_current_nature`` keeps it), last year's the nature its schedule
        gave it on last year's list (``choices.nature_in_year``: 新开工 in the year it was
        planned to start, 竣工投产 in the year it was planned to complete, 续建 between)."""
        from keyprojects.projects.choices import nature_in_year

        prov, city, county = d.levels
        if not d.prev_year_only:
            self.t_years.add(pk, self.year, d.plan, prov, city, county, d.nature)
            self.counts["province_list"] += prov
            self.counts["city_list"] += city
            self.counts["county_list"] += county
        if d.prev_plan is not None:
            start = d.planned_start or d.actual_start
            last = nature_in_year(self.year - 1, start=start, completion=d.planned_completion or d.actual_completion)
            self.t_years.add(pk, self.year - 1, d.prev_plan, prov, city, county, last)

    def project_code(self, d: Draft) -> str:
        rng = self.rng
        when = d.prepared or d.created or self.as_of
        while True:
            tail = f"{rng.randint(0, 99999):05d}{rng.choice('0123456789' * 3 + 'X')}"
            code = f"{when:%y%m}-{d.region}-{rng.choice(CODE_DEPARTMENTS)}-{d.code_type}-{tail}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def add_history(self, d: Draft, pk: int, created_at: dt.datetime) -> None:
        """Events from creation to the current stage, dated from the draft's milestones and
        strictly increasing in time."""
        last: list[dt.datetime] = []

        def ev(kind: str, frm: str, to: str, when: dt.date | None, reason: str = "", at: dt.datetime | None = None) -> None:
            at = at or self.at(when or d.created or self.floor)
            if last and at <= last[-1]:
                at = last[-1] + dt.timedelta(minutes=self.rng.randint(5, 90))
            last.append(at)
            self.t_events.add(pk, kind, frm, to, reason, at, None, when or at.astimezone(self.tz).date())

        ev("created", "", "reserve", d.created, at=created_at)
        path = ["reserve"]
        milestones = [("preparation", d.prepared), ("construction", d.actual_start), ("completed", d.actual_completion),
                      ("production", d.produced)]  # fmt: skip
        final = d.before_suspension or d.cancelled_from or d.stage
        order = ["reserve", "preparation", "construction", "completed", "production", "effective"]
        target = order.index(final) if final in order else 0
        for stage, when in milestones:
            if order.index(stage) > target:
                break
            ev("transition", path[-1], stage, when, TRANSITION_REASONS[stage])
            path.append(stage)
        if d.stage == "suspended":
            ev("suspended", path[-1], "suspended", d.side_date, d.side_reason)
        elif d.stage == "cancelled":
            ev("cancelled", path[-1], "cancelled", d.side_date, d.side_reason)

    # -- generic projects -------------------------------------------------------------------
