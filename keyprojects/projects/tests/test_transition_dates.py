"""A stage change that records 实际开工/竣工日期 asks for it on the project page (today by
default): offices record the day work started, which is rarely the day someone clicks, and a
month's figures read the stage from these dates (``dispatch.rules.stage_in_month``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.dispatch.tests.test_views_review import messages_of
from keyprojects.projects.models import Project

pytestmark = pytest.mark.django_db


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
    said = messages_of(client.post(url, {"to_stage": "completed", "version": p.version, "on_date": f"{future:%Y-%m-%d}"}, follow=True))
    assert any("日期不能晚于今天" in m for m in said)
    said = messages_of(client.post(url, {"to_stage": "completed", "version": p.version, "on_date": "2025-04-01"}, follow=True))
    assert any("竣工日期不能早于实际开工日期（2025-05-01）" in m for m in said)
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
    assert 'name="on_date"' not in page
