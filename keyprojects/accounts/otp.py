"""Second factor (TOTP, django-otp) for administrators (issue 11, reliability.md 19).

With ``KEYPROJECTS_OTP_REQUIRED`` on (production), the three administrators and superusers must
enroll a TOTP authenticator and enter a code after the password; everybody else may enroll
(then a code is asked at every login). Until the code is entered the session reaches only the
login, logout and second-factor pages; API session requests get 403 ``otp_required``; API
tokens are not issued by password to such users (they create tokens on the web page, after the
second factor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from . import policy

EXEMPT_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/static/", "/i18n/", "/healthz", "/readyz")


def confirmed_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_due(user: Any) -> bool:
    """Whether this user must enter a TOTP code: required by policy, or enrolled by choice."""
    return policy.needs_second_factor(user) or confirmed_device(user) is not None


SESSION_KEY = "kp_otp_due"


def remember_due(request: HttpRequest, user: Any) -> None:
    """At login: note in the session whether this user owes a code (one query per login, none
    per request)."""
    request.session[SESSION_KEY] = second_factor_due(user)


def due_for_session(request: HttpRequest, user: Any) -> bool:
    """Whether this session owes a code. A session that did not come through the login page
    (none in production) falls back to the policy alone, which needs no query."""
    session = getattr(request, "session", None)
    due = session.get(SESSION_KEY) if session is not None else None
    if due is None:
        return policy.needs_second_factor(user)
    return bool(due) or policy.needs_second_factor(user)


def is_verified(request: HttpRequest) -> bool:
    user: Any = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_verified", lambda: False)())


class SecondFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: keep an unverified session out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and due_for_session(request, user)
            and not is_verified(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "otp_required", "message": "请先在网页上完成两步验证", "extra": {}}, status=403)
            target = "accounts:otp_verify" if confirmed_device(user) else "accounts:otp_setup"
            return redirect(f"{redirect(target).url}?next={request.get_full_path()}")
        return self.get_response(request)
