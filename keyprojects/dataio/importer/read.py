"""Step 1 of the plan: the parser's rows → items, with the values the file states mapped to the
model's vocabulary (categories, natures, industries, amounts, dates, the period's figures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from keyprojects.core.validators import PROJECT_CODE_RE, project_code_region, validate_project_code_shape

from .. import issue_text as T
from ..cells import carried_status_labels
from ..types import ParsedRow
from .plan import FIELD_HANDLERS, Figures, ImporterState, Item
from .values import _NO, _YES, COORDINATE_MESSAGES, PCT, WAN, ZERO, _coordinate, _industry_of, _levels_of, _text, _wan


class ReadMixin(ImporterState):
    def _totals(self, rows: list[ParsedRow], has_ytd: bool) -> dict[str, str | None]:
        sums = {"total_investment": ZERO, "annual_plan": ZERO, "invested_ytd": ZERO}
        seen_ytd = has_ytd
        for k in sums:
            total = ZERO
            for r in rows:
                d = r.values.get(k)
                if type(d) is Decimal:
                    total += d
                elif d is not None and d != "":
                    total += _wan(d) or ZERO
                else:
                    continue
                seen_ytd = seen_ytd or k == "invested_ytd"
            sums[k] = total
        series = [a for r in rows for _y, _m, a in r.values.get("monthly") or ()]
        if series:
            sums["invested_ytd"] += sum(series, ZERO)
            seen_ytd = True
        return {
            "total_investment": str(sums["total_investment"].quantize(WAN)),
            "annual_plan": str(sums["annual_plan"].quantize(WAN)),
            "invested_ytd": str(sums["invested_ytd"].quantize(WAN)) if seen_ytd else None,
        }

    def _series_figures(self, item: Item, row: ParsedRow, series: Any, ytd: Any) -> None:
        """One column per month ("2024年完成投资（元）" over 1月 … 6月, read by the parser into
        ((year, month, 万元), …)): each month's report, their sum the 1-N月 figure. Progress,
        problems and workers belong to the last month."""
        get = row.values.get
        last = len(series) - 1
        pct = get("physical_progress_pct")
        workers = get("workers")
        lumped = get("monthly_lumped")
        for n, (year, month, amount) in enumerate(series):
            final = n == last
            since_january = n == 0 and lumped == month  # "1-3月": the year to date at March, its month derived
            item.figures.append(
                Figures(
                    row,
                    (year, month),
                    None if since_january else amount,
                    amount if since_january else None,
                    None,
                    Decimal(pct).quantize(PCT) if final and isinstance(pct, Decimal | int) else None,
                    _text(get("physical_progress")) if final else "",
                    workers if final and isinstance(workers, int) else None,
                    _text(get("problems")) if final else "",
                )
            )
        stated = ytd if type(ytd) is Decimal else _wan(ytd) if ytd not in (None, "") else None
        total = sum((a for _y, _m, a in series), ZERO)
        if stated is not None and stated != total:
            self.warn(row, "invested_ytd", T.YTD_NOT_MONTHS.zh(total=f"{total.normalize():f}"))

    # -- rows → items ----------------------------------------------------------------------

    def _items(self, rows: list[ParsedRow], file_period: tuple[int, int] | None) -> list[Item]:
        """Rows → items with the values the file states, mapped to the model's vocabulary.
        (Only the fields a row carries are looked at: this loop runs once per row.)"""
        maps = self.maps
        items: list[Item] = []
        missing_period_reported = False
        total = len(rows)
        regions = self.regions
        check_row_region = self._row_region
        place_hits: dict[tuple[str, str], tuple[str, int | None]] = {}
        sheet_years = getattr(self, "sheet_years", {})
        sheet_periods = getattr(self, "sheet_periods", {})
        carried_labels = carried_status_labels()
        for n, row in enumerate(rows, 1):
            if n % 1000 == 0:
                self.tick_check("", "items", n, total)
            v = row.values
            get = v.get
            normalised = row.normalised
            x = get("name")
            name = x.strip() if type(x) is str else _text(x)
            if not name:
                self.error(row, "name", T.NAME_EMPTY.zh())
                continue
            values: dict[str, Any] = {"name": name}
            code = None
            x = get("project_code")
            if x:
                code = (x.strip() if type(x) is str else _text(x)).upper() or None
                if code is not None:
                    if not (normalised or PROJECT_CODE_RE.match(code)):  # (the parser checked its codes with this rule)
                        try:
                            validate_project_code_shape(code)
                        except ValidationError as exc:
                            self.error(row, "project_code", exc.messages[0])
                        code = None
                    elif code[5:11] not in regions:
                        self.error(row, "project_code", T.CODE_REGION_UNKNOWN.zh(code=project_code_region(code)))
                        code = None
                if code:
                    values["project_code"] = code
            place = get("region_text")
            region: str | None
            if (
                place is not None
                and type(place) is str
                and (hit := place_hits.get((place, row.sheet))) is not None
                and self._clues_agree(row, hit[0])
            ):  # a place already read, and the row's other clues (each read once per text) agree with it
                region, zone = hit
                explicit = True
                if zone is not None:
                    values["zone_id"] = zone
            elif (
                "region_text" in v
                or "location" in v
                or "project_code" in v
                or "responsible_unit" in v
                or "owner_name" in v
                or self._sheet_region(row.sheet)
                or self._title_region(row.sheet)
                or row.sheet in self.sheets_ambiguous
            ):
                warned = len(self.warnings)
                region, explicit = check_row_region(row, values)
                if region is not None and explicit and type(place) is str and place.strip() and len(self.warnings) == warned:
                    place_hits[(place, row.sheet)] = (region, values.get("zone_id"))  # (read by its 所属区域 without a remark)
            else:
                region, explicit = None, False
            item = Item(row, name, code, region, explicit, values)
            if type(get("project_id")) is int:
                item.project_id = v["project_id"]
            for src in v.keys() & FIELD_HANDLERS:
                x = v[src]
                if x is None or (type(x) is str and not x):  # (no Decimal == "" per cell)
                    continue
                kind = FIELD_HANDLERS[src]
                if kind == "text":
                    t = x.strip() if type(x) is str else _text(x)
                    if t:
                        values[src] = t
                elif kind == "date":
                    if isinstance(x, dt.date):
                        values[src] = x
                elif kind == "money":
                    d = x if normalised and type(x) is Decimal else _wan(x)
                    if d is not None:
                        values[src] = d
                elif src == "category":
                    cat = maps["category"](_text(x))
                    if cat is None:
                        self.error(row, "category", T.CATEGORY_INVALID.zh())
                        item.bad.add("category")
                    else:
                        values["category"] = cat
                elif src == "nature":
                    nat = maps["nature"](_text(x))
                    if nat is None:
                        self.error(row, "nature", T.NATURE_INVALID.zh())
                        item.bad.add("nature")
                    else:
                        values["nature"] = nat
                elif src == "industry":
                    found = _industry_of(_text(x))
                    if found is None:
                        self.warn(row, "industry", T.INDUSTRY_UNKNOWN.zh())
                    else:
                        values["industry_section"], values["industry_division"] = found
                elif src == "stage_text":
                    item.stage_hint = maps["stage"](_text(x))
                    if item.stage_hint is None:
                        self.warn(row, "stage_text", T.STAGE_UNKNOWN.zh())
                elif kind == "coordinate":
                    d = _coordinate(src, x)
                    if d is None:
                        self.error(row, src, COORDINATE_MESSAGES[src])
                        item.bad.add(src)
                    else:
                        values[src] = d
                elif src == "started":
                    t = _text(x).upper()
                    item.started = True if t in _YES else False if t in _NO else None
                elif src == "in_statistics":
                    t = _text(x).upper()
                    if t in _YES:
                        values["in_statistics"] = True
                    elif t in _NO:
                        values["in_statistics"] = False
                    elif not normalised:  # (the parser warns about a word it does not know)
                        self.warn(row, "in_statistics", T.IN_STATISTICS_INVALID.zh())
                elif src == "level":
                    item.levels = _levels_of(_text(x))
                    if item.levels is None:
                        self.warn(row, "level", T.LEVEL_INVALID.zh())
                elif src == "period_range":
                    if isinstance(x, tuple | list) and len(x) == 2:
                        if isinstance(x[0], dt.date):
                            values.setdefault("planned_start", x[0])
                        if isinstance(x[1], dt.date):
                            values.setdefault("planned_completion", x[1])
                elif src == "annual_plan":
                    item.plan = x if normalised and type(x) is Decimal else _wan(x)
            if "category" not in values and row.group_category:
                group = row.group_category
                cat = group if group in ("industry", "urban", "infrastructure", "social") else maps["category"](group)
                if cat:
                    values["category"] = cat
            if item.levels is None and row.group_level in ("province", "city", "county"):
                item.levels = (row.group_level == "province", row.group_level == "city", row.group_level == "county")
            year = get("year")
            if not isinstance(year, int):
                year = None
            rp = file_period if file_period is not None else sheet_periods.get(row.sheet)
            if year and isinstance(get("month"), int) and 1 <= v["month"] <= 12:
                rp = (year, v["month"])
            item.year = year or (rp[0] if rp else None) or sheet_years.get(row.sheet)
            # the period's figures (本月无进展 "是" is a figure too: an explicit zero)
            month, ytd, to_date = get("invested_month"), get("invested_ytd"), get("invested_to_date")
            no_activity = get("no_activity") == "是"
            status = get("report_status")
            if type(status) is str and status.strip() in carried_labels and (_given(ytd) or _given(to_date)):
                # the app's own 月调度 export: a 未报/草稿/已退回 row's cumulative columns are the official
                # figures carried forward (ADR 0011), not the row's report: only its 本月 can be one
                ytd = to_date = None
                said = T.CARRIED_CUMULATIVE if _given(month) or no_activity else T.CARRIED_NOTHING
                self.warn(row, "report_status", said.zh(status=status.strip()))
            reason = _text(get("no_activity_reason")) if "no_activity_reason" in v else ""
            if reason and not no_activity:
                self.warn(row, "no_activity_reason", T.REASON_WITHOUT_NO_ACTIVITY.zh())
                reason = ""
            series = get("monthly")
            if series:
                self._series_figures(item, row, series, ytd)
            elif (
                no_activity
                or (month is not None and month != "")
                or (ytd is not None and ytd != "")
                or (to_date is not None and to_date != "")
            ):
                if rp is None:
                    if not missing_period_reported:
                        self.error(None, "", T.NO_PERIOD.zh())
                        missing_period_reported = True
                else:
                    pct = get("physical_progress_pct")
                    workers = get("workers")
                    item.figures.append(
                        Figures(
                            row,
                            rp,
                            month if normalised and type(month) is Decimal else _wan(month),
                            ytd if normalised and type(ytd) is Decimal else _wan(ytd),
                            to_date if normalised and type(to_date) is Decimal else _wan(to_date),
                            Decimal(pct).quantize(PCT) if isinstance(pct, Decimal | int) else None,  # pct
                            _text(get("physical_progress")),
                            workers if isinstance(workers, int) else None,
                            _text(get("problems")),
                            no_activity,
                            reason,
                        )
                    )
            items.append(item)
        if any(i.plan is not None for i in items) and not any(i.year for i in items if i.plan is not None):
            year = self._year_from_ranges(items)
            for i in items:
                i.year = i.year or year
        return items

    def _year_from_ranges(self, items: list[Item]) -> int:
        """The annual plan's year when neither title, header, sheet name nor period names it: the
        year every project's 建设起止年限 (计划开工–计划竣工) covers — a year's list holds projects
        under way that year; of several such years the most recent not in the future. Never
        silently: the year taken is stated as a warning (the current year only when nothing tells)."""
        this_year = self.today.year
        starts, ends = [], []
        new_starts: set[int] = set()
        n_new = 0
        for i in items:
            start, finish = i.values.get("planned_start"), i.values.get("planned_completion")
            if i.plan is not None and isinstance(start, dt.date) and isinstance(finish, dt.date) and start <= finish:
                starts.append(start.year)
                ends.append(finish.year)
            if i.plan is not None and isinstance(start, dt.date) and i.values.get("nature") == "new":
                new_starts.add(start.year)  # a 新开工 project starts in the year of its list
                n_new += 1
        if starts:
            low, high = max(starts), min(ends)
            if low <= high:
                year = max(low, min(high, this_year))
                new_year = next(iter(new_starts)) if len(new_starts) == 1 else None
                if low == high:
                    said = T.PLAN_YEAR_SPAN.zh(n=len(starts), low=low, year=year)
                elif new_year is not None and low <= new_year <= high:
                    year = new_year
                    said = T.PLAN_YEAR_NEW_STARTS.zh(n=len(starts), low=low, high=high, new=n_new, start=year, year=year)
                else:
                    said = T.PLAN_YEAR_RANGE.zh(n=len(starts), low=low, high=high, year=year)
                self.warn(None, "annual_plan", said)
                return year
        self.warn(
            None,
            "annual_plan",
            T.PLAN_YEAR_GUESSED.zh(year=this_year),
        )
        return this_year


def _given(value: Any) -> bool:
    return value is not None and value != ""
