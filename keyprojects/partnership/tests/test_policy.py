"""The partnership capabilities of the policy, per role (keyprojects/accounts/policy.py)."""

from __future__ import annotations

import pytest

from keyprojects.accounts import policy
from keyprojects.partnership.services import commitment_claim

pytestmark = pytest.mark.django_db

ROLES = (
    "province",
    "city",
    "county",
    "sibling",
    "other_city",
    "department",
    "enterprise",
    "other_enterprise",
    "leader",
    "sysadmin",
    "secadmin",
    "auditor",
    "superuser",
)


def _who(world, fn) -> set[str]:
    return {r for r in ROLES if fn(getattr(world.users, r))}


def test_who_sees_and_records(world):
    assert _who(world, policy.can_see_partnership) == set(ROLES) - {"sysadmin", "secadmin", "auditor"}
    assert _who(world, policy.can_record_agreements) == {"province", "city", "county", "sibling", "other_city", "superuser"}
    assert _who(world, lambda u: policy.can_keep_enterprise_profile(u, world.ent)) == {"province", "city", "county", "superuser"}
    assert _who(world, policy.can_be_liaison) == {"province", "city", "county", "sibling", "other_city", "department", "leader"}


def test_who_claims_and_confirms(world, deal):
    gov = deal.commitments.get(party="government")  # owed by world.dept
    ent = deal.commitments.get(party="enterprise")
    assert _who(world, lambda u: policy.can_claim_commitment(u, gov)) == {"province", "city", "county", "department", "superuser"}
    assert _who(world, lambda u: policy.can_claim_commitment(u, ent)) == {"province", "city", "county", "enterprise", "superuser"}
    ent = commitment_claim(actor=world.users.enterprise, commitment=ent, expected_version=1, result="fulfilled", evidence_text="x")
    assert _who(world, lambda u: policy.can_confirm_commitment(u, ent)) == {"province", "city", "county", "superuser"}
    gov = commitment_claim(actor=world.users.county, commitment=gov, expected_version=1, result="fulfilled", evidence_text="x")
    assert "county" not in _who(world, lambda u: policy.can_confirm_commitment(u, gov))  # four eyes


def test_agreement_list_queries_do_not_grow(client, world, deal, other_deal, django_assert_max_num_queries):
    from django.urls import reverse

    from keyprojects.partnership.tests.conftest import make_more

    client.force_login(world.users.province)
    client.get(reverse("partnership:list"))
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("partnership:list"))
    make_more(world, 10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(reverse("partnership:list")).status_code == 200


def test_alert_days_are_business_configuration(client, world, deal):
    import datetime as dt

    from keyprojects.partnership.models import PartnershipConfig
    from keyprojects.partnership.selectors import alert_days, commitment_alerts

    assert alert_days() == 30
    client.force_login(world.users.city)
    assert client.get("/config/partnership/partnershipconfig/add/").status_code in (302, 403)
    client.force_login(world.users.sysadmin)
    assert client.get("/config/partnership/partnershipconfig/add/").status_code in (302, 403)
    client.force_login(world.users.province)
    r = client.post("/config/partnership/partnershipconfig/add/", {"alert_days": "400"})
    assert r.status_code == 200 and not PartnershipConfig.objects.exists()
    r = client.post("/config/partnership/partnershipconfig/add/", {"alert_days": "60"})
    assert r.status_code == 302
    assert alert_days() == 60 and alert_days(10) == 10
    assert len(commitment_alerts(world.users.city, today=dt.date(2026, 5, 1))) == 1  # 60 days before 06-30
    r = client.post("/config/partnership/partnershipconfig/1/change/", {"alert_days": "45", "loaded_version": "1"})
    assert r.status_code == 302 and alert_days() == 45
    r = client.post("/config/partnership/partnershipconfig/1/change/", {"alert_days": "20", "loaded_version": "1"}, follow=True)
    assert "已被他人修改" in r.content.decode() and alert_days() == 45
    client.cookies["django_language"] = "en"  # the refusals in the page's language
    r = client.post("/config/partnership/partnershipconfig/1/change/", {"alert_days": "20", "loaded_version": "1"}, follow=True)
    assert "Not saved: " in r.content.decode() and "未保存" not in r.content.decode() and alert_days() == 45
    r = client.post("/config/partnership/partnershipconfig/1/change/", {"alert_days": "400", "loaded_version": "2"})
    assert "The reminder days must be between 0 and 365" in r.content.decode() and alert_days() == 45
