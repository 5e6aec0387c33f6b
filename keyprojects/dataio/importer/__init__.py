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
        # both lists in the order of the file: file-level first, then sheet by sheet, row by row
        order = {r.sheet: n for n, r in enumerate(self.results)}

        def where(i: Issue) -> tuple[int, int, int]:
            return (0 if i.row is None else 1, order.get(i.sheet, -1), i.row or 0)

        errors, warnings = _one_per_cell(self.errors, self.warnings)
        plan.errors = sorted(errors, key=where)
        plan.warnings = sorted(warnings, key=where)
        self.tick(PHASE_CHECK, len(rows), len(rows))
        return plan


def _one_per_cell(errors: list[Issue], warnings: list[Issue]) -> tuple[list[Issue], list[Issue]]:
    """One message per cell (issue 13): a cell with an error does not also carry a warning; of a
    cell's errors, or of its warnings, the most specific (``issue_text.specificity``: a word "kept
    as written" or a bare comparison says less than the cause or what the import did), of equally
    specific ones the first — the parser's reading of the cell comes before the importer's "不能为空"
    of the value it could not read, a row's region before its links. Per issue, not per row: a
    cell's rank is asked only when it draws a second message."""
    ranks: dict[str, int] = {}  # message → specificity (a list's messages repeat: each read once)
    dropped: set[int] = set()  # id() of the issues their cell says otherwise

    def keep(kept: dict[tuple[str, int, str], Issue], key: tuple[str, int, str], first: Issue, issue: Issue) -> None:
        for m in (first.message, issue.message):
            if m not in ranks:
                ranks[m] = T.specificity(m)
        if ranks[issue.message] > ranks[first.message]:
            kept[key] = issue
            dropped.add(id(first))
        else:
            dropped.add(id(issue))

    bad: dict[tuple[str, int, str], Issue] = {}  # cell → its error
    for e in errors:
        if e.row is not None:
            key = (e.sheet, e.row, e.column)
            first = bad.setdefault(key, e)
            if first is not e:
                keep(bad, key, first, e)
    warned: dict[tuple[str, int, str], Issue] = {}
    for w in warnings:
        if w.row is not None:
            key = (w.sheet, w.row, w.column)
            if key in bad:
                dropped.add(id(w))
                continue
            first = warned.setdefault(key, w)
            if first is not w:
                keep(warned, key, first, w)
    if not dropped:
        return errors, warnings
    return [e for e in errors if id(e) not in dropped], [w for w in warnings if id(w) not in dropped]


__all__ = ["ATTR_FIELD", "ATTR_SOURCE", "FIELD_HANDLERS", "ImportFailed", "Importer", "Plan", "Progress"]
