from __future__ import annotations

from decimal import Decimal

import pytest

from keyprojects.dispatch.services import period_get_or_open
from keyprojects.projects.models import Project


@pytest.fixture
def dw(world):
    """The world with its projects under construction (so they must report) in 2026."""
    Project.objects.filter(pk__in=[p.pk for p in vars(world.projects).values()]).update(stage="construction")
    for p in vars(world.projects).values():
        p.refresh_from_db()
    Project.objects.filter(pk=world.projects.own_county.pk).update(invested_before=Decimal("300"))
    world.projects.own_county.refresh_from_db()
    world.p1 = period_get_or_open(year=2026, month=1)
    world.p2 = period_get_or_open(year=2026, month=2)
    world.p3 = period_get_or_open(year=2026, month=3)
    return world
