"""A database busy past its timeout gives a retryable 503, never a 500 (reliability.md 9)."""

from __future__ import annotations

from django.db import OperationalError
from django.test import RequestFactory

from keyprojects.core.middleware import DatabaseBusyMiddleware, is_busy_error


def test_busy_detection():
    assert is_busy_error(OperationalError("database is locked"))
    assert not is_busy_error(OperationalError("no such table: x"))
    assert not is_busy_error(ValueError("database is locked"))


def test_api_busy_is_json_503():
    mw = DatabaseBusyMiddleware(lambda r: None)
    resp = mw.process_exception(RequestFactory().post("/api/v1/projects/"), OperationalError("database is locked"))
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    assert b'"code": "busy"' in resp.content or b'"code":"busy"' in resp.content


def test_page_busy_is_503_with_message(db):
    mw = DatabaseBusyMiddleware(lambda r: None)
    req = RequestFactory().post("/projects/1/edit/", {"name": "x"})
    from django.contrib.auth.models import AnonymousUser

    req.user = AnonymousUser()
    resp = mw.process_exception(req, OperationalError("database is locked"))
    assert resp.status_code == 503
    assert "系统繁忙" in resp.content.decode()
