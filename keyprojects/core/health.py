"""Liveness (``/healthz``) and readiness (``/readyz``) probes (issue 12 §4).

``/healthz`` answers ``ok`` while the process can answer at all. ``/readyz`` answers 200 only
when the database answers, no migration is pending and the head of the audit chain can be read;
otherwise 503 with the failing check named (never an exception text). Both are answered by
:class:`HealthProbeMiddleware`, first in the stack (after HEAD handling), so a probe over plain http from localhost
gets an answer whatever ``ALLOWED_HOSTS`` and ``SECURE_SSL_REDIRECT`` say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

_migrations_done = False  # once true it stays true for the life of the process (a deploy restarts it)


def _check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return f"unreachable ({type(exc).__name__})"
    return None


def _check_migrations() -> str | None:
    global _migrations_done
    if _migrations_done:
        return None
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return f"unreadable ({type(exc).__name__})"
    if plan:
        return f"{len(plan)} pending"
    _migrations_done = True
    return None


def _check_audit() -> str | None:
    from keyprojects.audit.models import AuditEvent

    try:
        AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    except Exception as exc:  # noqa: BLE001
        return f"head unreadable ({type(exc).__name__})"
    return None


def readiness() -> dict[str, Any]:
    checks: dict[str, str] = {}
    db = _check_database()
    checks["database"] = db or "ok"
    if db:
        checks["migrations"] = checks["audit"] = "skipped"
    else:
        checks["migrations"] = _check_migrations() or "ok"
        checks["audit"] = _check_audit() or "ok"
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> HttpResponse:
    result = readiness()
    response = JsonResponse(result, status=200 if result["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    """Answer the probes before host validation, the https redirect and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
