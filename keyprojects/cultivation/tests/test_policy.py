"""The cultivation policy per role (keyprojects/accounts/policy/cultivation.py)."""

from __future__ import annotations

import pytest

from keyprojects.accounts import policy
from keyprojects.cultivation.models import CultivationEntry, CultivationList
from keyprojects.cultivation.services import list_create
from keyprojects.regions.models import Region

ROLES = ["province", "city", "county", "leader", "department", "enterprise", "sysadmin", "secadmin", "auditor", "superuser"]
SEES = {"province", "city", "county", "leader", "department", "enterprise", "superuser"}
READS_LISTS = {"province", "city", "county", "leader", "department", "superuser"}
KEEPS = {"province", "city", "county", "superuser"}


@pytest.mark.parametrize("who", ROLES)
def test_capabilities_per_role(world, clist, who):
    u = getattr(world.users, who)
    assert policy.can_see_cultivation(u) is (who in SEES)
    assert policy.can_see_cultivation_lists(u) is (who in READS_LISTS)
    assert policy.can_keep_cultivation(u) is (who in KEEPS)
    assert policy.can_nominate_to(u, clist) is (who in KEEPS)  # a county nominates to its city's list
    assert policy.can_decide_cultivation(u, clist) is (who in {"province", "city", "superuser"})


def test_reach_across_regions(world, clist):
    qingdao = list_create(actor=world.users.other_city, region=Region.objects.get(code="370200"), year=2026, kind="backbone")
    lixia = list_create(actor=world.users.county, region=Region.objects.get(code="370102"), year=2026, kind="backbone")
    u = world.users
    assert not policy.can_nominate_to(u.city, qingdao) and not policy.can_decide_cultivation(u.city, qingdao)
    assert policy.can_decide_cultivation(u.city, lixia) and policy.can_decide_cultivation(u.county, lixia)
    assert not policy.can_nominate_to(u.sibling, lixia)
    assert policy.can_create_cultivation_list(u.county, Region.objects.get(code="370102"))
    assert not policy.can_create_cultivation_list(u.county, Region.objects.get(code="370100"))
    assert not policy.can_create_cultivation_list(u.province, Region.objects.get(code="370000"))
    # visibility: the sibling county reads the city's list but not 历下区's
    assert set(CultivationList.objects.visible_to(u.sibling)) == {clist}
    assert set(CultivationList.objects.visible_to(u.province)) == {clist, qingdao, lixia}
    assert set(CultivationList.objects.editable_by(u.county)) == {lixia}
    assert set(CultivationList.objects.visible_to(u.leader)) == {clist, lixia}
    for admin in (u.sysadmin, u.secadmin, u.auditor):
        assert not CultivationList.objects.visible_to(admin).exists()


def test_enterprise_sees_only_own_admissions(world, clist, admitted, nominated):
    assert list(CultivationEntry.objects.visible_to(world.users.enterprise)) == [admitted]
    assert list(CultivationList.objects.visible_to(world.users.enterprise)) == [clist]
    assert not CultivationEntry.objects.visible_to(world.users.other_enterprise).exists()
    assert not CultivationList.objects.visible_to(world.users.other_enterprise).exists()


def test_policy_is_re_exported():
    from keyprojects.accounts.policy import cultivation

    for name in ("can_see_cultivation", "can_keep_cultivation", "can_decide_cultivation", "cultivation_list_q", "cultivation_entry_q"):
        assert getattr(policy, name) is getattr(cultivation, name)
