"""Reads of 政企服务 (issue 15). Every count of working days goes through
:mod:`keyprojects.core.workdays`; every row through ``visible_to``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.core.workdays import WorkCalendar

from .choices import OPEN_STATUSES, RequestStatus
from .models import EnterpriseRequest, Meeting, RequestCategory


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
