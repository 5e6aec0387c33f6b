"""The attacks of issue 11 on the audit log, reproduced; ``verify_audit`` must now report them
(HMAC-SM3 keyed chain, anchors outside the database), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from keyprojects.audit import anchors, keys
from keyprojects.audit.chain import DIGEST, FIELDS, GENESIS, compute_hash
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.services import audit_record
from keyprojects.audit.triggers import install

TABLE = AuditEvent._meta.db_table


def verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def drop_triggers() -> None:
    """What an attacker with database access does first."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("DROP TRIGGER audit_no_early_delete")
        else:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_guard")


def restore_triggers() -> None:
    if connection.vendor == "sqlite":
        install(connection)
    else:
        with connection.cursor() as cur:
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_guard")


def rehash_from(first_id: int) -> None:
    """Recompute every hash from ``first_id`` on with the project's own (unkeyed) compute_hash,
    clearing the key id: the rewrite the issue found verify_audit accepted."""
    rows = list(AuditEvent.objects.filter(id__gte=first_id).order_by("id").values("id", "prev_hash", *FIELDS))
    prev = AuditEvent.objects.filter(id__lt=first_id).order_by("-id").values_list("hash", flat=True).first() or GENESIS
    with connection.cursor() as cur:
        for row in rows:
            h = compute_hash(prev, row)
            cur.execute(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s", [prev, h, row["id"]])
            prev = h


@pytest.fixture
def events(db):
    return [audit_record(action="update", username=f"user{i}", object_type="projects.project", object_id=str(i)) for i in range(6)]


def test_events_are_keyed_with_hmac_sm3(events):
    assert DIGEST == "sm3"
    ring = keys.keyring()
    assert all(e.key_id == ring.current for e in events)
    # The project's unkeyed hash does not reproduce a keyed row.
    row = AuditEvent.objects.filter(pk=events[0].pk).values(*FIELDS).get()
    assert compute_hash(GENESIS, row) != events[0].hash
    assert verify("--no-anchor") == (0, "OK: 6 events, chain intact\n")


def test_key_file_and_anchor_file_are_private(events):
    call_command("anchor_audit", stdout=StringIO())
    for path in (keys.key_file(), anchors.anchor_file()):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_deleting_the_newest_rows_is_reported(events):
    assert verify()[0] == 0  # this run anchors the head
    drop_triggers()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [events[4].pk])
    restore_triggers()
    code, out = verify()
    assert code == 1
    assert f"event {events[5].pk} named by the anchor" in out and "missing" in out
    assert "OK:" not in out


def test_an_anchor_every_n_events_catches_deletion_without_any_command(db, settings, django_capture_on_commit_callbacks):
    settings.KEYPROJECTS_AUDIT_ANCHOR_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        evs = [audit_record(action="update", username=f"u{i}") for i in range(7)]
    lines = [json.loads(x) for x in anchors.anchor_file().read_text().splitlines()]
    assert lines and all(a["reason"] == "every" for a in lines)
    newest = max(a["id"] for a in lines)
    drop_triggers()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [newest])
    restore_triggers()
    code, out = verify()
    assert code == 1 and f"event {newest} named by the anchor" in out
    assert evs


def test_edit_and_recompute_hashes_with_compute_hash_is_reported(events):
    assert verify()[0] == 0
    victim = events[2]
    drop_triggers()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s", ["innocent", victim.pk])
    rehash_from(victim.pk)
    restore_triggers()
    code, out = verify()
    assert code == 1
    assert f"event {victim.pk}: unkeyed row after keyed rows" in out
    assert "the chain was rewritten" in out


def test_rewriting_the_whole_log_without_the_key_is_caught_by_the_anchor(events):
    """Every row rewritten as an old unkeyed row passes the chain walk, not the anchor."""
    assert verify()[0] == 0
    drop_triggers()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s", ["innocent", events[3].pk])
    rehash_from(events[0].pk)
    restore_triggers()
    code, out = verify()
    assert code == 1 and f"event {events[5].pk} differs from the anchor" in out


def test_rehash_with_a_guessed_key_is_reported(events):
    import hmac

    from keyprojects.audit.chain import canonical

    victim = events[5]
    row = AuditEvent.objects.filter(pk=victim.pk).values(*FIELDS).get()
    row["message"] = "nothing happened"
    forged = hmac.new(b"guess", (victim.prev_hash + canonical(row, key_id=victim.key_id)).encode(), "sm3").hexdigest()
    drop_triggers()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET message = %s, hash = %s WHERE id = %s", [row["message"], forged, victim.pk])
    restore_triggers()
    code, out = verify("--no-anchor")
    assert code == 1 and f"event {victim.pk}: content changed" in out


def test_a_forged_anchor_line_is_reported(events):
    assert verify()[0] == 0
    path = anchors.anchor_file()
    a = json.loads(path.read_text().splitlines()[-1])
    a["count"] = 99
    with path.open("a") as fh:
        fh.write(json.dumps(a) + "\n")
    code, out = verify()
    assert code == 1 and "MAC mismatch" in out


def test_rotation_keeps_older_events_verifiable(events):
    old = keys.keyring().current
    out = StringIO()
    call_command("audit_rotate_key", stdout=out)
    new = keys.keyring().current
    assert new != old and f"当前密钥编号 {new}" in out.getvalue()
    later = audit_record(action="update", username="after")
    assert later.key_id == new
    rotated = AuditEvent.objects.get(action="audit_key_rotate")
    assert rotated.key_id == new and new in rotated.message
    assert verify() == (0, f"OK: {AuditEvent.objects.count()} events, chain intact\n")
    # Losing the old key is reported, not silently accepted.
    data = json.loads(keys.key_file().read_text())
    del data["keys"][old]
    keys.key_file().write_text(json.dumps(data))
    code, out = verify("--no-anchor")
    assert code == 1 and f"signed with unknown key {old!r}" in out


def test_key_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("AUDIT_HMAC_KEY", "e2:second-secret,e1:first-secret")
    e = audit_record(action="update", username="x")
    assert e.key_id == "e2"
    assert verify("--no-anchor")[0] == 0
    with pytest.raises(CommandError) as exc:
        call_command("audit_rotate_key", stdout=StringIO())
    assert exc.value.returncode == 2 and "AUDIT_HMAC_KEY" in str(exc.value) and "\nk3:" in str(exc.value)
    # Without the key the same rows do not verify.
    monkeypatch.setenv("AUDIT_HMAC_KEY", "e2:wrong")
    code, out = verify("--no-anchor")
    assert code == 1 and f"event {e.pk}: content changed" in out


def test_settings_point_outside_the_database():
    assert str(settings.KEYPROJECTS_AUDIT_KEY_FILE).endswith("audit-keys.json")
    assert str(settings.KEYPROJECTS_AUDIT_ANCHOR_FILE).endswith(".jsonl")
