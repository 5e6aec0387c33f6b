"""The demo's open month happens before the seeding: no report is submitted, reviewed or saved,
and no review step is dated, after the moment ``seed_demo`` ran (a late report of this month is
late, not in the future)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyprojects.dispatch.models import MonthlyReport, ReportStep


@pytest.mark.django_db
def test_the_open_month_has_no_history_after_the_seeding():
    call_command("seed_demo", stdout=io.StringIO(), projects=80, seed=3, months=2, verbosity=0, interactive=False)
    done = timezone.now()
    reports = MonthlyReport.objects.all()
    assert reports.filter(period__in=reports.values("period").order_by("-period__year", "-period__month")[:1]).exists()
    for field in ("submitted_at", "approved_at", "created_at", "updated_at"):
        assert not reports.filter(**{f"{field}__gt": done}).exists(), field
    assert not ReportStep.objects.filter(at__gt=done).exists()
    late = reports.filter(is_late=True, submitted_at__isnull=False).select_related("period")
    assert all(r.submitted_at.date() > r.period.fill_end for r in late)  # late means after the window
