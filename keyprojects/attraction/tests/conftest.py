from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def lead_of(world: Any) -> Any:
    """A factory: a lead recorded by ``user`` (default: the 历下区 county officer)."""
    from keyprojects.attraction.services import lead_create

    def make(user: Any = None, **data: Any) -> Any:
        values = {
            "name": "新能源电池材料项目",
            "investor_name": "深圳某新能源科技有限公司",
            "investor_origin": "out_province",
            "investor_location": "广东深圳",
            "source": "leader_trip",
            "intended_amount": Decimal("50000"),
            "industry_section": "C",
            "industry_division": "38",
            "obtained_on": timezone.localdate() - dt.timedelta(days=30),
            **data,
        }
        return lead_create(user=user or world.users.county, data=values)

    return make


@pytest.fixture
def api_as() -> Any:
    from rest_framework.test import APIClient

    def make(user: Any) -> Any:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
