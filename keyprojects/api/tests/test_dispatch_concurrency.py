"""Two submits of one report at the same moment (two tabs, or a retry racing the original):
one row, one submit event, one 200 and one friendly 409 — never a 500 (reliability.md 1, 25).

Real threads on committed data, so this is a transactional test. On SQLite the test database
lives in memory with a shared cache, where a lock conflict is reported at once instead of
waiting for the busy timeout; the file-database behaviour under many concurrent clients is
what ``make loadtest`` measures, so this test runs on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import period_get_or_open, report_save

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database shared by threads (PostgreSQL)"),
]


def _race(requests: list[Any]) -> list[Any]:
    """Run the callables at once (a barrier); return their responses in order."""
    barrier = threading.Barrier(len(requests))
    out: list[Any] = [None] * len(requests)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            out[i] = requests[i]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_concurrent_double_submit(world: Any) -> None:
    p = world.projects.own_county
    # under construction, so that 100 万元 raises no check that would need a written reason
    type(p).objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 6, 1), stage="construction")
    p.refresh_from_db()
    period = period_get_or_open(year=2026, month=1)
    report = report_save(user=world.users.county, project=p, period=period, data={"invested_month": "100"})

    def submit() -> Any:
        c = APIClient()
        c.force_authenticate(world.users.county)
        return c.post(f"/api/v1/reports/{report.pk}/submit/", {"version": report.version}, format="json")

    responses = _race([submit, submit, submit])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409], [r.content[:200] for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "already_submitted" and r.json()["message"] == "该月报已提交，请勿重复提交"
    assert MonthlyReport.objects.filter(project=p, period=period).count() == 1
    assert MonthlyReport.objects.get(pk=report.pk).status == "submitted"
    assert AuditEvent.objects.filter(action="submit", object_id=str(report.pk)).count() == 1


def test_concurrent_first_saves_make_one_row(world: Any) -> None:
    """Two tabs creating the same month's report: one row; the loser gets a 409 (or, if it came
    second, simply updated the draft)."""
    p = world.projects.own_county
    period_get_or_open(year=2026, month=1)

    def create(amount: str) -> Any:
        def go() -> Any:
            c = APIClient()
            c.force_authenticate(world.users.county)
            return c.post("/api/v1/reports/", {"project": p.pk, "period": "2026-01", "invested_month": amount}, format="json")

        return go

    responses = _race([create("10"), create("20")])
    codes = sorted(r.status_code for r in responses)
    assert codes in ([200, 201], [201, 409]), [r.content[:200] for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "conflict"
    assert MonthlyReport.objects.filter(project=p).count() == 1
