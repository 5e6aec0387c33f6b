"""Reads of 政企服务 (issue 15). Every count of working days goes through
:mod:`keyprojects.core.workdays`; every row through ``visible_to``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.analytics import metrics
from keyprojects.core.workdays import WorkCalendar

from .choices import ANSWERED_STATUSES, OPEN_STATUSES, SATISFIED_RATINGS, RequestStatus
from .models import EnterpriseRequest, Meeting, RequestAssignment, RequestCategory


def requests_visible(user: Any) -> QuerySet[EnterpriseRequest]:
    """The requests ``user`` may see (scope: :class:`~.models.EnterpriseRequestQuerySet`)."""
    return EnterpriseRequest.objects.visible_to(user).select_related("enterprise", "category", "project", "region")


def requests_for_enterprise(*, user: Any, enterprise: Any) -> QuerySet[EnterpriseRequest]:
    """The requests of ``enterprise`` that ``user`` may see, newest first (for the 一企一策
    profile page): an enterprise contact sees its own enterprise's only, a department only those
    routed to it, region roles those of their region. Each row's ``timing`` is available through
    :func:`with_timing`."""
    pk = getattr(enterprise, "pk", enterprise)
    return requests_visible(user).filter(enterprise_id=pk).order_by("-submitted_at", "-id")


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("region")


def categories() -> QuerySet[RequestCategory]:
    return RequestCategory.objects.filter(is_active=True)


@dataclass
class Timing:
    """A request's deadlines on a given day: overdue flags and working days used."""

    acknowledge_overdue: bool
    resolve_overdue: bool
    days_used: int
    on_time: bool | None  # answered by the resolve deadline (None while open and not yet due)

    @property
    def overdue(self) -> bool:
        return self.acknowledge_overdue or self.resolve_overdue


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def timing(req: EnterpriseRequest, cal: WorkCalendar, today: dt.date) -> Timing:
    submitted = _local_date(req.submitted_at) or today
    acknowledged = _local_date(req.acknowledged_at)
    answered = req.status not in OPEN_STATUSES
    replied = _local_date(req.replied_at) if answered else None
    ack_ref = acknowledged or (today if req.status == RequestStatus.SUBMITTED else None)
    ack_overdue = bool(ack_ref and ack_ref > req.acknowledge_due)
    end = replied or today
    resolve_overdue = end > req.resolve_due
    on_time: bool | None
    if answered and replied is not None:
        on_time = replied <= req.resolve_due
    else:
        on_time = False if resolve_overdue else None
    return Timing(
        acknowledge_overdue=ack_overdue,
        resolve_overdue=resolve_overdue,
        days_used=cal.working_days_between(submitted, end),
        on_time=on_time,
    )


def with_timing(requests: Iterable[EnterpriseRequest], today: dt.date | None = None) -> list[EnterpriseRequest]:
    """``requests`` with ``.timing`` set, the calendar's overrides loaded once."""
    today = today or timezone.localdate()
    rows = list(requests)
    starts = [timezone.localdate(r.submitted_at) for r in rows if r.submitted_at]
    cal = WorkCalendar.load(min(starts), today) if starts else WorkCalendar()
    for r in rows:
        r.timing = timing(r, cal, today)  # type: ignore[attr-defined]
    return rows


@dataclass
class DepartmentFigures:
    """One unit's request figures (诉求办理): the inputs and the metrics of
    :mod:`keyprojects.analytics.metrics`."""

    unit_id: int
    name: str
    region: str = ""
    total: int = 0
    open: int = 0
    overdue_open: int = 0
    answered: int = 0
    on_time: int = 0
    due: int = 0
    rated: int = 0
    satisfied: int = 0
    durations: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal | None:
        return metrics.request_on_time_rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return metrics.satisfaction_rate(self.satisfied, self.rated)

    @property
    def average_days(self) -> Decimal | None:
        return metrics.average_days(self.durations)

    @property
    def on_time_pct(self) -> Decimal | None:
        return metrics.as_percent(self.on_time_rate)

    @property
    def satisfaction_pct(self) -> Decimal | None:
        return metrics.as_percent(self.satisfaction_rate)


def department_figures(
    requests: QuerySet[EnterpriseRequest],
    *,
    today: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    units: Iterable[int] | None = None,
) -> list[DepartmentFigures]:
    """Per unit the requests are routed to (active routings): open and overdue requests, the
    按时办结率, 平均办理天数 (working days from submission to the reply) and 满意率, over the
    requests submitted between ``start`` and ``end`` (inclusive; all without bounds). Sorted by
    on-time rate (best first), then satisfaction, then name."""
    today = today or timezone.localdate()
    qs = requests
    if start is not None:
        qs = qs.filter(submitted_at__date__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__date__lte=end)
    assignments = RequestAssignment.objects.filter(active=True, request__in=qs.values("pk")).select_related("unit", "unit__region")
    if units is not None:
        assignments = assignments.filter(unit_id__in=list(units))
    by_request: dict[int, list[Any]] = {}
    for a in assignments:
        by_request.setdefault(a.request_id, []).append(a.unit)
    rows: dict[int, DepartmentFigures] = {}
    for req in with_timing(EnterpriseRequest.objects.filter(pk__in=list(by_request)), today):
        t: Timing = req.timing  # type: ignore[attr-defined]
        answered = req.status in ANSWERED_STATUSES
        for unit in by_request[req.pk]:
            row = rows.setdefault(unit.pk, DepartmentFigures(unit.pk, unit.name, unit.region.name))
            row.total += 1
            if answered:
                row.answered += 1
                row.due += 1
                row.on_time += bool(t.on_time)
                row.durations.append(t.days_used)
            else:
                row.open += 1
                if t.resolve_overdue:
                    row.overdue_open += 1
                    row.due += 1
            if req.rating and req.status == RequestStatus.CLOSED:
                row.rated += 1
                row.satisfied += req.rating in SATISFIED_RATINGS
    big = Decimal(-1)
    return sorted(
        rows.values(),
        key=lambda r: (-(r.on_time_rate if r.on_time_rate is not None else big), -(r.satisfaction_rate or big), r.name),
    )


def meeting_figures(meeting: Meeting, requests: QuerySet[EnterpriseRequest]) -> dict[str, Any]:
    """A meeting's requests (of those ``requests`` the user sees): how many, answered, closed,
    and the 解决率 (answered share)."""
    rows = list(requests.filter(meeting=meeting))
    answered = sum(1 for r in rows if r.status in ANSWERED_STATUSES)
    closed = sum(1 for r in rows if r.status == RequestStatus.CLOSED)
    rate = metrics.resolution_rate(answered, len(rows))
    return {"total": len(rows), "answered": answered, "closed": closed, "rate": rate, "pct": metrics.as_percent(rate)}


@dataclass
class RequestCounts:
    """The counts behind one unit's request indicators (双考核双评价)."""

    on_time: int = 0
    due: int = 0
    satisfied: int = 0
    rated: int = 0
    requests: list[int] = field(default_factory=list)


def request_counts(*, root: Any, kind: str, end: dt.datetime) -> dict[str, RequestCounts]:
    """For the assessment indicators (``analytics.rankings``): the requests of enterprises in
    ``root`` (a province, city or county) raised before ``end``, by unit key — a child region of
    ``root`` (kind "region") or a unit they are routed to ("department", "zone") — with the
    counts of the 按时办结率 and 满意率, the deadlines judged on the period's last day (or today)."""
    column = {"province": "province_code", "city": "city_code"}.get(root.level, "region_id")
    qs = EnterpriseRequest.objects.filter(**{column: root.code}, submitted_at__lt=end)
    day = min(timezone.localdate(), timezone.localdate(end - dt.timedelta(microseconds=1)))
    keys: dict[int, list[str]] = {}
    if kind == "region":
        child = "city_code" if root.level == "province" else "region_id"
        for pk, key in qs.values_list("pk", child):
            if key:
                keys[pk] = [str(key)]
    else:
        unit_kind = "zone" if kind == "zone" else "department"
        routed = RequestAssignment.objects.filter(active=True, request__in=qs.values("pk"), unit__kind=unit_kind)
        for pk, unit_id in routed.values_list("request_id", "unit_id"):
            keys.setdefault(pk, []).append(str(unit_id))
    out: dict[str, RequestCounts] = {}
    for req in with_timing(qs.filter(pk__in=list(keys)), day):
        t: Timing = req.timing  # type: ignore[attr-defined]
        answered = req.status in ANSWERED_STATUSES
        for key in keys[req.pk]:
            c = out.setdefault(key, RequestCounts())
            c.requests.append(req.pk)
            if answered or t.resolve_overdue:
                c.due += 1
                c.on_time += bool(answered and t.on_time)
            if req.status == RequestStatus.CLOSED and req.rating:
                c.rated += 1
                c.satisfied += req.rating in SATISFIED_RATINGS
    return out
