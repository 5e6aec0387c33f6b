"""The close checklist (关账检查清单): what is still open in a region's month, once.

One selector, :func:`close_checklist`, counts per county and city what a closer must see before
关账 — 未报 (drafts included: a draft never counts, ``rules.COUNTED``), waiting at each review
level, 数据存疑 not acknowledged, returned and not resubmitted. The board's close page, the close
service (which refuses an unconfirmed close with anything open and stores the checklist with
the closure) and the API all call it; :func:`checklist_items` gives the rows behind one count,
with the same conditions, for the linked lists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.projects.models import Project, ProjectYear
from keyprojects.regions.models import Region

from . import rules
from .choices import FlagSeverity, ReportStatus
from .models import MonthlyReport, ReportFlag, ReportingPeriod
from .selectors import due_at_end

# The checklist's items, in the order shown: key → Chinese label. ``waiting_<level>`` per review level.
ITEMS: dict[str, Any] = {
    "missing": _("未报"),
    "drafts": _("其中草稿未提交"),
    "waiting_county": _("待县级审核"),
    "waiting_city": _("待市级审核"),
    "waiting_province": _("待省级审核"),
    "doubtful": _("数据存疑未确认"),
    "returned": _("已退回未重报"),
}
OPEN_ITEMS = ("missing", "waiting_county", "waiting_city", "waiting_province", "doubtful", "returned")  # "drafts" is inside "missing"


@dataclass
class ChecklistRow:
    code: str
    name: str
    level: str
    due: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEMS, 0))
    children: list[ChecklistRow] = field(default_factory=list)
    closed: bool = False  # a city that closed the month itself: shown, not counted again

    @property
    def open(self) -> int:
        return sum(self.counts[k] for k in OPEN_ITEMS)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(item, count) in the order of the table's columns (:data:`OPEN_ITEMS`)."""
        return [(k, self.counts[k]) for k in OPEN_ITEMS]

    def add(self, other: ChecklistRow) -> None:
        self.due += other.due
        for k, v in other.counts.items():
            self.counts[k] += v

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "due": self.due,
            "open": self.open,
            "closed": self.closed,
            **self.counts,
            "children": [c.as_json() for c in self.children],
        }


@dataclass
class Checklist:
    period: str
    region: str
    region_name: str
    rows: list[ChecklistRow]
    total: ChecklistRow

    @property
    def open(self) -> int:
        return self.total.open

    def as_json(self) -> dict[str, Any]:
        """What the closure stores (and the API returns): labels, rows with their children, total."""
        return {
            "period": self.period,
            "region": self.region,
            "region_name": self.region_name,
            "labels": {k: str(v) for k, v in ITEMS.items()},
            "open": self.open,
            "rows": [r.as_json() for r in self.rows],
            "total": self.total.as_json(),
        }


def _scope_q(region: Region, prefix: str = "") -> Q:
    if region.level == "province":
        return Q(**{f"{prefix}province_code": region.code})
    if region.level == "city":
        return Q(**{f"{prefix}city_code": region.code})
    return Q(**{f"{prefix}region_id": region.code})


def due_in(period: ReportingPeriod, region: Region) -> QuerySet[Project]:
    """Projects of ``region`` that must report for ``period`` (on a list that year, in a reporting
    stage at the month's end): ``selectors.due_projects`` without a join that needs DISTINCT, for grouping."""
    listed = ProjectYear.objects.filter(project=OuterRef("pk"), year=period.year)
    return Project.objects.filter(_scope_q(region)).filter(due_at_end(period)).filter(Exists(listed))


def _unacked() -> Exists:
    return Exists(ReportFlag.objects.filter(report=OuterRef("pk"), severity=FlagSeverity.WARNING, acknowledged_at__isnull=True))


def _item_q(item: str) -> Q:
    """The reports behind an item (``missing`` is about projects, see :func:`checklist_items`)."""
    if item.startswith("waiting_"):
        return Q(status=ReportStatus.SUBMITTED, pending_level=item.removeprefix("waiting_"))
    if item == "returned":
        return Q(status=ReportStatus.RETURNED)
    if item == "doubtful":
        return Q(status=ReportStatus.SUBMITTED, unacked=True)
    if item == "drafts":
        return Q(status=ReportStatus.DRAFT)
    raise KeyError(item)


def _reports(period: ReportingPeriod, region: Region) -> QuerySet[MonthlyReport]:
    if period.pk is None:
        return MonthlyReport.objects.none()
    due = due_in(period, region)
    return MonthlyReport.objects.filter(period=period, project__in=due.values("pk")).annotate(unacked=_unacked())


def checklist_items(*, period: ReportingPeriod, region: Region, item: str) -> QuerySet[Project]:
    """The projects behind one count of :func:`close_checklist` for ``region`` (a county, a city
    or the province): ``missing`` = due projects without a counted or returned report (drafts
    included), else the projects whose report is in that state."""
    due = due_in(period, region)
    if item == "missing":
        if period.pk is None:
            return due
        settled = MonthlyReport.objects.filter(period=period, status__in=[*rules.COUNTED, ReportStatus.RETURNED]).values("project_id")
        return due.exclude(pk__in=settled)
    if item not in ITEMS:
        raise KeyError(item)
    return due.filter(pk__in=_reports(period, region).filter(_item_q(item)).values("project_id"))


def close_checklist(*, period: ReportingPeriod, region: Region) -> Checklist:
    """What is open in ``region``'s month: a row per city (each with its counties) for the
    province, a row per county for a city (市本级/省本级 projects in their own row), and a total.
    A city that already closed the month is shown (``closed``) but not counted in the total: its
    items were listed and confirmed at its own close and can no longer change. A handful of
    grouped queries, whatever the number of projects."""
    due_by = dict(due_in(period, region).order_by().values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ITEMS, 0))
    reports = _reports(period, region).order_by()
    for code, status, level, unacked, n in (
        reports.values("project__region_id", "status", "pending_level", "unacked")
        .annotate(n=Count("id"))
        .values_list("project__region_id", "status", "pending_level", "unacked", "n")
    ):
        c = counts[code]
        if status == ReportStatus.SUBMITTED:
            if f"waiting_{level}" in c:
                c[f"waiting_{level}"] += n
            if unacked:
                c["doubtful"] += n
        elif status == ReportStatus.RETURNED:
            c["returned"] += n
        elif status == ReportStatus.DRAFT:
            c["drafts"] += n
        c["settled"] = c.get("settled", 0) + (n if status in rules.COUNTED or status == ReportStatus.RETURNED else 0)
    codes = set(due_by) | set(counts)
    regions = {r.code: r for r in Region.objects.filter(code__in=codes | {region.code})}

    def leaf(code: str) -> ChecklistRow:
        r = regions.get(code)
        row = ChecklistRow(code=code, name=r.name if r else code, level=r.level if r else "county", due=due_by.get(code, 0))
        c = counts.get(code, {})
        row.counts.update({k: c.get(k, 0) for k in ITEMS})
        row.counts["missing"] = row.due - c.get("settled", 0)
        return row

    leaves = {code: leaf(code) for code in codes}
    if region.level == "province":
        cities = {r.code: r for r in Region.objects.filter(province_code=region.code, level="city")}
        rows: dict[str, ChecklistRow] = {}
        for code, lf in sorted(leaves.items()):
            r = regions.get(code)
            city = (r.city_code or "") if r else ""
            if r is not None and r.level == "city":
                city = r.code
            if city in cities:
                parent = rows.setdefault(city, ChecklistRow(code=city, name=cities[city].name, level="city"))
                if code == city:
                    lf.name = gettext("%(name)s（市本级）") % {"name": cities[city].name}
                parent.children.append(lf)
                parent.add(lf)
            else:  # province-level projects
                lf.name = f"{region.name}（省本级）"
                rows[code] = lf
        ordered = [rows[k] for k in sorted(rows)]
        from .selectors import closed_region_codes

        closed = closed_region_codes(period)
        for r in ordered:
            r.closed = r.code in closed and r.level == "city"
    else:
        ordered = [leaves[k] for k in sorted(leaves)]
        for lf in ordered:
            if lf.code == region.code and region.level == "city":
                lf.name = gettext("%(name)s（市本级）") % {"name": region.name}
    total = ChecklistRow(code=region.code, name=region.name, level=region.level)
    for r in ordered:
        if not r.closed:  # a closed city's items were confirmed at its own close and are frozen
            total.add(r)
    return Checklist(period=period.label, region=region.code, region_name=region.name, rows=ordered, total=total)


def closures_for(*, period: ReportingPeriod, region: Region) -> list[Any]:
    """The closures that froze ``region``'s month (its province's, its city's or its own), oldest
    first, without their snapshot's bytes (``has_snapshot`` tells whether one was stored)."""
    from .models import PeriodClosure

    if period.pk is None:
        return []
    codes = {region.code, region.city_code, region.province_code} - {""}
    qs = PeriodClosure.objects.filter(period=period, region_id__in=codes)
    with_snapshot = set(qs.filter(frozen_figures__isnull=False).values_list("pk", flat=True))
    out = list(qs.defer("frozen_figures").select_related("region", "closed_by").order_by("closed_at"))
    for c in out:
        c.has_snapshot = c.pk in with_snapshot
    return out


CONFIRM_WORD = "确认关账"


def confirmation_ok(*, period: ReportingPeriod, typed: str | None) -> bool:
    """A close with open items needs the period (e.g. "2026-11") or 确认关账 typed out."""
    return (typed or "").strip() in (period.label, CONFIRM_WORD)
