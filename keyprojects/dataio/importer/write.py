"""Step 4: writing the plan, inside the caller's transaction, through the one bulk write path
(``core.bulk``): every row the services would write — projects and their "created" event,
enterprises the file registers, year plans, submitted monthly reports with their submit step
and flags, later months re-derived — then the scope of every written project read back."""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.analytics.refresh import PROJECT_COLUMNS, ProjectRow, Written
from keyprojects.core.bulk import CHUNK, BulkWriter, bulk_load, chunks, insert_derived, json_text, update_many, update_versioned
from keyprojects.core.money import to_wan
from keyprojects.dispatch.warning_text import IMPORTED  # (the opinion of the submission it makes)

from .. import issue_text as T
from .plan import ATTR_FIELD, PHASE_WRITE, ImporterState, ImportFailed, Item, Plan, ReportWrite

# a new project's row as written: province, city, stage, then ATTR_FIELD's values; the refresh's
# project columns after the pk (analytics.refresh.PROJECT_COLUMNS) are picked from it in their order
_ROW = ("province_code", "city_code", "stage", *ATTR_FIELD)
_refresh_values = operator.itemgetter(*(_ROW.index(c) for c in PROJECT_COLUMNS[1:]))
_AMOUNTS = [PROJECT_COLUMNS.index(c) for c in ("invested_before", "total_investment")]


class WriteMixin(ImporterState):
    def write(self, plan: Plan) -> None:
        """Every row the services would write, in bulk; then the scope of every written project
        is read back (inside the caller's transaction)."""
        from keyprojects.dispatch.models import MonthlyReport, ReportStep
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        items = [i for i in plan.items if not i.dropped]
        new = sum(1 for i in items if i.existing is None)
        self.written = Written()  # the new projects' rows, for the refresh (not read back)
        loads = {
            Project: new,
            ProjectEvent: new,
            ProjectYear: len(plan.years_new),
            MonthlyReport: sum(1 for r in plan.reports if r.existing_id is None),
            ReportStep: len(plan.reports),
        }
        with bulk_load(loads):
            self._write_rows(plan, items)
        steps = max(1, len(items) * 2 + len(plan.reports))  # as _write_rows counts them
        self.tick(PHASE_WRITE, steps, steps)
        self._recheck_scope(items)

    def _write_rows(self, plan: Plan, items: list[Item]) -> None:
        from keyprojects.dispatch.models import MonthlyReport, ReportFlag, ReportStep
        from keyprojects.dispatch.services import period_get_or_open
        from keyprojects.enterprises.models import Enterprise
        from keyprojects.projects.choices import EventKind
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        total_steps = max(1, len(items) * 2 + len(plan.reports))
        done = 0
        actor_id = self.user.pk if self.user is not None else None
        now = self.now

        # enterprises the file registers (USCC not yet known)
        owners: dict[str, int] = {}
        new_owner_rows = {}
        for item in items:
            if item.new_owner and item.new_owner[0] not in new_owner_rows:
                new_owner_rows[item.new_owner[0]] = (
                    item.new_owner[1],
                    item.values.get("region_id") or item.region or (item.existing or {}).get("region_id"),
                )  # type: ignore[index]
        if new_owner_rows:
            ent = BulkWriter(Enterprise, ["name", "uscc", "region_id"], const={"created_at": now, "updated_at": now, "version": 1})
            for uscc, (name, region) in new_owner_rows.items():
                owners[uscc] = ent.add(name[:200], uscc, region)
            ent.flush()
        for item in items:
            if item.new_owner:
                item.values["owner_id"] = owners[item.new_owner[0]]
                item.changes["owner_id"] = owners[item.new_owner[0]]

        # new projects, then their creation event (made by the database from the rows written)
        new_items = [i for i in items if i.existing is None]
        if new_items:
            cols = ["province_code", "city_code", "stage", *ATTR_FIELD.keys()]
            pw = BulkWriter(Project, cols, const={"created_at": now, "updated_at": now, "version": 1, "created_by_id": actor_id})
            attrs = list(ATTR_FIELD)
            defaults = [self.project_fields[a].get_default() for a in attrs]
            regions = self.regions
            add = pw.add
            remember = self._remember_project
            for n, item in enumerate(new_items, 1):
                v = item.values
                reg = regions[v["region_id"]]
                row = (reg.province_code, reg.city_code or "", item.stage, *map(v.get, attrs, defaults))
                item.pk = add(*row)
                remember(item.pk, row)
                if n % CHUNK == 0:
                    pw.flush()
                    done += CHUNK
                    self.tick(PHASE_WRITE, done, total_steps)
            pw.flush()
            insert_derived(
                ProjectEvent,
                values={
                    "kind": str(EventKind.CREATED),
                    "from_stage": "",
                    "reason": "导入",
                    "actor_id": actor_id,
                    "at": now,
                    "on_date": timezone.localdate(now),
                },
                source=Project,
                columns={"project_id": "id", "to_stage": "stage"},
                ids=[i.pk for i in new_items],  # type: ignore[misc]
            )
        done = len(new_items)

        # changed projects: one UPDATE per set of changed columns, guarded by the version
        shapes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        for item in items:
            if item.existing is None:
                continue
            ch = {a: x for a, x in item.changes.items() if not a.startswith("_") and a in ATTR_FIELD}
            if not ch:
                continue
            if "region_id" in ch:
                reg = self.regions[ch["region_id"]]
                ch["province_code"], ch["city_code"] = reg.province_code, reg.city_code or ""
            key = tuple(sorted(ch))
            shapes[key].append([*(ch[a] for a in key), item.pk, item.existing["version"]])
        for key, rows in shapes.items():
            n = update_versioned(Project, key, rows, now=now)
            if n != len(rows):
                raise ImportFailed([self._issue(None, "", T.CHANGED_WHILE_IMPORTING.zh())])
        done = len(items)
        self.tick(PHASE_WRITE, done, total_steps)

        # year plans
        if plan.years_new:
            yw = BulkWriter(
                ProjectYear, ["project_id", "year", "annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature"]
            )
            as_ints: dict[tuple[bool, ...], tuple[int, ...]] = {}  # (a bool binds through the adapter lookup, an int does not)
            for item, year, amount, flags, nature in plan.years_new:
                bits = as_ints.get(flags) or as_ints.setdefault(flags, tuple(map(int, flags)))
                yw.add(item.pk, year, amount, *bits, nature)
                if item.existing is None:
                    self.written.add_year(item.pk, year, amount, flags, nature)  # type: ignore[arg-type]
            yw.flush()
        if plan.years_changed:
            update_many(
                ProjectYear,
                ["annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature"],
                [(amount, *flags, nature, pk) for pk, amount, flags, nature in plan.years_changed],
            )

        # monthly reports: submitted by the uploader (the review chain of report_submit)
        if plan.reports:
            periods = {p: period_get_or_open(year=p[0], month=p[1]) for p in {r.period for r in plan.reports}}
            chains = self._chains(plan)
            rw = BulkWriter(
                MonthlyReport,
                [
                    "project_id", "period_id", "review_levels", "pending_level", "invested_month", "invested_ytd", "invested_to_date",
                    "physical_progress", "physical_progress_pct", "workers", "problems", "no_activity", "no_activity_reason", "is_late",
                ],
                const={
                    "created_at": now, "updated_at": now, "version": 1, "status": "submitted", "review_step": 0, "submitted_at": now,
                    "submitted_by_id": actor_id,
                },
            )  # fmt: skip
            updates: list[list[Any]] = []
            written: list[tuple[ReportWrite, int]] = []
            level = getattr(self.user, "role", "") or ""
            chain_json: dict[int, str] = {}
            for r in plan.reports:
                levels = chains[(r.item.pk, r.period[0])]
                if id(levels) not in chain_json:
                    chain_json[id(levels)] = json_text(levels)
                levels_json = chain_json[id(levels)]
                per = periods[r.period]
                late = self.today > per.fill_end
                f = r.fig
                if r.existing_id is None:
                    pk = rw.add(
                        r.item.pk, per.pk, levels_json, levels[0], r.month, r.ytd, r.to_date, f.progress_text, f.pct, f.workers,
                        f.problems, 1 if f.no_activity else 0, f.no_activity_reason, 1 if late else 0,
                    )  # fmt: skip
                    written.append((r, pk))
                else:
                    updates.append(
                        [
                            "submitted", levels_json, 0, levels[0], r.month, r.ytd, r.to_date, f.progress_text, f.pct, f.workers,
                            f.problems, f.no_activity, f.no_activity_reason, now, actor_id, late, "", r.existing_id, r.existing_version,
                        ]
                    )  # fmt: skip
                    written.append((r, r.existing_id))
            rw.flush()
            if updates:
                key = (
                    "status", "review_levels", "review_step", "pending_level", "invested_month", "invested_ytd", "invested_to_date",
                    "physical_progress", "physical_progress_pct", "workers", "problems", "no_activity", "no_activity_reason",
                    "submitted_at", "submitted_by_id", "is_late", "return_opinion",
                )  # fmt: skip
                if update_versioned(MonthlyReport, key, updates, now=now) != len(updates):
                    raise ImportFailed([self._issue(None, "", T.REPORT_CHANGED_WHILE_IMPORTING.zh())])
                ReportFlag.objects.filter(report_id__in=[pk for r, pk in written if r.existing_id]).delete()
            insert_derived(
                ReportStep,
                values={"action": "submit", "level": level, "opinion": IMPORTED, "actor_id": actor_id, "at": now},
                source=MonthlyReport,
                columns={"report_id": "id"},
                ids=[pk for _r, pk in written],
            )
            flag_rows = BulkWriter(ReportFlag, ["report_id", "code", "severity", "message"])
            for r, pk in written:
                for code, severity, message in r.flags:
                    flag_rows.add(pk, code, severity, message[:300])
            flag_rows.flush()
            self._remember_reports(written, periods)
        if plan.rederive:
            update_many(MonthlyReport, ["invested_ytd", "invested_to_date"], [(ytd, to, pk) for pk, ytd, to in plan.rederive])

    def _remember_project(self, pk: int, row: tuple[Any, ...]) -> None:
        """A new project's row (province, city, stage, then ATTR_FIELD's values) as the refresh
        reads it (``analytics.refresh.ProjectRow``; amounts at 4 places)."""
        values = [pk, *_refresh_values(row)]
        for at in _AMOUNTS:  # (a default is not at 4 places)
            if values[at] is not None:
                values[at] = to_wan(values[at])
        self.written.add_project(ProjectRow._make(values))

    def _remember_reports(self, written: list[tuple[ReportWrite, int]], periods: dict[tuple[int, int], Any]) -> None:
        """The new projects' reports and their warning flags, as the refresh reads them."""
        remember = self.written
        late_in = {key: self.today > per.fill_end for key, per in periods.items()}
        for r, _pk in written:
            item = r.item
            if item.existing is not None or r.existing_id is not None:
                continue
            year, month = r.period
            remember.add_report(item.pk, year, month, "submitted", r.month, late_in[r.period], r.fig.no_activity)  # type: ignore[arg-type]
            for _code, severity, message in r.flags:
                remember.add_flag(item.pk, year, month, severity, message[:300])  # type: ignore[arg-type]

    def _chains(self, plan: Plan) -> dict[tuple[Any, int], list[str]]:
        """The review chain of each (project, year): ``review_chain_from`` (the rule of
        ``report_submit``) on the project's top list that year — from the file, else from the
        system — and whether it is a city-level project, each level staffed by someone other than
        the uploader (``staffed_chain``, four eyes); decided once per kind of project."""
        from keyprojects.dispatch.selectors import LEVEL_ORDER
        from keyprojects.dispatch.services import review_chain_from, staffed_chain
        from keyprojects.projects.models import ProjectYear

        list_flags = plan.list_flags
        flags: dict[tuple[Any, int], tuple[bool, bool, bool] | None] = {}
        for r in plan.reports:
            key = (r.item.pk, r.period[0])
            if key not in flags:
                flags[key] = list_flags.get((id(r.item), r.period[0]))
        unknown = sorted(k for k, f in flags.items() if f is None)
        for chunk in chunks(unknown):
            for y in ProjectYear.objects.filter(project_id__in={p for p, _ in chunk}, year__in={y for _, y in chunk}).values_list(
                "project_id", "year", "on_province_list", "on_city_list", "on_county_list"
            ):
                if (y[0], y[1]) in flags:
                    flags[(y[0], y[1])] = (y[2], y[3], y[4])
        config = self.config
        fillers = [self.user.pk] if self.user is not None else []
        reviewers = policy.staffed_reviewers(exclude=fillers)  # (one query, not one per kind of project)
        kinds: dict[tuple[Any, ...], list[str]] = {}
        out: dict[tuple[Any, int], list[str]] = {}
        regions = self.regions
        for r in plan.reports:
            item = r.item
            key = (item.pk, r.period[0])
            if key in out:
                continue
            code = item.values.get("region_id") or (item.existing or {}).get("region_id") or item.region
            kind = (flags[key], code)
            chain = kinds.get(kind)
            if chain is None:
                region = regions[str(code)]
                top = next((str(lvl) for lvl, on in zip(LEVEL_ORDER, flags[key] or (False, False, False), strict=True) if on), "county")
                city_level = not region.city_code or region.code == region.city_code
                chain = review_chain_from(top_level=top, city_level=city_level, config=config)
                chain = kinds[kind] = staffed_chain(  # four eyes: a level staffed by someone other than the uploader
                    chain,
                    county_code=None if city_level else region.code,
                    city_code=region.city_code or None,
                    province_code=region.province_code,
                    fillers=fillers,
                    reviewers=reviewers,
                )
            out[key] = chain
        return out

    def _recheck_scope(self, items: list[Item]) -> None:
        """reliability.md 14: every project this import touched must be editable by the user,
        read back inside the transaction; anything else rolls the whole import back."""
        from keyprojects.projects.models import Project

        if self.system:
            return
        ids = [i.pk for i in items if i.pk]
        ok: set[int] = set()
        for chunk in chunks(ids):
            ok.update(Project.objects.editable_by(self.user).filter(pk__in=chunk).values_list("pk", flat=True))
        bad = [i for i in items if i.pk not in ok]
        if bad:
            raise ImportFailed([self._issue(i.row, "region_text", T.OUT_OF_SCOPE_UNDONE.zh()) for i in bad])
