"""Step 2 of the plan: each item resolved against the database in a handful of set queries —
the user's scope, its region (place names, function zones), the project it names (项目ID,
项目代码, else 项目名称 + 所属区域), its owner (USCC, else exact name), responsible unit and
sponsor leader (by name, among those the user may link)."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError

from keyprojects.core.bulk import chunks
from keyprojects.core.validators import normalize_uscc, validate_uscc

from .. import issue_text as T
from ..normalize import RegionMatch, RegionResolver, to_halfwidth
from ..normalize import name_key as same_name
from ..types import ParsedRow
from .plan import ATTR_FIELD, ImporterState, Item, RegionInfo
from .values import _text, name_key


def _clue_label(row: ParsedRow, fld: str, place: str = "") -> str:
    if fld == "_sheet":
        return T.SHEET_NAME % {"sheet": row.sheet}
    if fld == "_title":
        return T.TITLE_PLACE % {"place": place}
    return f"“{row.header(fld)}”"


# the place a title begins with: "济南市2024年重点项目清单", "2024年淄博市市级重点项目名单"
_TITLE_NOISE_RE = re.compile(r"20\d{2}\s*年度?|[（(][^）)]*[）)]|\s+")
_TITLE_REST_RE = re.compile(r"(?:省级|市级|县级|区级)?(?:重点|项目|清单|名单|计划|调度|进展|情况|建设|投资)")


CITY_ITSELF = frozenset({"市本级", "本级", "市直", "市属", "市直部门", "市级"})  # a 县区 cell naming the city itself
_CODE_DIVISION_RE = re.compile(r"^\s*\d{4}-(\d{6})-")


class ResolveMixin(ImporterState):
    # -- scope -------------------------------------------------------------------------------

    def _load_scope(self) -> None:
        from keyprojects.accounts import policy
        from keyprojects.projects.selectors import regions_assignable
        from keyprojects.projects.services import writable_fields
        from keyprojects.regions.models import Region

        user = self.user
        self.regions = {
            r[0]: RegionInfo(*r) for r in Region.objects.values_list("code", "name", "level", "parent_id", "city_code", "province_code")
        }
        if self.system:
            self.assignable = {c for c, r in self.regions.items() if r.level != "province"}
            self.writable = set(ATTR_FIELD.values())
        else:
            self.assignable = set(regions_assignable(user).values_list("code", flat=True))
            self.writable = set(writable_fields(user))
        # county and department users always import into their own region (as project_create)
        self.forced_region: str | None = None
        self.forced_unit: int | None = None
        if not self.system:
            forced, defaults = policy.project_placement(user)
            if "region" in forced or "region" in defaults:
                self.forced_region = (forced.get("region") or defaults["region"]).pk
            if "responsible_unit" in forced:
                self.forced_unit = forced["responsible_unit"].pk
        default = self.default_region
        if self.forced_region:
            default = self.regions.get(self.forced_region)
        self.default_code: str | None = None
        # the region rows must fall in: the one asked for within the uploader's own (policy)
        scope = policy.import_scope(None if self.system else user, self.default_region)
        own = policy.import_scope(None if self.system else user)
        self.scope_code: str | None = scope.code if scope is not None else None
        self.scope_asked = scope is not None and (own is None or scope.code != own.code)
        if default is not None:
            if default.level == "province":
                self.default_code = None  # a project belongs to a city or county, never a province
            else:
                self.default_code = default.code
        self.home = None if self.system else policy.home_region(user)
        level = None if self.system else policy.staff_level(user)
        self.user_level = level or (default.level if default else None)
        self.can_register_owner = self.system or policy.can_register_owner(user)
        self._resolver: RegionResolver | None = None
        self._place_cache: dict[str, tuple[str | None, str, int | None]] = {}
        self._clue_cache: dict[tuple[str, str], str] = {}
        self.sheet_titles = {res.sheet: res.title for res in getattr(self, "results", ())}
        self.sheets_ambiguous: set[str] = set()
        self.title_base: str | None = None
        if self.default_code is None and self.scope_code is None and self.home is None:
            named = {c for c in (self._title_region(s) for s in self.sheet_titles) if c}
            cities = {self.regions[c].city_code or c for c in named}
            self.title_base = cities.pop() if len(cities) == 1 else None

    # -- place names -------------------------------------------------------------------------

    @property
    def resolver(self) -> RegionResolver:
        """The parser's place-name rule (``normalize.RegionResolver``) over every division and
        the function zones the user may link, built on first use."""
        if self._resolver is None:
            from keyprojects.projects.selectors import units_assignable
            from keyprojects.regions.models import Unit

            qs = Unit.objects.filter(kind="zone", is_active=True) if self.system else units_assignable(self.user).filter(kind="zone")
            zones = [(u, n, r) for u, name, short, r in qs.values_list("id", "name", "short_name", "region_id") for n in (name, short) if n]
            self._resolver = RegionResolver([(c, r.name, r.name) for c, r in self.regions.items()], zones)
        return self._resolver

    def resolve_place(self, text: str) -> tuple[str | None, str, int | None]:
        """(region code, "", zone id) or (None, why, None) for a 6-digit code, a name ("历下区"),
        a full name ("山东省济南市历下区") or a function zone ("起步区"): ``RegionResolver``'s
        reading; a name several regions share is then decided by the user's scope, then by
        the default region's city."""
        hit = self._place_cache.get(text)
        if hit is not None:
            return hit
        found = self._prefer(self.resolver.candidates(text))
        result: tuple[str | None, str, int | None]
        if not found:
            result = (None, "unknown", None)
        elif len(found) > 1:
            result = (None, "ambiguous", None)
        else:
            result = (found[0].region_code, "", found[0].zone_id)
        self._place_cache[text] = result
        return result

    def _prefer(self, found: list[RegionMatch]) -> list[RegionMatch]:
        """Ties the place names leave, broken by what the import knows: the user's own regions,
        then the default region's city."""
        if len(found) > 1:
            found = [m for m in found if m.region_code in self.assignable] or found
        if len(found) > 1 and self.default_code:
            city = self.regions[self.default_code].city_code or self.default_code
            found = [m for m in found if self.regions[m.region_code].city_code == city or m.region_code == city] or found
        return found

    def _row_region(self, row: ParsedRow, values: dict[str, Any]) -> tuple[str | None, bool]:
        code, explicit = self._row_region_read(row, values)
        scope = self.scope_code
        if code is not None and scope is not None and code != scope:
            from keyprojects.accounts.policy import region_contains  # (here: not once per row)

            r = self.regions[code]
            if "region_text" not in row.values and region_contains(r, self.regions[scope]):  # type: ignore[arg-type]
                return None, False  # a clue wider than the scope (a sheet named after the city): the default applies
            if not region_contains(self.regions[scope], r):  # type: ignore[arg-type]
                # the cell that said it (a sheet's name: no cell)
                where = "" if self._clue_field.startswith("_") else self._clue_field
                name = self.regions[scope].name
                if self.scope_asked:
                    self.error(row, where, T.OUTSIDE_ASKED_SCOPE.zh(row=row.row, region=r.name, scope=name))
                else:
                    self.error(row, where, T.OUTSIDE_SCOPE_AT.zh(row=row.row, region=r.name, scope=name))
                return None, True
        if code is not None and self.forced_region and code != self.forced_region and "region_text" not in row.values:
            return None, False  # a clue within a department's region: its projects stay in the unit's region
        return code, explicit

    def _row_region_read(self, row: ParsedRow, values: dict[str, Any]) -> tuple[str | None, bool]:
        """The row's region, read as a person would: its 所属区域 (a place name, or a function
        zone); else the first clue that names a county of the user's area — the 项目代码's
        division segment ("2401-370882-04-01-123456"), then a place in 建设地点, 责任单位 or
        建设单位; else none (the default applies to new projects later). Clues that disagree
        with the one taken give a warning naming both."""
        text = _text(row.values.get("region_text"))
        self._clue_field = "region_text"
        if text:
            code, why, zone = self.resolve_place(text)
            if code is None and why == "ambiguous":
                code = self._in_context(text, row.sheet)  # 市中区 under a title or sheet naming its city
            elif code is None and text.strip() in CITY_ITSELF:
                code = self._city_of(row.sheet)  # "市本级": the city the title, sheet or --region names
            if code is None:
                if why == "ambiguous":
                    self.error(row, "region_text", T.PLACE_AMBIGUOUS.zh())
                    return None, True
                self.warn(row, "region_text", T.PLACE_UNKNOWN.zh())
                return None, False
            if self.regions[code].level == "province":
                self.warn(row, "region_text", T.PLACE_TOO_WIDE.zh())
                return None, False
            if zone is not None:
                values["zone_id"] = zone
            if self._other_clues(row, "region_text", code):
                return None, True
            return code, True
        clues = self._clues(row)
        if not clues:
            if row.sheet in self.sheets_ambiguous:
                self.error(row, "", T.SHEET_PLACE_AMBIGUOUS.zh(row=row.row, sheet=row.sheet))
                return None, True
            return None, False
        fld, code = clues[0]
        self._clue_field = fld
        if self._disagree(row, fld, code, clues[1:]):
            return None, True
        return code, fld != "_title"  # (a title's place is the rows' default: it moves no registered project)

    def _clues(self, row: ParsedRow) -> list[tuple[str, str]]:
        """(field, county code) of every clue in the row, the 项目代码 first. (A list repeats its
        divisions and places: each is read once.)"""
        out: list[tuple[str, str]] = []
        get = row.values.get
        cache = self._clue_cache
        pcode = get("project_code")
        if pcode:
            pcode = pcode if type(pcode) is str else _text(pcode)
            division = pcode.lstrip()[:12]  # "2401-370882-": what the rule reads
            hit = cache.get(("project_code", division))
            if hit is None:
                m = _CODE_DIVISION_RE.match(pcode)
                code = m.group(1) if m else ""
                # a county of another city is a clue too: the row is then outside the import's scope
                ok = code in self.regions and self.regions[code].level == "county"
                ok = ok and (self._in_area(code) or self._area_base() is not None)
                hit = cache[("project_code", division)] = code if ok else ""
            if hit:
                out.append(("project_code", hit))
        for fld in ("location", "responsible_unit", "owner_name"):
            x = get(fld)
            if x:
                t = x if type(x) is str else _text(x)
                hit = cache.get((fld, t))
                if hit is None:
                    hit = cache[(fld, t)] = self._place_clue(fld, t.strip())
                if hit:
                    out.append((fld, hit))
        sheet = self._sheet_region(row.sheet)
        if sheet:
            out.append(("_sheet", sheet))
        else:
            title = self._title_region(row.sheet)
            if title:
                out.append(("_title", title))
        return out

    def _title_region(self, sheet: str) -> str | None:
        """The city or county a sheet's title begins with ("济南市2024年重点项目清单",
        "2024年淄博市张店区重点项目"): the rows' region when nothing else names one, and the
        context of a name several cities share ("市中区"). A title naming a place outside the
        default region or scope the uploader gave says nothing (titles are copied from
        templates): the default applies."""
        cache = self.__dict__.setdefault("_title_regions", {})
        if sheet not in cache:
            title = _TITLE_NOISE_RE.sub("", to_halfwidth(self.sheet_titles.get(sheet, "")))
            text = _TITLE_REST_RE.split(title, maxsplit=1)[0]
            code = None
            if 2 <= len(text) <= 12 and text[-1] in "市区县":
                found, _why, _zone = self.resolve_place(text)
                if found is not None and self.regions[found].level in ("city", "county"):
                    code = found
                from keyprojects.accounts.policy import region_contains  # (once per sheet)

                for given in (self.default_code, self.scope_code):
                    if code is not None and given is not None and not region_contains(self.regions[given], self.regions[code]):  # type: ignore[arg-type]
                        code = None
            cache[sheet] = code
        return cache[sheet]

    def _city_of(self, sheet: str) -> str | None:
        """The city a sheet's rows belong to: its title's, its name's, the default region's or
        the scope's (None when only the province is known)."""
        for code in (self._title_region(sheet), self._sheet_region(sheet), self.default_code, self.scope_code):
            if code is not None and self.regions[code].level != "province":
                return self.regions[code].city_code or code
        return None

    def _in_context(self, text: str, sheet: str) -> str | None:
        """A place name several regions share ("市中区"), read in the city its sheet's title or
        name gives ("济南市…" → 370103); None when that does not tell either."""
        ctx = self._title_region(sheet) or self._sheet_region(sheet)
        if ctx is None:
            return None
        city = self.regions[ctx].city_code or ctx
        code, _why, _zone = self.resolve_place(self.regions[city].name + text)
        return code if code is not None and self.regions[code].city_code == city else None

    def _place_clue(self, fld: str, text: str) -> str:
        """The county (or, outside the area, city) a 建设地点/责任单位/建设单位 names, read from
        its places: the text up to its last 市/区/县 within the first 16 characters ("济南市历城区"
        of "济南市历城区港沟街道128号"). A list's 建设地点 are mostly distinct but name a few dozen
        places: each place is resolved once, and a street or company name after them adds no
        chance match."""
        if not text:
            return ""
        end = max(text.rfind("市", 0, 16), text.rfind("区", 0, 16), text.rfind("县", 0, 16)) + 1
        key = text[:end] if end else text
        hit = self._clue_cache.get(("_place" + fld, key))
        if hit is None:
            hit = self._clue_cache[("_place" + fld, key)] = self._place_in(key, far=fld != "owner_name") or ""
        return hit

    def _sheet_region(self, name: str) -> str | None:
        """The city or county a sheet is named after ("济南市", "历下区项目"), in the user's area."""
        cache = self.__dict__.setdefault("_sheet_regions", {})
        if name not in cache:
            cache[name] = None  # (while it is read: its own context is the title's)
            text = re.sub(r"(重点)?项目.*$|[0-9０-９]+年.*$", "", name).strip()
            code = None
            if 2 <= len(text) <= 12 and text[-1] in "市区县":
                found, why, _zone = self.resolve_place(text)
                if found is None and why == "ambiguous":
                    found = self._in_context(text, name)  # 市中区 in a list whose title says 济南市
                    if found is None:
                        self.sheets_ambiguous.add(name)  # its rows naming no place: an error, not the default
                if found is not None and self.regions[found].level in ("city", "county"):
                    code = found  # (outside the import's scope: an error naming the row)
            cache[name] = code
        return cache[name]

    def _other_clues(self, row: ParsedRow, fld: str, code: str) -> bool:
        if self.forced_region:
            return False
        return self._disagree(row, fld, code, self._clues(row))

    def _clues_agree(self, row: ParsedRow, code: str) -> bool:
        """True when none of the row's clues (项目代码, 建设地点, 责任单位) names a region apart from
        ``code``: a row whose 所属区域 was read before without a remark has none to give. (Each
        text is read once; a text naming the place itself is not read at all.)"""
        if self.forced_region:
            return True
        get = row.values.get
        regions = self.regions
        r = regions[code]
        name = r.name
        cache = self._clue_cache
        for fld in ("project_code", "location", "responsible_unit"):  # (an owner's name is the weakest clue: read on the first row)
            x = get(fld)
            if not x:
                continue
            t = x if type(x) is str else _text(x)
            if fld == "project_code":
                if code in t[:12]:
                    continue  # the division segment is the place itself
                ocode = next((c for f, c in self._clues(row) if f == fld), "")
            elif name in t:
                continue  # the text names the place itself ("济南市历下区经十路9号")
            else:
                ocode = cache.get((fld, t))
                if ocode is None:
                    ocode = cache[(fld, t)] = self._place_clue(fld, t.strip())
            if ocode and ocode != code and regions[ocode].city_code != code and r.city_code != ocode:
                return False
        return True  # (the sheet's clue agreed on the first row of this place and sheet)

    def _disagree(self, row: ParsedRow, fld: str, code: str, others: list[tuple[str, str]]) -> bool:
        """Warn about the first clue naming another region than ``code`` (the one taken); True
        (an error given) when that clue lies outside the import's scope: the row may not be the
        uploader's to import at all."""
        from keyprojects.accounts.policy import region_contains  # (here: only for a row whose clues disagree)

        for ofld, ocode in others:
            if ocode != code and self.regions[ocode].city_code != code and self.regions[code].city_code != ocode:
                scope = self.regions.get(self.scope_code or "")
                if scope is not None and not region_contains(scope, self.regions[ocode]):  # type: ignore[arg-type]
                    self.error(
                        row,
                        fld if ofld.startswith("_") else ofld,
                        T.CLUE_OUTSIDE_SCOPE.zh(
                            row=row.row,
                            clue=_clue_label(row, ofld, self.regions[ocode].name),
                            other=self.regions[ocode].name,
                            scope=scope.name,
                            taken_clue=_clue_label(row, fld, self.regions[code].name),
                            region=self.regions[code].name,
                        ),
                        row.values.get(fld if ofld.startswith("_") else ofld),
                    )
                    return True
                self.warn(
                    row,
                    fld if ofld.startswith("_") else ofld,
                    T.CLUES_DISAGREE.zh(
                        clue=_clue_label(row, ofld, self.regions[ocode].name),
                        other=self.regions[ocode].name,
                        taken_clue=_clue_label(row, fld, self.regions[code].name),
                        region=self.regions[code].name,
                        taken=self.regions[code].name,
                    ),
                    row.values.get(fld if ofld.startswith("_") else ofld),
                )
                return False
        return False

    def _in_area(self, code: str) -> bool:
        base = self._area_base()
        r = self.regions[code]
        if base:
            return r.city_code == (self.regions[base].city_code or base) or r.province_code == base or code == base
        return code in self.assignable

    def _area_base(self) -> str | None:
        """The region whose city (or province) the clues are read in: the default region, the
        scope, the user's own, else the city every title naming a place names."""
        return self.default_code or self.scope_code or (self.home.code if self.home is not None else None) or self.title_base

    def _place_in(self, text: str, *, far: bool = False) -> str | None:
        """The county ``text`` (a 建设地点) names, when it is one of the user's area: the default
        region's (or the user's own) city or province, else the user's assignable counties.
        ``far``: also a county or city outside that area when ``text`` writes its name in full
        ("历城区发改局", "济南市历城区港沟街道" in a list of 淄博): the row is then outside the
        import's scope, an error naming it, not silently in the default region. (A stem alone,
        "长安" of "长安路", stays no clue.)"""
        code, _why, _zone = self.resolve_place(text)
        if code is None:
            return None
        base = self._area_base()
        r = self.regions[code]
        if base:
            b = self.regions[base]
            city = b.city_code or base
            inside = r.city_code == city or r.province_code == base
            if r.level == "county" and inside:
                return code
            if far and not inside and r.level != "province" and not (b.level != "province" and code == city):
                return code if name_key(r.name) in name_key(text) else None
            return None
        if r.level != "county":
            return None
        return code if code in self.assignable and len(self.assignable) < 400 else None

    # -- set queries -----------------------------------------------------------------

    def _lookup(self, items: list[Item]) -> None:
        from django.db.models import Q

        from keyprojects.enterprises.models import Enterprise
        from keyprojects.projects.models import Project

        codes = {i.code for i in items if i.code}
        names = {i.name for i in items}
        keys: set[str] = set()  # names as people mean them: "（二期）" is "(二期)" (made when there are projects to match)
        ids = {i.project_id for i in items if i.project_id}
        fields = ["id", "version", *ATTR_FIELD.keys(), "province_code", "city_code", "stage"]
        self.by_code: dict[str, dict[str, Any]] = {}
        self.by_id: dict[int, dict[str, Any]] = {}
        self.by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_key: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)  # name → the projects so named, any region
        # rows naming no county of a city's (or the province's) table are looked for in all its counties
        area = self.default_code or self.scope_code
        wide = area if area is not None and self.regions[area].level != "county" and any(not i.region_explicit for i in items) else None

        def named(k: str, p: dict[str, Any]) -> None:
            self.by_name[(k, p["region_id"])].append(p)
            self.by_key[k][p["id"]] = p

        def keep(p: dict[str, Any]) -> None:
            if p["project_code"] in codes:
                self.by_code[p["project_code"]] = p
            if p["id"] in ids:
                self.by_id[p["id"]] = p
            if (k := same_name(p["name"])) in keys:
                named(k, p)

        registered = Project.objects.count()
        if registered:
            keys.update(map(same_name, names))
        if registered <= 2 * len(items):
            # a young system (a first import costs one COUNT): every project at once
            for p in Project.objects.values(*fields) if registered else ():
                keep(p)
        else:
            for chunk in chunks(sorted(codes)):
                for p in Project.objects.filter(project_code__in=chunk).values(*fields):
                    self.by_code[p["project_code"]] = p
            for chunk in chunks(sorted(ids)):
                for p in Project.objects.filter(pk__in=chunk).values(*fields):
                    self.by_id[p["id"]] = p
            # name + region: when the regions concerned hold few projects, read them all at
            # once; else look the names up
            regions = sorted({r for r in (i.region or self.default_code for i in items) if r})
            where = Q(region_id__in=regions)
            if wide is not None and self.regions[wide].level == "city":
                where |= Q(city_code=wide)
            if regions and (wide is None or self.regions[wide].level == "city") and Project.objects.filter(where).count() <= 2 * len(names):
                for p in Project.objects.filter(where).values(*fields):
                    if (k := same_name(p["name"])) in keys:
                        named(k, p)
            else:
                # the names as written, and within the rows' regions as written otherwise (spaces,
                # bracket forms: the database compares both with spaces removed, brackets full-width)
                qs = Project.objects.annotate(_loose=_loose_sql()) if regions else Project.objects.all()
                for chunk in chunks(sorted(names)):
                    q = Q(name__in=chunk)
                    if regions:
                        q |= where & Q(_loose__in={_loose_name(n) for n in chunk})
                    for p in qs.filter(q).values(*fields):
                        if (k := same_name(p["name"])) in keys:
                            named(k, p)
        # owners
        raw_usccs = {i.row.values.get("owner_uscc") for i in items} - {None, ""}  # a file repeats its owners
        usccs = {normalize_uscc(_text(x)) for x in raw_usccs}
        owner_names = {_text(x) for x in {i.row.values.get("owner_name") for i in items} - {None, ""}}
        self.ent_by_uscc: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted(u for u in usccs if u)):
            for e in Enterprise.objects.filter(uscc__in=chunk).values("id", "uscc", "name", "region_id"):
                self.ent_by_uscc[e["uscc"]] = dict(e)
        self.ent_by_name: dict[str, list[int]] = defaultdict(list)
        for chunk in chunks(sorted(owner_names)):
            for ent_id, ent_name in Enterprise.objects.filter(name__in=chunk).values_list("id", "name"):
                self.ent_by_name[ent_name].append(ent_id)
        ent_ids = {e["id"] for e in self.ent_by_uscc.values()} | {x for ids in self.ent_by_name.values() for x in ids}
        self.ent_reach: set[int] = set()
        if ent_ids:
            from keyprojects.projects.selectors import owners_assignable

            base = Enterprise.objects.all() if self.system else owners_assignable(self.user)
            for chunk in chunks(sorted(ent_ids)):
                self.ent_reach.update(base.filter(pk__in=chunk).values_list("pk", flat=True))

    # -- natural keys ----------------------------------------------------------------

    def _match(self, items: list[Item]) -> None:
        from keyprojects.projects.models import Project

        seen: dict[Any, Item] = {}
        for item in items:
            row = item.row
            found: dict[str, Any] | None = None
            region_for_name = item.region or self.default_code
            if item.project_id:
                # the fill-in template's hidden 项目ID names the project (scope is checked below)
                found = self.by_id.get(item.project_id)
                if found is None:
                    self.error(row, "project_id", T.ID_UNKNOWN.zh(), item.project_id)
                    item.dropped = True
                    continue
                if item.code and found["project_code"] and item.code != found["project_code"]:
                    self.error(row, "project_code", T.ID_CODE_DIFFERS.zh(code=found["project_code"]))
                    item.dropped = True
                    continue
                if item.name != found["name"]:
                    self.warn(row, "name", T.ID_NAME_DIFFERS.zh(name=found["name"]))
                    item.name = item.values["name"] = found["name"]
            elif item.code and item.code in self.by_code:
                found = self.by_code[item.code]
            else:
                same = self.by_name.get((same_name(item.name), region_for_name), []) if region_for_name and self.by_name else []
                if item.code:
                    same_free = [p for p in same if not p["project_code"]]
                    if len(same_free) == 1:
                        found = same_free[0]
                    elif same and not same_free:
                        self.error(row, "project_code", T.SAME_NAME_CODE_DIFFERS.zh(code=same[0]["project_code"]))
                        item.dropped = True
                        continue
                elif len(same) > 1:
                    self.error(row, "name", T.SAME_NAMES.zh())
                    item.dropped = True
                    continue
                elif len(same) == 1:
                    found = same[0]
                elif not item.region_explicit and (area := region_for_name or self.scope_code) and self.regions[area].level != "county":
                    # a city's table naming no county: the project of that name in any of its counties
                    r = self.regions[area]
                    key_ = "city_code" if r.level == "city" else "province_code"
                    inside = [p for p in self.by_key.get(same_name(item.name), {}).values() if p[key_] == area] if self.by_key else []
                    if len(inside) > 1:
                        self.error(row, "name", T.SAME_NAMES_IN_AREA.zh(region=r.name))
                        item.dropped = True
                        continue
                    if len(inside) == 1 and not (item.code and inside[0]["project_code"] and inside[0]["project_code"] != item.code):
                        found = inside[0]
            if found is not None:
                item.existing = found
                item.pk = found["id"]
                key: Any = ("pk", found["id"])
                if not item.project_id and item.name != found["name"] and not (item.code and item.code == found["project_code"]):
                    # found by its name written otherwise ("(二期)" for "（二期）"): the registered name stays
                    self.warn(row, "name", T.NAME_WRITTEN_OTHERWISE.zh(name=found["name"]))
                    item.name = item.values["name"] = found["name"]
            else:
                if item.region is None:
                    item.region = self.default_code
                if item.region is None:
                    if not item.region_explicit:  # (an ambiguous place name was reported already)
                        if self.scope_code and self.regions[self.scope_code].level == "province":
                            self.error(
                                row,
                                "region_text",
                                T.REGION_UNKNOWN_PROVINCE.zh(scope=self.regions[self.scope_code].name),
                            )
                        else:
                            self.error(row, "region_text", T.REGION_UNKNOWN.zh())
                    item.dropped = True
                    continue
                key = ("code", item.code) if item.code else ("name", same_name(item.name), item.region)
            first = seen.get(key)
            if first is not None:
                dup_periods = {f.period for f in first.figures} & {f.period for f in item.figures}
                if dup_periods or not item.figures or not first.figures:
                    self.error(row, "name", T.DUPLICATE_ROW.zh(row=first.row.row))
                first.figures.extend(item.figures)  # a later month of the same project
                item.dropped = True
                continue
            seen[key] = item
        items[:] = [i for i in items if not i.dropped]
        # which matched projects the user may edit (one query; reliability.md 14)
        ids = [i.pk for i in items if i.pk and not i.dropped]
        self.editable: set[int] = set()
        if ids:
            base = Project.objects.all() if self.system else Project.objects.editable_by(self.user)
            for chunk in chunks(ids):
                self.editable.update(base.filter(pk__in=chunk).values_list("pk", flat=True))
        for item in items:
            if item.pk and not item.dropped and item.pk not in self.editable:
                where = "project_id" if item.project_id else "project_code" if item.code else "name"
                self.error(item.row, where, T.NOT_EDITABLE.zh())
                item.dropped = True

    # -- owner, unit, leader, region scope ------------------------------------------

    def _resolve_links(self, items: list[Item]) -> None:
        from keyprojects.projects.selectors import leaders_assignable, units_assignable
        from keyprojects.projects.services import LINK_MESSAGES
        from keyprojects.regions.models import Unit

        units: dict[str, list[dict[str, Any]]] = defaultdict(list)
        unit_qs = Unit.objects.filter(is_active=True) if self.system else units_assignable(self.user)
        want_units = {name_key(_text(i.row.values.get("responsible_unit"))) for i in items if i.row.values.get("responsible_unit")}
        if want_units:
            for u in unit_qs.values("id", "name", "short_name", "region_id", "kind"):
                for n in {name_key(u["name"]), name_key(u["short_name"] or "")}:
                    if n in want_units:
                        units[n].append(dict(u))
        leaders: dict[str, list[dict[str, Any]]] = defaultdict(list)
        want_leaders = {_leader_name(_text(i.row.values.get("sponsor_leader"))) for i in items if i.row.values.get("sponsor_leader")}
        if want_leaders:
            from keyprojects.projects.models import SponsorLeader

            leader_qs = SponsorLeader.objects.all() if self.system else leaders_assignable(self.user)
            for chunk in chunks(sorted(want_leaders)):
                for ld in leader_qs.filter(name__in=chunk).values("id", "name", "region_id"):
                    leaders[ld["name"]].append(dict(ld))
        for item in items:
            if item.dropped:
                continue
            row, v = item.row, item.row.values
            region = item.region or (item.existing["region_id"] if item.existing else None)
            # region scope: the row's region must be assignable; county/department users import
            # into their own region only (the service's whitelist: they may not set a region)
            if item.region_explicit and item.region:
                if (self.forced_region and item.region != self.forced_region) or item.region not in self.assignable:
                    self.error(row, "region_text", T.OUTSIDE_SCOPE.zh())
                    item.dropped = True
                    continue
                if item.existing is None or item.existing["region_id"] != item.region:
                    item.values["region_id"] = item.region
            elif item.existing is None:
                item.values["region_id"] = item.region
                if item.region not in self.assignable:
                    self.error(row, "region_text", T.OUTSIDE_SCOPE.zh())
                    item.dropped = True
                    continue
            # owner
            uscc_text = _text(v.get("owner_uscc"))
            owner_name = _text(v.get("owner_name"))
            if uscc_text:
                uscc, invalid = _checked_uscc(uscc_text)
                if invalid:
                    self.error(row, "owner_uscc", invalid)
                else:
                    ent = self.ent_by_uscc.get(uscc)
                    if ent is not None:
                        if ent["id"] in self.ent_reach:
                            item.values["owner_id"] = ent["id"]
                            if owner_name and name_key(owner_name) != name_key(ent["name"]):
                                self.warn(row, "owner_name", T.OWNER_NAME_DIFFERS.zh(name=ent["name"]))
                        else:
                            self.error(row, "owner_uscc", LINK_MESSAGES["owner"])
                    elif not owner_name:
                        self.error(row, "owner_name", T.OWNER_NAME_NEEDED.zh())
                    elif not self.can_register_owner:
                        self.warn(row, "owner_name", T.OWNER_NOT_REGISTERED.zh())
                    else:
                        item.new_owner = (uscc, owner_name)
            elif owner_name:
                ids = [x for x in self.ent_by_name.get(owner_name, []) if x in self.ent_reach]
                if len(ids) == 1:
                    item.values["owner_id"] = ids[0]
                elif len(ids) > 1:
                    self.warn(row, "owner_name", T.OWNER_SAME_NAMES.zh())
                else:
                    self.warn(row, "owner_name", T.OWNER_UNKNOWN.zh())
            # responsible unit (a department user's projects are always their unit's)
            unit_text = _text(v.get("responsible_unit"))
            if self.forced_unit:
                if item.existing is None:
                    item.values["responsible_unit_id"] = self.forced_unit
            elif unit_text:
                u = _nearest(units.get(name_key(unit_text), []), region, self.regions)
                if u == "ambiguous":
                    self.warn(row, "responsible_unit", T.UNIT_SAME_NAMES.zh())
                elif u is None:
                    self.warn(row, "responsible_unit", T.UNIT_UNKNOWN.zh())
                else:
                    item.values["responsible_unit_id"] = u["id"]
                    if u["kind"] == "zone" and "zone_id" not in item.values:
                        item.values["zone_id"] = u["id"]
            leader_text = _text(v.get("sponsor_leader"))
            if leader_text:
                ld = _nearest(leaders.get(_leader_name(leader_text), []), region, self.regions)
                if ld == "ambiguous":
                    self.warn(row, "sponsor_leader", T.LEADER_SAME_NAMES.zh())
                elif ld is None:
                    self.warn(row, "sponsor_leader", T.LEADER_UNKNOWN.zh())
                else:
                    item.values["sponsor_leader_id"] = ld["id"]


def _nearest(candidates: list[dict[str, Any]], region: str | None, regions: dict[str, Any]) -> Any:
    """The unit or leader nearest the project's region: same region, its city, its province."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    r = regions.get(region or "")
    for target in [r.code, r.city_code, r.province_code] if r is not None else []:
        if not target:
            continue
        hits = [c for c in candidates if c["region_id"] == target]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return "ambiguous"
    return "ambiguous"


def _loose_name(name: str) -> str:
    """A name as :func:`_loose_sql` compares it in the database."""
    return name.replace(" ", "").replace("\u3000", "").replace("(", "（").replace(")", "）")


def _loose_sql() -> Any:
    from django.db.models import F, Value
    from django.db.models.functions import Replace

    expr: Any = F("name")
    for a, b in ((" ", ""), ("\u3000", ""), ("(", "（"), (")", "）")):
        expr = Replace(expr, Value(a), Value(b))
    return expr


@functools.lru_cache(maxsize=8192)
def _checked_uscc(text: str) -> tuple[str, str]:
    """(normalised USCC, "" or the validator's message): a file repeats its owners' codes."""
    uscc = normalize_uscc(text)
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        return uscc, str(exc.messages[0])
    return uscc, ""


def _leader_name(text: str) -> str:
    """ "张三（副市长）" / "张三 副市长" → "张三"."""
    t = re.split(r"[（(\s/、,，]", str(text).strip(), maxsplit=1)[0]
    return t.strip()
