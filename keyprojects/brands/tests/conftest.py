from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from keyprojects.brands.services import application_create, application_submit, round_advance, round_create
from keyprojects.regions.models import Region

GOOD = {
    "category": "product",
    "brand_name": "济南比亚迪",
    "trademark_no": "12345678",
    "years_in_city": 5,
    "has_valid_trademark": True,
    "is_cultivation_enterprise": True,
    "has_quality_system": True,
    "is_advanced": True,
    "in_haopin_shandong": False,
    "description": "新能源汽车零部件",
}


def good(**more):
    """A complete application's data (trademark valid two years past today)."""
    return {**GOOD, "trademark_valid_until": timezone.localdate() + dt.timedelta(days=730), **more}


@pytest.fixture
def rnd(world):
    """Jinan's open round: the window runs from 10 days ago to 30 days ahead."""
    today = timezone.localdate()
    opens = today - dt.timedelta(days=10)
    r = round_create(
        actor=world.users.city,
        region=Region.objects.get(code="370100"),
        year=opens.year,
        name="第一批“泉城好品”品牌遴选",
        opens_on=opens,
        closes_on=today + dt.timedelta(days=30),
    )
    return round_advance(actor=world.users.city, round=r, expected_version=r.version, to_status="open")


@pytest.fixture
def submitted(world, rnd):
    """The enterprise contact's (比亚迪, 历下区) application, submitted."""
    app = application_create(actor=world.users.enterprise, round=rnd, data=good())
    return application_submit(actor=world.users.enterprise, application=app, expected_version=app.version)


def to_reviewing(world, rnd):
    rnd.refresh_from_db()
    return round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="reviewing", early_close_confirmed=True)


@pytest.fixture
def users(world):
    return SimpleNamespace(**vars(world.users))
