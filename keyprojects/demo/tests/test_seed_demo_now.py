"""The demo's open month happens before the seeding: no report is submitted, reviewed or saved,
and no review step is dated, after the moment ``seed_demo`` ran (a late report of this month is
late, not in the future). Lateness is judged on the local day, as ``report_submit`` judges it
(``timezone.localdate``): a report moved back before the seeding into the small hours after the
window is late, though its UTC date is still the window's last day."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from keyprojects.dispatch.models import MonthlyReport, ReportStep

LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def check_seeding() -> None:
    call_command("seed_demo", stdout=io.StringIO(), projects=80, seed=3, months=2, verbosity=0, interactive=False)
    done = timezone.now()
    reports = MonthlyReport.objects.all()
    assert reports.filter(period__in=reports.values("period").order_by("-period__year", "-period__month")[:1]).exists()
    for field in ("submitted_at", "approved_at", "created_at", "updated_at"):
        assert not reports.filter(**{f"{field}__gt": done}).exists(), field
    assert not ReportStep.objects.filter(at__gt=done).exists()
    submitted = list(reports.filter(submitted_at__isnull=False).select_related("period"))
    late = [r for r in submitted if r.is_late]
    assert all(timezone.localtime(r.submitted_at).date() > r.period.fill_end for r in late)
    assert all(timezone.localtime(r.submitted_at).date() <= r.period.fill_end for r in submitted if not r.is_late)


@pytest.mark.django_db
def test_the_open_month_has_no_history_after_the_seeding():
    check_seeding()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 7, 9, 5, tzinfo=LOCAL),  # two days after the window (1–5 December): CI failed here
        dt.datetime(2026, 12, 6, 2, 30, tzinfo=LOCAL),  # the small hours after the window: UTC still says the 5th
        dt.datetime(2026, 12, 5, 23, 50, tzinfo=LOCAL),  # the window's last evening
        dt.datetime(2027, 1, 3, 7, 0, tzinfo=LOCAL),  # inside the window, early in the day
    ],
)
def test_the_seeding_at_any_moment(monkeypatch, moment):
    fixed = moment.astimezone(dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    check_seeding()
