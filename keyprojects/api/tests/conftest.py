"""API test helpers on top of the project-wide ``world`` fixture (conftest.py at the root)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from keyprojects.core.testing import EnterpriseFactory, ProjectFactory


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def as_user(api: APIClient) -> Any:
    """``as_user(user)`` → an APIClient authenticated as ``user`` (auth itself is tested in test_auth)."""

    def _as(user: Any) -> APIClient:
        api.force_authenticate(user)
        return api

    return _as


@pytest.fixture
def more(world: Any) -> SimpleNamespace:
    """Objects the scope matrix needs beyond ``world``: another enterprise in the own county,
    enterprises in the sibling county and at city level, and data in another province (Hebei)."""
    ent2 = EnterpriseFactory(name="济南历下另一企业有限公司", region_id="370102")
    ns = SimpleNamespace(
        ent2=ent2,
        ent_sibling=EnterpriseFactory(name="济南市中区企业有限公司", region_id="370103"),
        ent_city=EnterpriseFactory(name="济南市本级企业有限公司", region_id="370100"),
        ent_hebei=EnterpriseFactory(name="石家庄企业有限公司", region_id="130102"),
    )
    ns.project_ent2 = ProjectFactory(name="历下区另一企业项目", region_id="370102", owner=ent2, plan=(2026, 300, "county"))
    ns.project_hebei = ProjectFactory(name="石家庄长安区项目", region_id="130102", owner=ns.ent_hebei, plan=(2026, 700, "province"))
    return ns
