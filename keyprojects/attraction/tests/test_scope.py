"""Confidentiality: a lead is visible to its region and up, and to its unit; never to a peer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.attraction.models import Activity, Lead
from keyprojects.attraction.services import activity_create
from keyprojects.core.errors import NotFound
from keyprojects.core.scope import get_for_user

pytestmark = pytest.mark.django_db
NAMES = ("province", "city", "county", "sibling", "other_city", "department", "enterprise", "other_enterprise", "leader", "sysadmin",
         "secadmin", "auditor", "superuser")  # fmt: skip


def test_who_sees_a_county_lead(world, lead_of):
    lead = lead_of(unit=world.dept)
    u = world.users
    seen = {name for name in NAMES if Lead.objects.visible_to(getattr(u, name)).filter(pk=lead.pk).exists()}
    assert seen == {"county", "city", "province", "leader", "department", "superuser"}
    with pytest.raises(NotFound):
        get_for_user(Lead, user=u.sibling, pk=lead.pk)
    assert get_for_user(Lead, user=u.city, pk=lead.pk) == lead


def test_a_city_lead_is_not_visible_to_its_counties(world, lead_of):
    lead = lead_of(user=world.users.city, region=world.users.city.region)
    assert not Lead.objects.visible_to(world.users.county).filter(pk=lead.pk).exists()
    assert Lead.objects.visible_to(world.users.province).filter(pk=lead.pk).exists()
    assert not Lead.objects.visible_to(world.users.other_city).filter(pk=lead.pk).exists()


def test_only_government_staff_write_and_leaders_read(world, lead_of):
    lead = lead_of()
    assert not Lead.objects.editable_by(world.users.leader).filter(pk=lead.pk).exists()
    assert Lead.objects.editable_by(world.users.city).filter(pk=lead.pk).exists()
    expected = {"province", "city", "county", "sibling", "other_city", "department", "superuser"}
    assert {n for n in NAMES if policy.can_record_leads(getattr(world.users, n))} == expected
    readers = {n for n in NAMES if policy.can_see_leads(getattr(world.users, n))}
    assert readers == expected | {"leader"}


def test_activities_are_scoped_like_leads(world):
    act = activity_create(
        user=world.users.county,
        data={
            "kind": "trip",
            "held_on": timezone.localdate() - dt.timedelta(days=3),
            "destination": "广东深圳",
            "participants": "区委书记、投促局长",
        },
    )
    assert Activity.objects.visible_to(world.users.city).filter(pk=act.pk).exists()
    assert not Activity.objects.visible_to(world.users.sibling).filter(pk=act.pk).exists()
    assert not Activity.objects.visible_to(world.users.enterprise).exists()
