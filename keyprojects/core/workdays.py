"""The one working-day calendar of keyprojects (issue 14): approval durations and legal time
limits count 工作日 on the official Chinese calendar — public holidays and the make-up working
days (调休上班) the State Council announces each year.

The official days come from the maintained PyPI package ``chinese-calendar``; for a year it
does not know (or to correct a day) administrators of the business record
:class:`~keyprojects.core.models.CalendarOverride` rows, which always win. A year neither
knows falls back to Monday–Friday.

Conventions (used by every caller; never count days another way):

* :func:`working_days_between(a, b) <working_days_between>` counts the working days *after*
  ``a`` up to and including ``b`` — an application received on ``a`` and decided on ``b``
  took that many working days (the day of receipt is not counted, as in 行政许可法 §82).
  It is negative when ``b`` is before ``a`` and 0 when they are equal.
* :func:`add_working_days(d, n) <add_working_days>` is the inverse: the ``n``-th working day
  after ``d`` (``n`` ≥ 0; ``n = 0`` answers ``d`` itself), so
  ``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import chinese_calendar
from django.utils import timezone

__all__ = ["WorkCalendar", "add_working_days", "is_working_day", "known_years", "working_days_between"]

_ONE = dt.timedelta(days=1)


def known_years() -> range:
    """The years the installed ``chinese-calendar`` knows (holidays and make-up days)."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


def _official(day: dt.date) -> bool | None:
    """The package's answer for ``day``, or ``None`` for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    """The calendar with the overrides of a date range loaded once (for loops over many items)."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None):
        self.overrides: dict[dt.date, bool] = dict(overrides or {})

    @classmethod
    def load(cls, start: dt.date | None = None, end: dt.date | None = None) -> WorkCalendar:
        """The overrides between ``start`` and ``end`` (all of them without bounds)."""
        from .models import CalendarOverride

        qs = CalendarOverride.objects.all()
        if start is not None:
            qs = qs.filter(day__gte=start)
        if end is not None:
            qs = qs.filter(day__lte=end)
        return cls({day: kind == CalendarOverride.Kind.WORKDAY for day, kind in qs.values_list("day", "kind")})

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = _official(day)
        if official is not None:
            return official
        return day.weekday() < 5

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + _ONE
        while day <= b:
            if self.is_working_day(day):
                count += 1
            day += _ONE
        return count

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must be >= 0")
        while n > 0:
            day += _ONE
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days(self, days: Iterable[dt.date]) -> list[dt.date]:
        return [d for d in days if self.is_working_day(d)]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # an aware moment falls on its local day (as timezone.localdate)
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"not a date: {value!r}")


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day (overrides, then the official calendar, then Mon–Fri)."""
    day = _as_date(day)
    return WorkCalendar.load(day, day).is_working_day(day)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative if ``b`` < ``a``)."""
    a, b = _as_date(a), _as_date(b)
    return WorkCalendar.load(min(a, b), max(a, b)).working_days_between(a, b)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` ≥ 0)."""
    day = _as_date(day)
    span = 2 * n + 60  # n working days rarely span more calendar days than this
    while True:
        end = day + dt.timedelta(days=span)
        result = WorkCalendar.load(day, end).add_working_days(day, n)
        if result <= end:
            return result
        span *= 2
