"""Logs an operator can use (issue 12 §5).

Every line carries its time with the zone, its level and the request id. ``LOG_FORMAT=json``
writes one JSON object per line (for journald, Loki, ELK …); otherwise one readable text line.

* :class:`RequestLogMiddleware` gives each request an id (``X-Request-ID`` from the proxy when
  it is sane, otherwise a new one; sent back in the response) and writes one line per request
  on the ``keyprojects.request`` logger: method, path, status, duration, user, client address.
* :func:`log_audit_event` copies every audit event (failed logins, lockouts, unlocks, business
  writes) to the ``keyprojects.audit`` logger once its transaction commits: failures and
  lockouts at WARNING, the rest at INFO.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_var: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="-")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id", "user"}
request_logger = logging.getLogger("keyprojects.request")
audit_logger = logging.getLogger("keyprojects.audit")


def _zone() -> dt.tzinfo:
    try:
        return ZoneInfo(settings.TIME_ZONE)
    except Exception:  # noqa: BLE001 - settings not configured yet
        return dt.UTC


def install_record_factory() -> None:
    """Every record gets ``request_id`` and ``user`` when it is made, whichever handler takes it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_keyprojects", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        record.user = user_var.get()
        return record

    factory._keyprojects = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class ContextFilter(logging.Filter):
    """Put the request id and user on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user"):
            record.user = user_var.get()
        return True


class RefusedHostFilter(logging.Filter):
    """A request naming a host not in ALLOWED_HOSTS (``django.security.DisallowedHost``) is a
    WARNING of one line, not an ERROR with a traceback: scanners addressing the server by its IP
    send them by the thousand and would bury the errors that need someone. The 400 itself is
    still logged by ``keyprojects.request`` with its request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


class TextFormatter(logging.Formatter):
    """``2026-12-06T14:03:07.123+08:00 WARNING keyprojects.audit [req 1f2e…] message key=value …``"""

    def format(self, record: logging.LogRecord) -> str:
        at = dt.datetime.fromtimestamp(record.created, _zone()).isoformat(timespec="milliseconds")
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        line = f"{at} {record.levelname} {record.name} [{getattr(record, 'request_id', '-')}] {record.getMessage()}"
        if extras:
            line += " " + extras
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601 with zone), level, logger, message, request_id,
    user and any ``extra`` fields; ``exception`` with the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, _zone()).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user": getattr(record, "user", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """One log line per request, with a request id shared by every line the request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token_id = request_id_var.set(rid)
        token_user = user_var.set("-")
        started = time.perf_counter()
        response: HttpResponse | None = None
        try:
            response = self.get_response(request)
            return response
        finally:
            user = getattr(request, "user", None)
            username = user.get_username() if user is not None and user.is_authenticated else "-"
            user_var.set(username)
            status = response.status_code if response is not None else 500
            if response is not None:
                response["X-Request-ID"] = rid
            from .context import client_ip

            level = logging.ERROR if status >= 500 else logging.WARNING if status in (401, 403, 429) else logging.INFO
            request_logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "ip": client_ip(request),
                },
            )
            request_id_var.reset(token_id)
            user_var.reset(token_user)


WARN_ACTIONS = {"login_failed", "lockout", "denied", "permission_denied"}


def log_audit_event(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """post_save of AuditEvent: copy the event to the log once it is committed."""
    if not created:
        return
    fields = {
        "action": instance.action,
        "result": instance.result,
        "actor": instance.actor_username or "-",
        "ip": instance.ip or "-",
        "object_type": instance.object_type,
        "object_id": instance.object_id,
        "audit_id": instance.id,
    }
    level = logging.WARNING if instance.action in WARN_ACTIONS or instance.result != "success" else logging.INFO
    message = f"audit {instance.action} {instance.result} {instance.actor_username or '-'}"
    if instance.message:
        message += f": {instance.message}"

    rid, user = request_id_var.get(), user_var.get()  # of the request that wrote the event

    def emit() -> None:
        tokens = request_id_var.set(rid), user_var.set(user)
        try:
            audit_logger.log(level, message, extra=fields)
        finally:
            request_id_var.reset(tokens[0])
            user_var.reset(tokens[1])

    transaction.on_commit(emit)
