"""Account writes and login security."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from keyprojects.audit.services import audit_record
from keyprojects.core.context import client_ip
from keyprojects.core.errors import ValidationFailed

from .models import LoginAttempt, PasswordHistory, User


def _norm(username: str) -> str:
    return (username or "").strip().lower()[:150]


def login_is_locked(*, username: str, request: Any) -> bool:
    now = timezone.now()
    return LoginAttempt.objects.filter(username=_norm(username), ip=client_ip(request), locked_until__gt=now).exists()


def login_failed(*, username: str, request: Any) -> bool:
    """Count a failure; returns True when this failure locks the account for this IP."""
    limit = settings.KEYPROJECTS_LOCKOUT_FAILURES
    now = timezone.now()
    ip = client_ip(request)
    with transaction.atomic():
        attempt, _ = LoginAttempt.objects.get_or_create(username=_norm(username), ip=ip)
        if attempt.locked_until and attempt.locked_until <= now:
            # The lock has expired: count afresh (an F() increment would add to the old count).
            attempt.failures = 1
            attempt.locked_until = None
        else:
            attempt.failures = F("failures") + 1
        attempt.last_failure_at = now
        attempt.save()
        attempt.refresh_from_db()
        locked = attempt.failures >= limit and attempt.locked_until is None
        if locked:
            attempt.locked_until = now + dt.timedelta(minutes=settings.KEYPROJECTS_LOCKOUT_MINUTES)
            attempt.save(update_fields=["locked_until"])
    audit_record(action="login_failed", request=request, username=_norm(username), result="failure")
    if locked:
        audit_record(
            action="lockout",
            request=request,
            username=_norm(username),
            result="failure",
            message=f"{limit}次失败，锁定{settings.KEYPROJECTS_LOCKOUT_MINUTES}分钟",
        )
    return locked


def login_succeeded(*, user: User, request: Any) -> None:
    LoginAttempt.objects.filter(username=_norm(user.get_username()), ip=client_ip(request)).delete()
    audit_record(action="login", user=user, request=request)


def login_unlock(*, username: str, user: Any = None) -> int:
    n, _ = LoginAttempt.objects.filter(username=_norm(username)).delete()
    audit_record(action="unlock", user=user, object_type="accounts.user", object_id=_norm(username))
    return n


def password_expired(user: User) -> bool:
    max_age = getattr(settings, "KEYPROJECTS_PASSWORD_MAX_AGE_DAYS", 0)
    if user.must_change_password:
        return True
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(days=max_age)


def user_end_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` (disable or password change, reliability.md 18)."""
    n = 0
    for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if s.session_key == keep_session_key:
            continue
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk):
            s.delete()
            n += 1
    return n


@transaction.atomic
def user_change_password(*, user: User, new_password: str, request: Any = None) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed(extra={"fields": {"new_password1": list(exc.messages)}}) from exc
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    keep = None
    if request is not None and hasattr(request, "session"):
        update_session_auth_hash(request, user)
        keep = request.session.session_key
    user_end_sessions(user=user, keep_session_key=keep)
    audit_record(action="password_change", user=user, request=request, obj=user)


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: Any = None) -> None:
    User.objects.filter(pk=user.pk).update(is_active=active)
    if not active:
        user_end_sessions(user=user)
    audit_record(action="update", user=actor, obj=user, changes={"is_active": [not active, active]})


ADMIN_ROLES_CREATABLE = ("sysadmin", "secadmin", "auditor")


def throwaway_password(length: int = 16) -> str:
    """A random password that passes every configured validator (all four character classes)."""
    import secrets
    import string

    symbols = "-_#@%+=!"
    pools = [string.ascii_lowercase, string.ascii_uppercase, string.digits, symbols]
    alphabet = "".join(pools)
    chars = [secrets.choice(p) for p in pools] + [secrets.choice(alphabet) for _ in range(max(length, 8) - len(pools))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def admin_create(*, username: str, role: str, actor: Any = None) -> tuple[User, str]:
    """Create an administrator with a throwaway password that must be changed at first login
    (reliability.md 20). Returns the user and the password, which is shown once and never stored
    in clear or logged."""
    if role not in ADMIN_ROLES_CREATABLE:
        raise ValidationFailed(extra={"fields": {"role": [f"角色须为 {'/'.join(ADMIN_ROLES_CREATABLE)} 之一"]}})
    username = (username or "").strip()
    user = User(username=username, role=role, is_staff=True, must_change_password=True)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    password = throwaway_password()
    while True:  # the generator already satisfies the rules; similarity to the username is the rare miss
        try:
            validate_password(password, user)
            break
        except ValidationError:
            password = throwaway_password()
    user.set_password(password)
    user.save()
    audit_record(
        action="create",
        user=actor,
        username="manage.py" if actor is None else "",
        obj=user,
        changes={"role": role, "is_staff": True, "change_at_first_login": True},
    )
    return user, password
