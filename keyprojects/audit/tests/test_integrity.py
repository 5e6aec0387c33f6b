"""Append-only table, hash chain, verify_audit and retention (reliability.md 22-23), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from keyprojects.audit.models import AuditEvent
from keyprojects.audit.services import audit_purge, audit_record
from keyprojects.audit.triggers import install
from keyprojects.core.errors import PermissionDenied

TABLE = AuditEvent._meta.db_table


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@contextmanager
def update_trigger_disabled():
    """What an attacker with database access does: go around the guard."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_no_update")
        else:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_guard")
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            install(connection)
        else:
            with connection.cursor() as cur:
                cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_guard")


def record_at(when: dt.datetime, n: int, monkeypatch) -> list[AuditEvent]:
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: when)
        return [audit_record(action="config", username="ops", message=f"old {i}") for i in range(n)]


@pytest.fixture
def events(db):
    return [audit_record(action="update", username=f"user{i}", object_type="projects.project", object_id=str(i)) for i in range(5)]


def test_chain_links_each_row_to_its_predecessor(events):
    assert events[0].prev_hash == "0" * 64
    for prev, cur in itertools.pairwise(events):
        assert cur.prev_hash == prev.hash
    assert verify() == (0, "OK: 5 events, chain intact\n")


def test_update_is_refused_by_the_database(events):
    e = events[2]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(actor_username="mallory")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET result = 'success', message = 'x' WHERE id = %s", [e.pk])
    e.refresh_from_db()
    assert e.actor_username == "user2"


def test_young_delete_is_refused_by_the_database(events):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 5


def test_old_rows_may_be_deleted_by_the_database(db, monkeypatch):
    old = record_at(timezone.now() - dt.timedelta(days=200), 1, monkeypatch)[0]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [old.pk])
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_verify_audit_finds_a_changed_row(events):
    victim = events[2]
    with update_trigger_disabled(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s", ["innocent", victim.pk])
    code, out = verify()
    assert code == 1
    assert f"event {victim.pk}: content changed" in out
    assert "OK:" not in out
    # The guard is back in place.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=victim.pk).update(actor_username="again")


def test_verify_audit_finds_a_rehashed_row_by_its_broken_link(events):
    """Recomputing the hash of an edited row does not help: the next row's link breaks."""
    from keyprojects.audit.chain import FIELDS, compute_hash

    victim = events[1]
    row = AuditEvent.objects.filter(pk=victim.pk).values(*FIELDS).get()
    row["actor_username"] = "innocent"
    new_hash = compute_hash(victim.prev_hash, row)
    with update_trigger_disabled(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_username = %s, hash = %s WHERE id = %s", ["innocent", new_hash, victim.pk])
    code, out = verify()
    assert code == 1 and f"event {events[2].pk}: link broken" in out


def test_verify_audit_finds_a_deleted_row(events):
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER audit_no_early_delete" if sqlite else f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_guard")
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[3].pk])
        if not sqlite:
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_guard")
    if sqlite:
        install(connection)
    code, out = verify()
    assert code == 1 and f"event {events[4].pk}: link broken" in out


def test_purge_refuses_young_records(events):
    for days in [0, 30, 179]:
        with pytest.raises(PermissionDenied):
            audit_purge(older_than_days=days)
        with pytest.raises(CommandError) as exc:
            call_command("audit_purge", "--older-than-days", str(days))
        assert exc.value.returncode != 0
        assert "至少保留180天" in str(exc.value)
    assert AuditEvent.objects.count() == 5


def test_purge_deletes_only_old_records_and_keeps_the_chain_verifiable(db, monkeypatch):
    record_at(timezone.now() - dt.timedelta(days=400), 3, monkeypatch)
    record_at(timezone.now() - dt.timedelta(days=100), 2, monkeypatch)
    out = StringIO()
    call_command("audit_purge", "--older-than-days", "365", stdout=out)
    assert "已清除 3 条" in out.getvalue()
    assert AuditEvent.objects.filter(action="config").count() == 2
    purge = AuditEvent.objects.get(action="audit_purge")
    assert purge.changes == {"deleted": 3, "older_than_days": 365}
    assert verify() == (0, "OK: 3 events, chain intact\n")
