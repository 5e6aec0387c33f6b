"""A stage change asks on the project page for the day it happened (today by default):
offices record the day work started, production began or a project was halted, which is rarely
the day someone clicks. The event keeps that day (``ProjectEvent.on_date``); a start or a
completion sets 实际开工/竣工日期 too, from which a month's figures read the stage
(``dispatch.rules.stage_in_month``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEvent
from keyprojects.projects.models import Project, ProjectEvent

pytestmark = pytest.mark.django_db


def date_errors(resp) -> list[str]:  # type: ignore[no-untyped-def]
    """A refused date is said at the date field (400), the typed date kept."""
    assert resp.status_code == 400
    return re.findall(r'data-testid="on-date-error">([^<]*)<', resp.content.decode())


def test_the_start_date_is_asked_and_stored(world, client):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="preparation", actual_start=None)
    client.force_login(world.users.county)
    page = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    assert 'name="on_date"' in page and "实际开工日期" in page and f'max="{timezone.localdate():%Y-%m-%d}"' in page
    p.refresh_from_db()
    url = reverse("projects:transition", args=[p.pk])
    client.post(url, {"to_stage": "construction", "version": p.version, "on_date": "2026-03-15"}, follow=True)
    p.refresh_from_db()
    assert (p.stage, p.actual_start) == ("construction", dt.date(2026, 3, 15))


def test_a_date_in_the_future_or_before_the_start_is_refused(world, client):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="construction", actual_start=dt.date(2025, 5, 1), actual_completion=None)
    p.refresh_from_db()
    client.force_login(world.users.county)
    url = reverse("projects:transition", args=[p.pk])
    future = timezone.localdate() + dt.timedelta(days=3)
    said = date_errors(client.post(url, {"to_stage": "completed", "version": p.version, "on_date": f"{future:%Y-%m-%d}"}))
    assert any("日期不能晚于今天" in m for m in said)
    resp = client.post(url, {"to_stage": "completed", "version": p.version, "on_date": "2025-04-01"})
    assert any("竣工日期不能早于实际开工日期（2025-05-01）" in m for m in date_errors(resp))
    assert 'value="2025-04-01"' in resp.content.decode()  # what was typed
    p.refresh_from_db()
    assert (p.stage, p.actual_completion) == ("construction", None)  # nothing changed
    client.post(url, {"to_stage": "completed", "version": p.version, "on_date": "2026-02-10"}, follow=True)
    p.refresh_from_db()
    assert (p.stage, p.actual_completion) == ("completed", dt.date(2026, 2, 10))


def test_no_date_asked_when_it_is_known(world, client):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="preparation", actual_start=dt.date(2026, 1, 5))
    client.force_login(world.users.county)
    page = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    start = page.index('data-stage-target="construction"')
    form = page[start : page.index("</form>", start)]
    assert 'name="on_date"' not in form and "实际开工日期" not in page
    client.post(reverse("projects:transition", args=[p.pk]), {"to_stage": "construction", "version": p.version}, follow=True)
    assert ProjectEvent.objects.filter(project=p, to_stage="construction").get().on_date == dt.date(2026, 1, 5)  # (its start)


def test_every_move_records_the_day_it_happened(world, client):
    """投产, 停缓建, 退库 … are entered days after they happen: the event keeps the day given
    (today by default) beside the time it was entered, and the timeline shows both."""
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="construction", actual_start=dt.date(2025, 5, 1), actual_completion=None)
    p.refresh_from_db()
    client.force_login(world.users.county)
    page = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    assert "停缓建日期" in page and "退库日期" in page and "实际竣工日期" in page
    url = reverse("projects:transition", args=[p.pk])
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    client.post(
        url, {"to_stage": "suspended", "version": p.version, "reason": "资金未到位", "on_date": f"{week_ago:%Y-%m-%d}"}, follow=True
    )
    p.refresh_from_db()
    event = ProjectEvent.objects.filter(project=p, to_stage="suspended").get()
    assert (p.stage, event.on_date, event.reason) == ("suspended", week_ago, "资金未到位")
    assert AuditEvent.objects.filter(action="transition", object_id=str(p.pk)).latest("id").changes["on_date"] == f"{week_ago:%Y-%m-%d}"
    page = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    assert f'data-testid="event-date">{week_ago:%Y-%m-%d}</span>' in page and "登记" in page  # the day, and when it was entered
    assert "恢复建设日期" in page
    client.post(url, {"to_stage": "resume", "version": p.version}, follow=True)  # no date given: today
    assert ProjectEvent.objects.filter(project=p, kind="resumed").get().on_date == timezone.localdate()


def test_production_not_before_completion(world, client):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="completed", actual_start=dt.date(2025, 5, 1), actual_completion=dt.date(2026, 2, 1))
    p.refresh_from_db()
    client.force_login(world.users.county)
    url = reverse("projects:transition", args=[p.pk])
    said = date_errors(client.post(url, {"to_stage": "production", "version": p.version, "on_date": "2026-01-20"}))
    assert any("投产日期不能早于实际竣工日期（2026-02-01）" in m for m in said)
    p.refresh_from_db()
    assert p.stage == "completed" and not ProjectEvent.objects.filter(project=p, to_stage="production").exists()
    client.post(url, {"to_stage": "production", "version": p.version, "on_date": "2026-02-03"}, follow=True)
    assert ProjectEvent.objects.filter(project=p, to_stage="production").get().on_date == dt.date(2026, 2, 3)


def test_a_new_project_and_the_api_give_the_day(world, client):
    from keyprojects.projects.services import project_create

    created = project_create(
        user=world.users.county, data={"name": "日期测试项目", "total_investment": "1000", "category": "industry", "nature": "new"}
    )
    assert created.events.get().on_date == timezone.localdate()
    client.force_login(world.users.county)
    body = client.get(f"/api/v1/projects/{created.pk}/events/").json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    assert rows[0]["on_date"] == f"{timezone.localdate():%Y-%m-%d}"


def test_events_entered_before_the_field_get_the_local_day_they_were_entered(world):
    """The migration's backfill: ``on_date`` = the day of ``at`` in the site's time zone (an event
    entered at 20:30 UTC happened the next day in 济南)."""
    import importlib

    from django.apps import apps

    p = world.projects.own_county
    late = ProjectEvent.objects.create(project=p, kind="transition", from_stage="reserve", to_stage="preparation")
    ProjectEvent.objects.filter(pk=late.pk).update(at=dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC), on_date=None)
    migration = importlib.import_module("keyprojects.projects.migrations.0010_event_on_date")
    migration.backfill(apps, None)
    assert ProjectEvent.objects.get(pk=late.pk).on_date == dt.date(2026, 3, 2)
