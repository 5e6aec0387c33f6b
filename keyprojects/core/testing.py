"""Factories and helpers shared by every app's tests (regions come from the real migration)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import factory

from keyprojects.accounts.models import User
from keyprojects.core.validators import make_uscc
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project, ProjectYear, SponsorLeader
from keyprojects.regions.models import Region, Unit

T = TypeVar("T")

_seq = itertools.count(1)
PASSWORD = "Kp-test-2024!"


def refused(user: Any) -> int:
    """The status a page answers ``user`` outside its scope: 403 for the three administrators,
    who open no business page (三权分立, ``policy.may_open_page``), 404 for anybody else."""
    from keyprojects.accounts import policy

    return 403 if policy.is_administrator(user) else 404


def uscc_for(region_code: str, n: int) -> str:
    return make_uscc(f"91{region_code}{n:09d}"[:17])


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = "department"
    region_id = "370100"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    region_id = "370102"
    uscc = factory.LazyAttribute(lambda o: uscc_for(o.region_id, next(_seq)))
    industry_section = "C"
    industry_division = "36"


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsorLeader

    name = factory.Sequence(lambda n: f"领导{n}")
    title = "副市长"
    region_id = "370100"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试项目{n}")
    region_id = "370102"
    province_code = factory.LazyAttribute(lambda o: Region.objects.get(code=o.region_id).province_code)
    city_code = factory.LazyAttribute(lambda o: Region.objects.get(code=o.region_id).city_code)
    category = "industry"
    nature = "new"
    stage = "reserve"
    total_investment = Decimal("10000.0000")

    @factory.post_generation
    def plan(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            year, amount, *levels = extracted
            ProjectYear.objects.create(
                project=self,
                year=year,
                annual_plan=Decimal(str(amount)),
                on_province_list="province" in levels,
                on_city_list="city" in levels or not levels,
                on_county_list="county" in levels,
            )


def make_user(
    username: str,
    role: str,
    *,
    region: str | None = None,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
    superuser: bool = False,
) -> User:
    u = User(username=username, role=role, region_id=region, unit=unit, enterprise=enterprise, is_superuser=superuser, is_staff=superuser)
    u.set_password(PASSWORD)
    u.save()
    return u


#: A written reason for every check warning (issue 10 §2): tests that are not about the checks
#: submit with it (``report_submit(..., reasons=EXPLAINED)``) and acknowledge with ``reason=``.
def _explained() -> dict[str, str]:
    from keyprojects.dispatch.rules import WARNING_CODES

    return dict.fromkeys(WARNING_CODES, "已核实（测试）")


EXPLAINED = _explained()


def data_for_the_module(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: ``build()`` once, inside a transaction that stays open for
    the module and is rolled back at its end; each test of the module (``db``) runs in a
    savepoint of it and is rolled back to the built data, as ``django.test.TestCase``'s
    ``setUpTestData`` does. For data that takes seconds to build (a seeded demo) read by many
    tests. A test of the module that must start from an empty database runs before the first
    test that asks for the fixture (the transaction is open from then to the module's end)."""
    from django.db import transaction

    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            built = build()
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
