"""Account writes and login security."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from keyprojects.audit.services import audit_record
from keyprojects.core.context import client_ip
from keyprojects.core.errors import ValidationFailed

from . import policy
from .choices import Role
from .models import ApiToken, LoginAttempt, PasswordHistory, User


def _norm(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _locks(username: str, ip: str) -> Any:
    """The account row (username, "") and the address row ("", ip)."""
    q = Q(username=_norm(username), ip="")
    if ip:
        q |= Q(username="", ip=ip)
    return LoginAttempt.objects.filter(q)


def login_locked_until(*, username: str, request: Any) -> dt.datetime | None:
    """When the account or the client address may try again; None when neither is locked."""
    now = timezone.now()
    until = _locks(username, client_ip(request)).filter(locked_until__gt=now).aggregate(m=Max("locked_until"))["m"]
    return until  # type: ignore[no-any-return]


def login_is_locked(*, username: str, request: Any) -> bool:
    return login_locked_until(username=username, request=request) is not None


def lock_minutes_left(*, username: str, request: Any) -> int:
    until = login_locked_until(username=username, request=request)
    return 0 if until is None else max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def _count_failure(row: LoginAttempt, *, now: dt.datetime, limit: int, window: dt.timedelta, backoff: bool) -> int:
    """Count one failure on a counter row; returns the minutes of a lock this failure starts (0: none)."""
    if row.locked_until and row.locked_until > now:
        return 0  # already locked: the attempt is audited, the lock is not extended
    max_minutes = settings.KEYPROJECTS_LOCKOUT_MAX_MINUTES
    if row.last_failure_at and now - row.last_failure_at > dt.timedelta(minutes=max_minutes):
        row.locks = 0  # a quiet day forgives earlier locks
    if row.locked_until or (row.last_failure_at and now - row.last_failure_at > window):
        row.failures = 0  # the lock has expired, or the earlier failures are old: count afresh
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    minutes = 0
    if row.failures >= limit:
        row.locks += 1
        base = int(window.total_seconds() // 60)
        minutes = min(base * 2 ** (row.locks - 1), max_minutes) if backoff else base
        row.locked_until = now + dt.timedelta(minutes=minutes)
    row.save()
    return minutes


def login_failed(*, username: str, request: Any) -> int:
    """Count a failure for the account (from any address, with backoff) and for the client
    address (on any account), separately. Returns the minutes of a lock this failure started."""
    now = timezone.now()
    ip = client_ip(request)
    name = _norm(username)
    account_minutes = address_minutes = 0
    account = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            list(_locks(name, ip).select_for_update())
        address = LoginAttempt.objects.get_or_create(username="", ip=ip)[0] if ip else None
        address_blocked = address is not None and address.locked_until is not None and address.locked_until > now
        if not address_blocked:
            # A blocked address's attempts are refused before any password is checked: they do
            # not count against the account, so one address cannot lock out everyone.
            account = LoginAttempt.objects.get_or_create(username=name, ip="")[0]
            account_minutes = _count_failure(
                account,
                now=now,
                limit=settings.KEYPROJECTS_LOCKOUT_FAILURES,
                window=dt.timedelta(minutes=settings.KEYPROJECTS_LOCKOUT_MINUTES),
                backoff=True,
            )
        if address is not None:
            address_minutes = _count_failure(
                address,
                now=now,
                limit=settings.KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES,
                window=dt.timedelta(minutes=settings.KEYPROJECTS_LOCKOUT_ADDRESS_MINUTES),
                backoff=False,
            )
    audit_record(action="login_failed", request=request, username=name, result="failure")
    if account_minutes and account is not None:
        audit_record(
            action="lockout",
            request=request,
            username=name,
            result="failure",
            message=f"账户{settings.KEYPROJECTS_LOCKOUT_FAILURES}次失败，锁定{account_minutes}分钟（第{account.locks}次）",
        )
    if address_minutes:
        audit_record(
            action="lockout",
            request=request,
            username=name,
            object_type="address",
            object_id=ip,
            result="failure",
            message=f"来源地址{settings.KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES}次失败，封禁{address_minutes}分钟",
        )
    return max(account_minutes, address_minutes)


def login_succeeded(*, user: User, request: Any) -> None:
    # The account's counter ends; the address counter does not (a valid login of one's own
    # account must not reset a guessing run against others).
    LoginAttempt.objects.filter(username=_norm(user.get_username()), ip="").delete()
    audit_record(action="login", user=user, request=request)


def login_unlock(*, username: str, user: Any = None, request: Any = None) -> int:
    n, _ = LoginAttempt.objects.filter(username=_norm(username)).delete()
    audit_record(action="unlock", user=user, request=request, object_type="accounts.user", object_id=_norm(username))
    return n


def login_unblock_address(*, ip: str, user: Any = None, request: Any = None) -> int:
    n, _ = LoginAttempt.objects.filter(username="", ip=ip).delete()
    audit_record(action="unlock", user=user, request=request, object_type="address", object_id=ip)
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
    tokens_revoke_all(user=user, reason="password_change", request=request)
    audit_record(action="password_change", user=user, request=request, obj=user)


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: Any = None) -> None:
    User.objects.filter(pk=user.pk).update(is_active=active)
    if not active:
        user_end_sessions(user=user)
        tokens_revoke_all(user=user, reason="deactivated", actor=actor)
    audit_record(action="update", user=actor, obj=user, changes={"is_active": [not active, active]})


ADMIN_ROLES_CREATABLE = tuple(r for r in Role.values if r in policy.ADMIN_ROLES)  # sysadmin, secadmin, auditor


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


# --- API tokens (issue 11) -------------------------------------------------------------------

TOKEN_TOUCH_SECONDS = 300  # last_used_at is written at most this often per token


def _token_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def token_issue(*, user: User, name: str = "", request: Any = None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns it and its key (shown once, stored only hashed)."""
    import secrets

    key = secrets.token_hex(20)
    days = int(getattr(settings, "KEYPROJECTS_API_TOKEN_DAYS", 30))
    token = ApiToken(
        user=user,
        key_hash=_token_hash(key),
        prefix=key[:8],
        name=(name or "").strip()[:100],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    try:
        token.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    token.save()
    audit_record(action="token_create", user=user, request=request, obj=token, changes={"expires_at": token.expires_at})
    return token, key


def token_user(key: str) -> User | None:
    """The active user a valid, unexpired token belongs to (None otherwise)."""
    if not key or len(key) > 200:
        return None
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(key), expires_at__gt=now).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, user: User, token_id: int, request: Any = None) -> None:
    """The owner revokes one of their tokens; another user's token is 'not found'."""
    from keyprojects.core.errors import NotFound

    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound()
    audit_record(action="token_revoke", user=user, request=request, obj=token, message="用户撤销")
    token.delete()


def tokens_revoke_all(*, user: User, reason: str, actor: Any = None, request: Any = None) -> int:
    """Revoke every token of ``user`` (password change, deactivation, role or scope change)."""
    n, _ = ApiToken.objects.filter(user=user).delete()
    if n:
        audit_record(
            action="token_revoke",
            user=actor if actor is not None else (None if request is not None else user),
            request=request,
            obj=user,
            changes={"count": n, "reason": reason},
        )
    return n
