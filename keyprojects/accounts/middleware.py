"""Session policy: idle and absolute timeouts, forced password change (reliability.md 16, 18)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyprojects.accounts import policy

EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/accounts/otp/",
    "/static/",
    "/i18n/",
    "/api/",
    "/healthz",
    "/readyz",
)


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault("kp_started", now)
            last = request.session.get("kp_seen", now)
            idle = settings.KEYPROJECTS_SESSION_IDLE_SECONDS
            absolute = settings.KEYPROJECTS_SESSION_ABSOLUTE_SECONDS
            if now - last > idle or now - started > absolute:
                logout(request)
                return redirect(f"{settings.LOGIN_URL and '/accounts/login/'}?next={request.path}")
            if now - last > 30:
                request.session["kp_seen"] = now
            from .services import password_expired

            if password_expired(user) and not request.path.startswith(EXEMPT_PREFIXES):  # type: ignore[arg-type]
                return redirect("accounts:password_change")
        return self.get_response(request)


class SeparationOfDutiesMiddleware:
    """三权分立: an administrator (system, security, audit) who opens a business page by its
    address gets the 403 page naming the role, not an empty list that says the role may "view"
    reports (``policy.may_open_page``); the data itself was already scoped away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not policy.may_open_page(user, request.path):
            raise PermissionDenied
        return self.get_response(request)
