"""Two admissions racing for the last place, and two nominations of one enterprise at once: the
list never exceeds its capacity, the enterprise is on it once, and the loser gets a clear
refusal, never a 500. Real threads on committed data: PostgreSQL only (see
keyprojects/api/tests/test_dispatch_concurrency.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from keyprojects.core.errors import ApplicationError
from keyprojects.core.testing import EnterpriseFactory
from keyprojects.cultivation.models import CultivationEntry
from keyprojects.cultivation.services import entry_decide, entry_nominate, list_create
from keyprojects.regions.models import Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database shared by threads (PostgreSQL)"),
]


def _race(calls: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            out[i] = calls[i]()
        except ApplicationError as exc:
            out[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_two_admissions_for_the_last_place(world):
    clist = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="backbone", capacity=1)
    a, b = (
        entry_nominate(actor=world.users.county, cultivation_list=clist, enterprise=e, reason="x")
        for e in EnterpriseFactory.create_batch(2, region_id="370102")
    )
    out = _race(
        [
            lambda: entry_decide(actor=world.users.city, entry=a, expected_version=a.version, admit=True),
            lambda: entry_decide(actor=world.users.province, entry=b, expected_version=b.version, admit=True),
        ]
    )
    refused = [r for r in out if isinstance(r, ApplicationError)]
    assert len(refused) == 1 and refused[0].code == "list_full", out
    assert CultivationEntry.objects.filter(cultivation_list=clist, status="admitted").count() == 1


def test_two_nominations_of_one_enterprise(world):
    clist = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="backbone")

    def nominate(user: Any) -> Any:
        return lambda: entry_nominate(actor=user, cultivation_list=clist, enterprise=world.ent, reason="x")

    out = _race([nominate(world.users.county), nominate(world.users.city), nominate(world.users.county_clerk)])
    refused = [r for r in out if isinstance(r, ApplicationError)]
    assert len(refused) == 2 and {r.code for r in refused} == {"duplicate"}, out
    assert CultivationEntry.objects.filter(cultivation_list=clist).count() == 1
