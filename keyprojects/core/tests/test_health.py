"""/healthz and /readyz (issue 12 §4): real database states, no stubs."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_is_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_ok_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "audit": "ok"}}


def test_readyz_503_when_the_audit_chain_head_cannot_be_read(client):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_gone")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["audit"].startswith("head unreadable")


def test_probes_answer_any_host_without_redirect(client, settings):
    settings.ALLOWED_HOSTS = ["kp.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="kp.example.gov.cn").status_code == 301
