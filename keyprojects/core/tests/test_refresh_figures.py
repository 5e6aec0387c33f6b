"""refresh_figures and the post-migrate backfill of summary tables (issue 12 §6)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from keyprojects.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def snapshot(model, period) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return sorted(model.objects.filter(period=period).values_list(*fields))


def test_refresh_figures_builds_facts_warnings_and_summaries(dw):
    out = io.StringIO()
    call_command("refresh_figures", stdout=out)
    for period in (dw.p1, dw.p2, dw.p3):
        assert ProjectPeriodFact.objects.filter(period=period).count() == 4
        assert RegionPeriodSummary.objects.filter(period=period, region_id="370000").exists()
        assert DimensionPeriodSummary.objects.filter(period=period).exists()
    assert "OK: 3 periods" in out.getvalue()
    assert AuditEvent.objects.filter(action="summaries_refresh", object_type="refresh_figures").exists()


def test_refresh_one_period_and_refuse_a_bad_one(dw):
    out = io.StringIO()
    call_command("refresh_figures", period="2026-02", stdout=out)
    assert ProjectPeriodFact.objects.filter(period=dw.p2).count() == 4
    assert not ProjectPeriodFact.objects.filter(period=dw.p1).exists()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("refresh_figures", period="2026-13", stdout=out)
    with pytest.raises(CommandError, match="没有 2019-01"):
        call_command("refresh_figures", period="2019-01", stdout=out)


def test_migrate_fills_summary_tables_left_empty_by_an_upgrade(dw):
    call_command("refresh_figures", stdout=io.StringIO())
    before = snapshot(DimensionPeriodSummary, dw.p2), snapshot(RegionPeriodSummary, dw.p2)
    assert before[0] and before[1]
    # As after migrating from a version without these tables: facts there, summaries empty.
    DimensionPeriodSummary.objects.filter(period=dw.p2).delete()
    RegionPeriodSummary.objects.filter(period=dw.p2).delete()
    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    assert (snapshot(DimensionPeriodSummary, dw.p2), snapshot(RegionPeriodSummary, dw.p2)) == before
