"""Database constraints of the brand selection: one application per enterprise per round, the
reward within the ceiling and only for a selected brand, nothing negative, scores 0–100."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from keyprojects.brands.models import BrandApplication, SelectionRound

pytestmark = pytest.mark.django_db


def _app(rnd, world, **kw):
    values = {"round": rnd, "enterprise": world.ent, "category": "product", "brand_name": "X", "reward_cap": rnd.reward_ceiling}
    return BrandApplication.objects.create(**{**values, **kw})


def _refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_one_application_per_enterprise_per_round(world, rnd):
    _app(rnd, world)
    _refused(lambda: _app(rnd, world, category="service", brand_name="Y"))
    assert BrandApplication.objects.count() == 1


def test_reward_within_ceiling_only_for_selected_and_not_negative(world, rnd):
    assert rnd.reward_ceiling == Decimal("10") and rnd.max_selected == 40
    _refused(lambda: _app(rnd, world, status="selected", reward_amount=Decimal("10.0001")))
    _refused(lambda: _app(rnd, world, status="selected", reward_amount=Decimal("-1")))
    _refused(lambda: _app(rnd, world, status="scored", reward_amount=Decimal("5")))
    _refused(lambda: _app(rnd, world, reward_cap=Decimal("-1")))
    ok = _app(rnd, world, status="selected", reward_amount=Decimal("10"))
    assert ok.reward_amount == Decimal("10")


def test_score_between_0_and_100(world, rnd):
    _refused(lambda: _app(rnd, world, score=Decimal("100.01")))
    _refused(lambda: _app(rnd, world, score=Decimal("-0.5")))


def test_round_constraints(world):
    base = {"region_id": "370100", "year": 2026, "name": "A", "opens_on": dt.date(2026, 3, 1), "closes_on": dt.date(2026, 4, 1)}
    SelectionRound.objects.create(**base)
    _refused(lambda: SelectionRound.objects.create(**base))  # same name, city and year
    _refused(lambda: SelectionRound.objects.create(**{**base, "name": "B", "max_selected": 0}))
    _refused(lambda: SelectionRound.objects.create(**{**base, "name": "C", "reward_ceiling": Decimal("-1")}))
    _refused(lambda: SelectionRound.objects.create(**{**base, "name": "D", "closes_on": dt.date(2026, 2, 1)}))
