from __future__ import annotations

import pytest

from keyprojects.core.testing import EnterpriseFactory
from keyprojects.cultivation.services import entry_decide, entry_nominate, list_create
from keyprojects.regions.models import Region


@pytest.fixture
def clist(world):
    """济南市 2026 骨干企业 list (capacity 2 to test the limit cheaply)."""
    return list_create(
        actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="backbone", industry_scope="制造业", capacity=2
    )


@pytest.fixture
def nominated(world, clist):
    """比亚迪 (历下区) nominated by 历下区 staff."""
    return entry_nominate(
        actor=world.users.county,
        cultivation_list=clist,
        enterprise=world.ent,
        reason="龙头企业",
        revenue="123456.7891",
        tax="100",
        rd_spending="50",
    )


@pytest.fixture
def admitted(world, nominated):
    return entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version, admit=True)


@pytest.fixture
def sibling_ent(world):
    return EnterpriseFactory(name="市中区机械制造有限公司", region_id="370103")
