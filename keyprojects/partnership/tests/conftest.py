from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.partnership.services import agreement_create
from keyprojects.regions.models import Region


@pytest.fixture
def deal(world):
    """An agreement of 历下区 with 比亚迪: the government's land by 2026-06-30 (owed by the 发改委)
    and the enterprise's investment by 2027-12-31."""
    return agreement_create(
        actor=world.users.city,
        enterprise=world.ent,
        region=Region.objects.get(code="370102"),
        title="比亚迪零部件项目投资合作协议",
        signed_on=dt.date(2026, 1, 15),
        amount="50000",
        signatory_unit=world.dept,
        projects=[world.projects.own_county],
        commitments=[
            {
                "party": "government",
                "kind": "land",
                "description": "交付净地120亩",
                "target_value": "120",
                "due_on": dt.date(2026, 6, 30),
                "owner_unit": world.dept,
            },
            {
                "party": "enterprise",
                "kind": "investment",
                "description": "完成投资5亿元",
                "target_value": "50000",
                "due_on": dt.date(2027, 12, 31),
            },
        ],
    )


@pytest.fixture
def other_deal(world):
    return agreement_create(
        actor=world.users.other_city,
        enterprise=world.other_ent,
        region=Region.objects.get(code="370202"),
        title="青岛港湾合作协议",
        signed_on=dt.date(2026, 2, 1),
        amount="1000",
        signatory_name="市南区人民政府",
        commitments=[
            {"party": "enterprise", "kind": "jobs", "description": "新增就业200人", "target_value": "200", "due_on": dt.date(2026, 12, 31)}
        ],
    )


def make_more(world, n: int) -> None:
    """``n`` more agreements of 历下区 with one commitment each."""
    for i in range(n):
        agreement_create(
            actor=world.users.city,
            enterprise=world.ent,
            region=Region.objects.get(code="370102"),
            title=f"补充协议{i}",
            signed_on=dt.date(2026, 3, 1),
            amount=i,
            signatory_unit=world.dept,
            commitments=[{"party": "enterprise", "kind": "tax", "description": "纳税", "due_on": dt.date(2026, 12, 31)}],
        )
