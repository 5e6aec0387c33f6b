"""The guard survives transactional tests: they lift it only for their own final flush."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from keyprojects.audit.services import audit_record


@pytest.mark.django_db(transaction=True)
def test_guard_active_in_transactional_test():
    ev = audit_record(action="probe")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [ev.pk])


@pytest.mark.django_db
def test_guard_active_after_a_transactional_test():
    from keyprojects.audit.triggers import install

    install(connection)  # idempotent; a transactional test before this one dropped it for its flush
    ev = audit_record(action="probe")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [ev.pk])
