"""The importer behind ``dataio.services.import_file``, in the order it works:

* ``values``  — a cell's words and amounts as the model has them;
* ``read``    — the parser's rows → items (one per project of the file) with their figures;
* ``resolve`` — scope, regions, the project each item names, owners, units and leaders, in a
  handful of set queries;
* ``check``   — the services' rules (field validators, ``Project.clean``, the whitelist, the
  submission checks on preloaded history, year plans) and the counts;
* ``write``   — the plan written through ``core.bulk`` inside the caller's transaction.

``plan`` holds the data the steps share. :class:`Importer` puts the steps together.
"""

from __future__ import annotations

from .. import issue_text as T
from ..types import Issue, ParsedRow
from .check import CheckMixin
from .plan import ATTR_FIELD, ATTR_SOURCE, FIELD_HANDLERS, PHASE_CHECK, ImportFailed, Plan, Progress
from .read import ReadMixin
from .resolve import ResolveMixin
from .write import WriteMixin


class Importer(ReadMixin, ResolveMixin, CheckMixin, WriteMixin):
    """One import: :meth:`plan` reads, resolves and checks everything without writing;
    :meth:`~keyprojects.dataio.importer.write.WriteMixin.write` writes a plan without errors."""

    def plan(self) -> Plan:
        plan = Plan()
        rows: list[ParsedRow] = []
        periods: set[tuple[int, int]] = set()
        has_ytd = False
        for res in self.results:
            self.errors.extend(res.errors)
            self.warnings.extend(res.warnings)
            rows.extend(res.rows)
            if res.period:
                periods.add(tuple(res.period))  # type: ignore[arg-type]
            if "invested_ytd" in res.columns:
                has_ytd = True
        plan.rows = self.check_rows = len(rows)
        self.tick(PHASE_CHECK, 0, len(rows))  # the phases start and end even for a short file
        file_period = self.period or (next(iter(periods)) if len(periods) == 1 else None)
        if self.period is None and len(periods) > 1:
            self.warn(None, "", T.PERIODS_DIFFER.zh(periods=T.LIST_SEPARATOR.join(f"{y}-{m:02d}" for y, m in sorted(periods))))
        plan.period = file_period
        plan.totals = self._totals(rows, has_ytd)
        if not rows:
            if not self.errors:
                self.error(None, "", T.NO_ROWS.zh())
            plan.errors, plan.warnings = self.errors, self.warnings
            return plan
        self._load_scope()
        self.total_sheets = {res.sheet for res in self.results if "total_investment" in res.columns}
        self.sheet_years = {res.sheet: res.plan_year for res in self.results if res.plan_year}
        # a workbook of one sheet per month ("8月", "9月"): each sheet's rows are its own month's
        self.sheet_periods = {res.sheet: tuple(res.period) for res in self.results if res.period}
        items = self._items(rows, file_period)
        self.tick_check("", "items")
        self._lookup(items)
        self._match(items)
        self._resolve_links(items)
        self.tick_check("", "resolve")
        self._validate_projects(items)
        self.tick_check("", "validate")
        self._figures(items, plan)
        self.tick_check("", "figures")
        self._years(items, plan)
        self._count(items, plan)
        self.tick_check("", "years")
        plan.items = items
        plan.sample = self._sample(items)
        # a cell with an error does not also carry a warning (the parser may have warned first);
        # both lists in the order of the file: file-level first, then sheet by sheet, row by row
        bad_cells = {(i.sheet, i.row, i.column) for i in self.errors if i.row is not None}
        order = {r.sheet: n for n, r in enumerate(self.results)}

        def where(i: Issue) -> tuple[int, int, int]:
            return (0 if i.row is None else 1, order.get(i.sheet, -1), i.row or 0)

        # one message per cell: the first is the most specific (the parser's reading of the cell
        # comes before the importer's "不能为空" of the value it could not read)
        seen_cells: set[tuple[str, int, str]] = set()
        errors: list[Issue] = []
        for e in self.errors:
            if e.row is not None:
                key = (e.sheet, e.row, e.column)
                if key in seen_cells:
                    continue
                seen_cells.add(key)
            errors.append(e)
        plan.errors = sorted(errors, key=where)
        plan.warnings = sorted((w for w in self.warnings if (w.sheet, w.row, w.column) not in bad_cells), key=where)
        self.tick(PHASE_CHECK, len(rows), len(rows))
        return plan


__all__ = ["ATTR_FIELD", "ATTR_SOURCE", "FIELD_HANDLERS", "ImportFailed", "Importer", "Plan", "Progress"]
