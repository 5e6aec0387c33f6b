"""The brand selection part of the policy: who sees, organises, enters, reviews and decides; the
administrators see nothing."""

from __future__ import annotations

import pytest

from keyprojects.accounts import policy
from keyprojects.brands.models import BrandApplication, SelectionRound
from keyprojects.brands.services import application_create
from keyprojects.core.testing import EnterpriseFactory

from .conftest import good

pytestmark = pytest.mark.django_db

ROLES = (
    "province", "city", "city_clerk", "county", "county_clerk", "sibling", "other_city", "department", "enterprise",
    "other_enterprise", "leader", "sysadmin", "secadmin", "auditor", "superuser",
)  # fmt: skip
ADMINS = {"sysadmin", "secadmin", "auditor"}


def _who(world, fn) -> set[str]:
    return {r for r in ROLES if fn(getattr(world.users, r))}


def test_capabilities_per_role(world):
    assert _who(world, policy.can_see_brands) == set(ROLES) - ADMINS
    assert _who(world, policy.can_see_brand_results) == set(ROLES) - ADMINS
    assert _who(world, policy.can_manage_brand_rounds) == {"province", "city", "city_clerk", "other_city", "superuser"}
    assert _who(world, policy.can_enter_brand_application) == {
        "province", "city", "city_clerk", "county", "county_clerk", "sibling", "other_city", "enterprise", "other_enterprise", "superuser",
    }  # fmt: skip


def test_who_sees_rounds_and_applications(world, rnd, submitted):
    assert _who(world, lambda u: SelectionRound.objects.visible_to(u).filter(pk=rnd.pk).exists()) == set(ROLES) - ADMINS - {
        "other_city",
        "other_enterprise",
    }
    seen = _who(world, lambda u: BrandApplication.objects.visible_to(u).filter(pk=submitted.pk).exists())
    assert seen == {"province", "city", "city_clerk", "county", "county_clerk", "department", "enterprise", "leader", "superuser"}
    # an enterprise never sees another's application; a draft round is hidden from enterprises
    other = application_create(actor=world.users.city, round=rnd, enterprise=EnterpriseFactory(region_id="370103"), data=good())
    assert not BrandApplication.objects.visible_to(world.users.enterprise).filter(pk=other.pk).exists()
    assert BrandApplication.objects.visible_to(world.users.sibling).filter(pk=other.pk).exists()
    SelectionRound.objects.filter(pk=rnd.pk).update(status="draft")
    assert not SelectionRound.objects.visible_to(world.users.enterprise).exists()
    assert not SelectionRound.objects.visible_to(world.users.department).exists()
    assert SelectionRound.objects.visible_to(world.users.county).exists()


def test_four_eyes_in_the_policy(world, rnd, submitted):
    reviewers = _who(world, lambda u: policy.can_review_brand(u, submitted))
    assert reviewers == {"province", "city", "city_clerk", "county", "county_clerk", "superuser"}
    submitted.reviewed_by = world.users.city_clerk
    submitted.scored_by = world.users.city
    deciders = _who(world, lambda u: policy.can_decide_brand(u, submitted))
    assert deciders == {"province", "superuser"}
    assert _who(world, lambda u: policy.can_score_brand(u, submitted)) == {"province", "city", "city_clerk", "superuser"}
