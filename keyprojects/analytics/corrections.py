"""Corrections after close (已更正): which approved corrections changed a closed month's figures.

A correction approved after a month was closed (``ReportRevision.after_close``) goes through the
one refresh action into the frozen facts and summaries (``refresh.refresh_after(correction=True)``),
so the board, rankings, assessment and bulletin agree on the corrected figure. This selector
names those corrections for a month and a region, once, for every page that shows the
已更正 note and list: who asked, who approved, when, before → after, why. A correction of an
earlier month of the same year changes the month's 1-N月累计 too, so it is listed as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Correction:
    pk: int
    project_id: int
    project_name: str
    region_name: str
    period_label: str  # the month corrected (YYYY-MM)
    period_name: str  # the month corrected (2026年11月, as the bulletin says it)
    period: Any  # the month corrected (the ReportingPeriod): pages show it with ``|yearmonth``
    requested_by: str
    decided_by: str
    decided_at: Any
    reason: str
    opinion: str
    changes: list[Change]

    @property
    def summary(self) -> str:
        """One line: 项目 · 月份 · 字段 before → after."""
        parts = "；".join(f"{c.label} {c.before} → {c.after}" for c in self.changes)
        return f"{self.project_name}（{self.period_name}）{parts}"


def _name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()  # type: ignore[no-any-return]


MONEY_FIELDS = frozenset({"invested_month"})  # 万元 (core.money formats them: separators, 2 places)


def change_value(value: Any, field: str = "") -> str:
    """A changed value in the active language (the bulletin asks in Chinese): 1,234.00万元 /
    1,234.00 (10k CNY), 是 / Yes. The one way a correction's before and after are shown (the
    report page's list of corrections, the 已更正 lists, the bulletin)."""
    from keyprojects.core.money import format_wan

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if field in MONEY_FIELDS:
        return gettext("%(amount)s万元") % {"amount": format_wan(value)}
    return str(value)


def change_label(name: str) -> str:
    from keyprojects.dispatch.models import MonthlyReport

    try:
        return str(MonthlyReport._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a key that is no longer a field is shown as stored
        return name


def _root_q(region: Any) -> Q:
    if region is None:
        return Q()
    if region.level == "province":
        return Q(report__project__province_code=region.code)
    if region.level == "city":
        return Q(report__project__city_code=region.code)
    return Q(report__project__region_id=region.code)


def close_time(*, period: Any, region: Any) -> Any:
    """When ``period`` was first closed for ``region`` (its province, its city or itself), or None."""
    from keyprojects.dispatch.models import PeriodClosure

    if period is None or getattr(period, "pk", None) is None:
        return None
    if region is None:
        first = PeriodClosure.objects.filter(period=period).order_by("closed_at").first()
    else:
        codes = {region.code, getattr(region, "city_code", ""), region.province_code} - {""}
        first = PeriodClosure.objects.filter(period=period, region_id__in=codes).order_by("closed_at").first()
    if first is not None:
        return first.closed_at
    return period.closed_at if period.status == "closed" else None


def corrections_for(*, period: Any, region: Any = None, user: Any = None) -> list[Correction]:
    """Approved corrections that changed ``period``'s frozen figures within ``region`` (default:
    everywhere; ``user``: only reports the user may see): of that month or an earlier one of
    the same year, approved after the month was closed for the region. Oldest first."""
    from keyprojects.dispatch.models import MonthlyReport, ReportRevision

    closed = close_time(period=period, region=region)
    if closed is None:
        return []
    qs = ReportRevision.objects.filter(
        _root_q(region),
        status="approved",
        after_close=True,
        decided_at__gte=closed,
        report__period__year=period.year,
        report__period__month__lte=period.month,
    )
    if user is not None:
        qs = qs.filter(report__in=MonthlyReport.objects.visible_to(user).values("pk"))
    out = []
    for r in qs.select_related("report__project__region", "report__period", "requested_by", "decided_by").order_by("decided_at", "pk"):
        changes = [Change(k, change_label(k), change_value(r.old_values.get(k), k), change_value(v, k)) for k, v in r.new_values.items()]
        out.append(
            Correction(
                pk=r.pk,
                project_id=r.report.project_id,
                project_name=r.report.project.name,
                region_name=r.report.project.region.name,
                period_label=r.report.period.label,
                period_name=str(r.report.period),
                period=r.report.period,
                requested_by=_name(r.requested_by),
                decided_by=_name(r.decided_by),
                decided_at=r.decided_at,
                reason=r.reason,
                opinion=r.decision_opinion,
                changes=changes,
            )
        )
    return out


def corrections_context(*, period: Any, region: Any, user: Any = None) -> dict[str, Any]:
    """What a page showing ``period``'s figures for ``region`` adds for the 已更正 note
    (``templates/analytics/includes/corrections.html``): the corrections and, when there are
    any, the links to the snapshots taken at the close (the original figures)."""
    from django.urls import reverse
    from django.utils import timezone

    from keyprojects.dispatch.selectors_close import closures_for

    if period is None or region is None:
        return {"corrections": [], "snapshot_links": []}
    corrections = corrections_for(period=period, region=region, user=user)
    links = []
    if corrections:
        for c in closures_for(period=period, region=region):
            if c.has_snapshot:
                url = reverse("dispatch:closure_snapshot", kwargs={"period": period.label, "pk": c.pk})
                when = f"{timezone.localtime(c.closed_at):%Y-%m-%d %H:%M}"
                links.append({"url": url, "label": gettext("%(region)s关账快照（%(when)s）") % {"region": c.region.name, "when": when}})
    return {"corrections": corrections, "snapshot_links": links}
