"""Structured logs (issue 12 §5): a line per request with its id, failed logins and lockouts."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings
from django.test import override_settings

from keyprojects.core.logconfig import logging_config
from keyprojects.core.logs import JsonFormatter, TextFormatter
from keyprojects.core.testing import make_user

pytestmark = pytest.mark.django_db
ISO_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$")


def records(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def test_one_json_line_per_request_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="keyprojects.request")
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="req-1234abcd")
    assert response["X-Request-ID"] == "req-1234abcd"
    [record] = records(caplog, "keyprojects.request")
    line = json.loads(JsonFormatter().format(record))
    assert ISO_WITH_ZONE.match(line["time"]), line["time"]
    assert line["level"] == "INFO" and line["request_id"] == "req-1234abcd" and line["user"] == "-"
    assert line["method"] == "GET" and line["path"] == "/accounts/login/" and line["status"] == 200
    assert isinstance(line["duration_ms"], float)


def test_an_insane_request_id_is_replaced_and_the_user_is_named(client, caplog):
    user = make_user("lixia", "county", region="370102")
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="keyprojects.request")
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID='bad id"\n')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    line = json.loads(JsonFormatter().format(records(caplog, "keyprojects.request")[-1]))
    assert line["user"] == "lixia" and line["request_id"] == response["X-Request-ID"]


def test_failed_logins_and_the_lockout_are_logged(client, caplog, django_capture_on_commit_callbacks):
    make_user("lixia", "county", region="370102")
    caplog.set_level(logging.INFO, logger="keyprojects.audit")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.KEYPROJECTS_LOCKOUT_FAILURES):
            client.post("/accounts/login/", {"username": "lixia", "password": "wrong-password"})
    audit = records(caplog, "keyprojects.audit")
    failed = [r for r in audit if r.action == "login_failed"]
    assert len(failed) == settings.KEYPROJECTS_LOCKOUT_FAILURES
    assert all(r.levelno == logging.WARNING and r.actor == "lixia" for r in failed)
    assert any(r.action == "lockout" and r.levelno == logging.WARNING for r in audit)
    line = json.loads(JsonFormatter().format(failed[0]))
    assert line["action"] == "login_failed" and line["request_id"] != "-" and line["ip"] == "127.0.0.1"


def test_text_lines_carry_time_zone_and_level():
    record = logging.LogRecord("django.db", logging.WARNING, __file__, 1, "slow query %s", ("x",), None)
    line = TextFormatter().format(record)
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+\+08:00 WARNING django\.db \[-\] slow query x$", line), line


def test_log_format_json_selects_the_json_formatter():
    assert logging_config(fmt="json", level="info")["handlers"]["console"]["formatter"] == "json"
    assert logging_config(fmt="", level="info")["handlers"]["console"]["formatter"] == "text"


def test_gunicorn_lines_use_the_same_format():
    from keyprojects.core.logconfig import gunicorn_logconfig

    config = gunicorn_logconfig(fmt="json")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["console"]


@override_settings(ALLOWED_HOSTS=["kp.example.test"])
def test_a_refused_host_is_one_warning_line_without_a_traceback(client, caplog):
    """Scanners address the server by its IP: each such request is a WARNING of one line (the host
    named), never an ERROR with a traceback that would bury the errors needing someone."""
    caplog.set_level(logging.INFO)
    response = client.get("/accounts/login/", HTTP_HOST="203.0.113.9")
    assert response.status_code == 400
    [record] = records(caplog, "django.security.DisallowedHost")
    assert record.levelno == logging.WARNING and record.exc_info is None
    text = TextFormatter().format(record)
    assert "203.0.113.9" in text and "Traceback" not in text and len(text.splitlines()) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
