"""Step 3 of the plan: each item checked with the rules of the services — the model fields'
validators and ``Project.clean`` (without a model per row), the service's field whitelist, the
period's figures derived and checked with the submission rules on the preloaded history
(``dispatch.services.report_checks_from``), the year plans and list flags — and counted."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.base import ModelState

from keyprojects.core.bulk import chunks
from keyprojects.dispatch.rules import COUNTED
from keyprojects.projects.choices import Stage
from keyprojects.projects.services import FROZEN_DATE_MESSAGES, frozen_date_refusal, nature_is_the_projects

from .. import issue_text as T
from .plan import (
    ATTR_FIELD,
    ATTR_SOURCE,
    SAMPLE_ROWS,
    FiguresStub,
    ImporterState,
    Item,
    PeriodStub,
    Plan,
    ProjectStub,
    ReportWrite,
    Where,
)
from .values import ZERO, _fmt

BUILT = frozenset({Stage.CONSTRUCTION, Stage.COMPLETED, Stage.PRODUCTION, Stage.EFFECTIVE})  # building or built


class CheckMixin(ImporterState):
    def _validate_projects(self, items: list[Item]) -> None:
        from keyprojects.projects.models import Project

        fields = self.project_fields
        stated = set().union(*(i.values.keys() for i in items))
        not_writable = sorted(a for a in stated if ATTR_FIELD.get(a, a) not in self.writable and a != "name")
        for a in not_writable:
            if a in ("region_id", "responsible_unit_id") and self.forced_region:
                continue
            self.warn(None, ATTR_SOURCE.get(a, a), T.COLUMN_NOT_ALLOWED.zh())
        missing_category = missing_nature = 0
        total = len(items)
        allowed = {a for a in ATTR_FIELD if ATTR_FIELD[a] in self.writable}
        if self.forced_region:
            allowed |= {"region_id", "responsible_unit_id"}
        checked = {a: f for a, f in fields.items() if isinstance(f, models.CharField | models.DecimalField)}
        # the values that plainly pass (a short enough text, an amount within the digits) skip
        # the field's validators; anything else gets their message
        text_limit = {a: f.max_length or 10**9 for a, f in checked.items() if isinstance(f, models.CharField)}
        amount_limit = {
            a: Decimal(10) ** (f.max_digits - f.decimal_places)  # type: ignore[operator]
            for a, f in checked.items()
            if isinstance(f, models.DecimalField)
        }
        cleaned: dict[tuple[Any, ...], dict[str, list[str]] | None] = {}
        frozen_by_region: dict[Where, list[tuple[int, int]]] = {}  # (_frozen_dates)
        this_year = self.today.year
        for n, item in enumerate(items, 1):
            if n % 1000 == 0:
                self.tick_check("resolve", "validate", n, total)
            if item.dropped:
                continue
            row = item.row
            vals = item.values if item.values.keys() <= allowed else {a: x for a, x in item.values.items() if a in allowed}
            if item.existing is None:
                if "total_investment" not in vals and row.sheet not in self.total_sheets and item.figures:
                    # a monthly table updates projects of the registry: say how the row was looked for
                    if item.code:
                        not_found = T.NOT_FOUND_BY_CODE.zh(code=item.code)
                    else:
                        place = self.regions[item.region].name if item.region and item.region in self.regions else T.REGION_UNDECIDED
                        not_found = T.NOT_FOUND_BY_NAME.zh(name=item.name, region=place)
                    self.error(row, "project_code" if item.code else "name", not_found)
                    item.dropped = True
                    continue
                if "total_investment" not in vals:
                    self.error(row, "total_investment", T.TOTAL_EMPTY.zh())
                    item.dropped = True
                    continue
                if "category" not in vals:
                    vals["category"] = "industry"
                    missing_category += "category" not in item.bad
                if "nature" not in vals:
                    vals["nature"] = self._infer_nature(item)
                    missing_nature += "nature" not in item.bad
                vals.setdefault("invested_before", ZERO)
                merged = vals
            else:
                merged = {**item.existing, **vals}
            bad = False
            for attr, x in vals.items():
                if attr not in checked:
                    continue
                tx = type(x)
                if tx is str and len(x) <= text_limit.get(attr, -1):
                    continue
                if tx is Decimal and attr in amount_limit and x.is_finite() and ZERO <= x < amount_limit[attr]:
                    continue
                msg = _field_error(checked[attr], x)
                if msg:
                    self.error(row, ATTR_SOURCE.get(attr, attr), msg, x)
                    bad = True
            if bad:
                item.dropped = True
                continue
            # Project.clean reads only these: one call per distinct combination
            key = tuple(map(merged.get, CLEAN_INPUTS))
            if key not in cleaned:
                try:
                    _clean_project(Project, merged, self.regions)
                    cleaned[key] = None
                except ValidationError as exc:
                    cleaned[key] = exc.message_dict
            problems = cleaned[key]
            if problems is not None:
                for attr, msgs in problems.items():
                    src = ATTR_SOURCE.get(attr, attr) if attr != "__all__" else ""
                    for m in msgs:
                        self.error(row, src, m)
                item.dropped = True
                continue
            item.values = vals
            if item.existing is None:
                item.changes = vals
                item.stage = str(self._stage_for_new(item))  # (plain text, as read back; not the enum member)
            else:
                item.changes = {a: x for a, x in vals.items() if item.existing.get(a) != x}
                if "nature" in item.changes and not nature_is_the_projects(item.year, this_year=this_year):
                    del item.changes["nature"]  # another year's list: that year's nature only (_years), not the project's
                if self._frozen_dates(item, frozen_by_region):
                    item.dropped = True
                    continue
                if item.stage_hint and item.stage_hint != item.existing["stage"]:
                    self.warn(
                        row,
                        "stage_text",
                        T.STAGE_DIFFERS.zh(stage=Stage(item.existing["stage"]).label),
                    )
        if missing_category:
            self.warn(None, "category", T.NO_CATEGORY.zh(n=missing_category))
        if missing_nature:
            self.warn(None, "nature", T.NO_NATURE.zh(n=missing_nature))

    def _frozen_dates(self, item: Item, cache: dict[Where, list[tuple[int, int]]]) -> bool:
        """Whether the file moves a registered project's 实际开工/竣工日期 across the end of a month
        frozen for its region (its region before the import and, when the file moves it, after):
        the rule of ``projects.services.project_update`` (``frozen_date_refusal``), said as a row
        error at the date's column. Asked only of the projects whose dates the file changes.

        A new project's dates are not checked: it has no facts in a closed month (it did not
        exist then), so its 实际开工 inside a closed month changes no frozen month's figures."""
        from keyprojects.dispatch.selectors import frozen_months
        from keyprojects.projects.models import Project

        moved = [a for a in FROZEN_DATE_MESSAGES if a in item.changes]
        if not moved or item.existing is None:
            return False
        old = item.existing
        wheres = {Where(old["province_code"], old["city_code"] or "")}
        region = item.changes.get("region_id")
        if region in self.regions:
            wheres.add(Where(self.regions[region].province_code, self.regions[region].city_code or ""))
        for w in wheres - cache.keys():
            cache[w] = frozen_months(Project(province_code=w.province_code, city_code=w.city_code))  # (its region is all it reads)
        frozen = sorted(set().union(*(cache[w] for w in wheres)))
        refused = False
        for a in moved:
            refusal = frozen_date_refusal(a, old.get(a), item.changes[a], frozen)
            if refusal is None:
                continue
            template, values = refusal
            year, month = values.pop("month")
            self.error(item.row, ATTR_SOURCE.get(a, a), T.FROZEN_DATE[template].zh(month=f"{year}年{month}月", **values))
            refused = True
        return refused

    def _infer_nature(self, item: Item) -> str:
        f = item.figures[0] if item.figures else None
        if item.values.get("invested_before") or (f and f.to_date is not None and f.ytd is not None and f.to_date > f.ytd):
            return "continuing"
        if item.values.get("actual_start") and item.year and item.values["actual_start"].year < item.year:
            return "continuing"
        start = item.values.get("planned_start")
        if item.stage_hint in BUILT and start and item.year and start.year < item.year:
            return "continuing"  # "在建" since an earlier year
        return "new"

    def _stage_for_new(self, item: Item) -> str:
        """A new project's stage: what the file says, else 是否开工 / 实际开工 / 建设性质 / investment."""
        hint = item.stage_hint
        if hint in (Stage.SUSPENDED, Stage.CANCELLED):
            self.warn(item.row, "stage_text", T.STAGE_NEEDS_REASON.zh())
            hint = None
        if hint:
            return hint
        v = item.values
        if item.started is True or v.get("actual_start") or v.get("nature") in ("continuing", "completing"):
            return Stage.CONSTRUCTION
        for f in item.figures:
            if (f.ytd or f.month or ZERO) > 0:
                return Stage.CONSTRUCTION
        return Stage.PREPARATION if item.levels or item.plan is not None else Stage.RESERVE

    # -- monthly figures -------------------------------------------------------------

    def _figures(self, items: list[Item], plan: Plan) -> None:
        from keyprojects.dispatch.models import DispatchConfig, MonthlyReport, ReportingPeriod
        from keyprojects.dispatch.selectors import closed_region_codes, fill_window, is_frozen_in, period_openable, period_range_message
        from keyprojects.dispatch.services import report_checks_from

        live = [i for i in items if i.figures and not i.dropped]
        if not live:
            return
        wanted = {f.period for i in live for f in i.figures}
        periods = {(p.year, p.month): p for p in ReportingPeriod.objects.filter(year__in={y for y, _ in wanted})}
        closed = {p: closed_region_codes(per) for p, per in periods.items() if p in wanted}
        self.config = DispatchConfig.get()
        self.periods = periods
        self.fill_end = {}
        for p in wanted:
            if p in periods:
                self.fill_end[p] = periods[p].fill_end
            else:
                self.fill_end[p] = fill_window(p[0], p[1], self.config)[1]
        stubs = {p: PeriodStub(*p) for p in wanted}
        openable = {p: p in periods or period_openable(*p) for p in wanted}  # (asked once per month, not per row)
        # existing reports of matched projects: every month, for the cumulative figures
        history: dict[int, dict[tuple[int, int], dict[str, Any]]] = defaultdict(dict)
        ids = [i.pk for i in live if i.pk]
        for chunk in chunks(ids):
            for r in MonthlyReport.objects.filter(project_id__in=chunk).values(
                "id", "version", "project_id", "period__year", "period__month", "status", "invested_month", "invested_ytd",
                "invested_to_date",
            ):  # fmt: skip
                history[r["project_id"]][(r["period__year"], r["period__month"])] = dict(r)
        lumped = 0
        total = len(live)
        frozen_cache: dict[tuple[Any, ...], bool] = {}
        regions = self.regions
        for n, item in enumerate(live, 1):
            if n % 1000 == 0:
                self.tick_check("validate", "figures", n, total)
            existing = history.get(item.pk or 0, {}) if history else {}
            # what counts before an imported month: counted reports only (dispatch.rules, ADR 0011)
            counted = {p: r for p, r in existing.items() if r["status"] in COUNTED} if existing else {}
            months: dict[tuple[int, int], Decimal] = {p: r["invested_month"] for p, r in counted.items()}
            ytds: dict[tuple[int, int], Decimal] = {p: r["invested_ytd"] for p, r in counted.items()}
            vget = item.values.get
            old_row = item.existing
            before = vget("invested_before", old_row["invested_before"] if old_row else ZERO) or ZERO
            figs = item.figures if len(item.figures) == 1 else sorted(item.figures, key=lambda f: f.period)
            f0 = figs[0]
            if not existing and f0.to_date is not None and item.row.values.get("invested_before") is None and not before:
                # nothing reported yet: 开工至今累计 minus this year's states the investment before tracking
                base = f0.ytd if f0.ytd is not None else (f0.month or ZERO)
                guess = f0.to_date - base
                if guess < 0:
                    self.error(
                        f0.row, "invested_to_date", T.TO_DATE_BELOW_YTD.zh(to_date=_fmt(f0.to_date), month=f0.period[1], ytd=_fmt(base))
                    )
                    continue
                if guess and "invested_before" in self.writable:
                    before = guess
                    item.values["invested_before"] = guess
                    item.changes["invested_before"] = guess
            if old_row:
                stage = old_row["stage"]
                actual_start = vget("actual_start", old_row.get("actual_start"))
                actual_completion = vget("actual_completion", old_row.get("actual_completion"))
                total_inv = vget("total_investment", old_row.get("total_investment"))
                region = vget("region_id") or old_row["region_id"]
            else:
                stage = item.stage
                actual_start, actual_completion, total_inv = vget("actual_start"), vget("actual_completion"), vget("total_investment")
                region = vget("region_id") or item.region
            info = regions[region if type(region) is str else str(region)]
            project = ProjectStub(total_inv, stage, actual_start, actual_completion)
            ok = True
            for f in figs:
                p = f.period
                if not openable[p]:  # the month cannot be opened (dispatch.services)
                    self.error(f.row, "month", period_range_message())
                    ok = False
                    continue
                fkey = (p, info.province_code, info.city_code)
                frozen = frozen_cache.get(fkey)
                if frozen is None:
                    per = periods.get(p)
                    where = Where(info.province_code, info.city_code or "")
                    frozen = frozen_cache[fkey] = per is not None and is_frozen_in(per, where, closed[p])  # type: ignore[arg-type]
                if months:
                    ytd_before = sum((m for q, m in months.items() if q[0] == p[0] and q < p), ZERO)
                    total_before = sum((m for q, m in months.items() if q < p), ZERO)
                else:
                    ytd_before = total_before = ZERO
                month: Decimal | None
                if f.ytd is not None:
                    month = f.ytd - ytd_before
                    if month < 0:
                        self.error(f.row, "invested_ytd", T.YTD_BELOW_BEFORE.zh(month=p[1], ytd=_fmt(f.ytd), before=_fmt(ytd_before)))
                        ok = False
                        continue
                    if f.month is not None and f.month != month:
                        if ytd_before == 0 and not any(q[0] == p[0] and q < p for q in months):
                            lumped += 1
                        else:
                            self.warn(
                                f.row,
                                "invested_month",
                                T.MONTH_NOT_YTD.zh(month=p[1], amount=_fmt(month)),
                            )
                elif f.month is not None:
                    month = f.month
                else:
                    month = ZERO if f.no_activity else None
                if month is None:
                    continue
                if month < 0:
                    self.error(f.row, "invested_month", T.MONTH_NEGATIVE.zh())
                    ok = False
                    continue
                if f.no_activity:  # the rules of dispatch.services.report_save
                    if month:
                        self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", T.NO_ACTIVITY_NOT_ZERO.zh())
                        ok = False
                        continue
                    if not f.no_activity_reason:
                        self.error(f.row, "no_activity_reason", T.NO_ACTIVITY_REASON.zh())
                        ok = False
                        continue
                    if len(f.no_activity_reason) > 200:
                        self.error(f.row, "no_activity_reason", T.NO_ACTIVITY_REASON_LONG.zh())
                        ok = False
                        continue
                ytd = ytd_before + month
                to_date = before + total_before + month
                if f.to_date is not None and f.to_date != to_date:
                    self.warn(f.row, "invested_to_date", T.TO_DATE_DIFFERS.zh(amount=_fmt(to_date)))
                if f.pct is not None and not (0 <= f.pct <= 100):
                    self.error(f.row, "physical_progress_pct", T.PCT_RANGE.zh())
                    ok = False
                    continue
                if f.workers is not None and f.workers < 0:
                    self.error(f.row, "workers", T.WORKERS_NEGATIVE.zh())
                    ok = False
                    continue
                old = existing.get(p)
                if old is not None and old["status"] not in ("draft", "returned"):
                    same = old["invested_month"] == month
                    if not same:
                        from keyprojects.dispatch.choices import ReportStatus

                        label = ReportStatus(old["status"]).label
                        self.error(
                            f.row,
                            "invested_ytd" if f.ytd is not None else "invested_month",
                            T.REPORT_LOCKED.zh(period=f"{p[0]}年{p[1]}月", status=label),
                        )
                        ok = False
                    months[p] = old["invested_month"]
                    continue
                if frozen:
                    closed = T.PERIOD_CLOSED.zh(period=f"{p[0]}年{p[1]}月")
                    self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", closed)
                    ok = False
                    continue
                # the submission checks: the rule of report_submit, on the history preloaded above
                if months:
                    prev_same_year = max((q for q in ytds if q[0] == p[0] and q < p), default=None)
                    prev_months = [months[q] for q in sorted((q for q in months if q < p), reverse=True) if months[q] > 0][:6]
                else:
                    prev_same_year, prev_months = None, []
                checks = report_checks_from(
                    report=FiguresStub(month, ytd, to_date, f.pct, bool(f.no_activity)),
                    period=stubs[p],
                    project=project,
                    prev_ytd=ytds.get(prev_same_year) if prev_same_year else None,
                    history=prev_months,
                    config=self.config,
                )
                errs = [c for c in checks if c[1] == "error"]
                for _code, _sev, msg in errs:
                    self.error(f.row, "invested_ytd" if f.ytd is not None else "invested_month", msg)
                if errs:
                    ok = False
                    continue
                for _code, _sev, msg in checks:
                    self.warn(f.row, "invested_ytd" if f.ytd is not None else "invested_month", msg)
                months[p] = month
                ytds[p] = ytd
                plan.reports.append(
                    ReportWrite(item, f, p, month, ytd, to_date, old["id"] if old else None, old["version"] if old else None, checks)
                )
            if not ok or not existing:
                continue
            # later months already in the system move with the imported ones
            imported = {f.period for f in figs}
            first = min(imported)
            for q in sorted(p for p in existing if p > first and p not in imported):
                old = existing[q]
                # the figures a later report states: the counted months before it plus its own (rules.derive)
                own = old["invested_month"]
                ytd_q = sum((m for r, m in months.items() if r[0] == q[0] and r < q), ZERO) + own
                to_q = before + sum((m for r, m in months.items() if r < q), ZERO) + own
                if old["invested_ytd"] != ytd_q or old["invested_to_date"] != to_q:
                    plan.rederive.append((old["id"], ytd_q, to_q))
        if lumped:
            self.warn(
                None,
                "invested_month",
                T.LUMPED.zh(n=lumped),
            )

    # -- year plans ------------------------------------------------------------------

    def _years(self, items: list[Item], plan: Plan) -> None:
        from keyprojects.projects.models import ProjectYear

        this_year = self.today.year
        # the items with a year row to write: a plan, lists or figures of the year, or (a project
        # of the registry) the nature of another year than the current one — that year's only
        live = [
            i
            for i in items
            if not i.dropped
            and (
                i.plan is not None
                or i.levels
                or i.figures
                or (i.existing is not None and i.year and "nature" in i.values and not nature_is_the_projects(i.year, this_year=this_year))
            )
        ]
        existing: dict[tuple[int, int], dict[str, Any]] = {}
        ids = [i.pk for i in live if i.pk]
        years = {i.year for i in live if i.year}
        for chunk in chunks(ids):
            for y in ProjectYear.objects.filter(project_id__in=chunk, year__in=years).values():
                existing[(y["project_id"], y["year"])] = dict(y)
        default_levels = (self.user_level == "province", self.user_level == "city", self.user_level == "county")
        self.top_levels: dict[int, tuple[bool, bool, bool]] = {}
        for item in live:
            if not item.year:
                continue
            levels = item.levels
            if item.plan is not None and item.plan < 0:
                self.error(item.row, "annual_plan", T.PLAN_NEGATIVE.zh())
                continue
            total = item.values.get("total_investment", item.existing.get("total_investment") if item.existing else None)
            if item.plan is not None and total is not None and item.plan > total:
                self.warn(item.row, "annual_plan", T.PLAN_ABOVE_TOTAL.zh(total=_fmt(total)))
            # the year's 建设性质: the file's (a new project's inferred one too); the current
            # year's row states the project's (services.sync_current_nature); another year's
            # row keeps its own when the file states none
            nature = item.values.get("nature") or ""
            if not nature and item.existing is not None and nature_is_the_projects(item.year, this_year=this_year):
                nature = item.existing["nature"]
            old = existing.get((item.pk, item.year)) if item.pk else None
            if old is None:
                flags = levels or (default_levels if any(default_levels) else self._level_of_region(item))
                plan.years_new.append((item, item.year, item.plan if item.plan is not None else ZERO, flags, nature))
                plan.list_flags[(id(item), item.year)] = flags
            else:
                flags = (old["on_province_list"], old["on_city_list"], old["on_county_list"])
                if levels:
                    flags = (flags[0] or levels[0], flags[1] or levels[1], flags[2] or levels[2])
                plan.list_flags[(id(item), item.year)] = flags
                new_plan = item.plan if item.plan is not None else old["annual_plan"]
                nature = nature or old["nature"]
                if (
                    new_plan != old["annual_plan"]
                    or flags != (old["on_province_list"], old["on_city_list"], old["on_county_list"])
                    or nature != old["nature"]
                ):
                    plan.years_changed.append((old["id"], new_plan, flags, nature))
                    item.changes.setdefault("_year", True)

    def _level_of_region(self, item: Item) -> tuple[bool, bool, bool]:
        region = item.values.get("region_id") or item.region
        level = self.regions[region].level if region in self.regions else "county"
        return (False, level == "city", level == "county")

    # -- counts ----------------------------------------------------------------------

    def _count(self, items: list[Item], plan: Plan) -> None:
        reported = {id(r.item) for r in plan.reports}
        new_owners = {i.new_owner[0] for i in items if i.new_owner and not i.dropped}
        plan.enterprises_created = len(new_owners)
        for item in items:
            if item.dropped:
                continue
            if item.existing is None:
                plan.created += 1
                item.action = "新增"
            elif item.changes or id(item) in reported or item.new_owner:
                plan.updated += 1
                item.action = "更新"
            else:
                plan.unchanged += 1
                item.action = "无变化"
        plan.reports_created = sum(1 for r in plan.reports if r.existing_id is None)
        plan.reports_updated = sum(1 for r in plan.reports if r.existing_id is not None)

    def _sample(self, items: list[Item]) -> list[dict[str, Any]]:
        out = []
        for item in items[:SAMPLE_ROWS]:
            if item.dropped:
                continue
            region = item.values.get("region_id") or (item.existing["region_id"] if item.existing else item.region)
            f = item.figures[0] if item.figures else None
            out.append(
                {
                    "sheet": item.row.sheet,
                    "row": item.row.row,
                    "name": item.name,
                    "code": item.code or "",
                    "region": self.regions[region].name if region in self.regions else "",
                    "action": item.action,
                    "total_investment": str(item.values.get("total_investment", "")),
                    "annual_plan": "" if item.plan is None else str(item.plan),
                    "invested_ytd": "" if f is None or f.ytd is None else str(f.ytd),
                }
            )
        return out


def _field_error(f: models.Field[Any, Any] | None, value: Any) -> str | None:
    """The model field's own validation (max_length, decimal digits, ≥ 0), with a fast path
    for values that plainly pass; the Django validators produce the message otherwise."""
    if f is None or value is None:
        return None
    if isinstance(f, models.CharField):
        if isinstance(value, str) and len(value) <= (f.max_length or 10**9):
            return None
    elif isinstance(f, models.DecimalField):
        if isinstance(value, Decimal) and value.is_finite() and 0 <= value < Decimal(10) ** (f.max_digits - f.decimal_places):  # type: ignore[operator]
            return None
    elif isinstance(f, models.DateField | models.ForeignKey | models.BooleanField):
        return None
    try:
        f.clean(value, None)
    except ValidationError as exc:
        return "；".join(str(m) for m in exc.messages)
    return None


# What ``_clean_project`` hands to ``Project.clean`` (the project code and zone are checked elsewhere).
CLEAN_INPUTS = (
    "industry_section", "industry_division", "planned_start", "planned_completion", "actual_start", "actual_completion", "region_id",
)  # fmt: skip


def _clean_project(model: type[models.Model], values: dict[str, Any], regions: dict[str, Any]) -> None:
    """``Project.clean()`` on a lightweight instance: the model's cross-field rules (dates in
    order, industry division within its section, a region below the province) without a
    model ``__init__`` per row. The project-code rule (shape, region exists) was checked with
    the same validators while reading the row, so ``clean`` is spared its query."""
    obj = model.__new__(model)
    obj._state = ModelState()
    d = obj.__dict__
    d.update(dict.fromkeys(("industry_section", "industry_division"), ""))
    d.update(dict.fromkeys(("planned_start", "planned_completion", "actual_start", "actual_completion", "zone_id", "region_id")))
    d.update({k: values[k] for k in CLEAN_INPUTS if k in values})
    d["project_code"] = None
    region = regions.get(values.get("region_id") or "")
    if region is not None:
        obj._state.fields_cache["region"] = region
    else:
        d["region_id"] = None
    d["zone_id"] = None  # zones come only from zone units
    obj.clean()  # type: ignore[attr-defined]
