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
from django.utils.translation import gettext_lazy, gettext_noop

from keyprojects.audit.services import audit_record
from keyprojects.core.context import client_ip
from keyprojects.core.errors import Message, ValidationFailed

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


# --- the user-management area (三权分立, issue 11) ----------------------------------------------
# The system administrator creates, disables/enables and unlocks accounts and issues one-time
# passwords; the security administrator assigns roles and scopes. Nobody acts on their own account
# or on another administrator's (policy.may_act_on_account); every action is audited.


def _require(allowed: bool, message: str) -> None:
    from keyprojects.core.errors import PermissionDenied

    if not allowed:
        raise PermissionDenied(message)


def _one_time_password(user: User) -> str:
    password = throwaway_password()
    while True:
        try:
            validate_password(password, user)
            return password
        except ValidationError:
            password = throwaway_password()


def _new_account(*, username: str, last_name: str, first_name: str, email: str, phone: str) -> User:
    return User(
        username=(username or "").strip(),
        last_name=(last_name or "").strip(),
        first_name=(first_name or "").strip(),
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        role=Role.PENDING,
        must_change_password=True,
    )


def account_field_errors(
    *, username: str, last_name: str = "", first_name: str = "", email: str = "", phone: str = ""
) -> dict[str, list[str]]:
    """Every message the model's rules give a new account's fields (user name taken or invalid,
    telephone, e-mail …), all at once and in the active language: the form shows them together
    instead of one after the other. :func:`account_create` checks the same rules again."""
    try:
        _new_account(username=username, last_name=last_name, first_name=first_name, email=email, phone=phone).full_clean(
            exclude=["password"]
        )
    except ValidationError as exc:
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {}


@transaction.atomic
def account_create(
    *, actor: Any, username: str, last_name: str = "", first_name: str = "", email: str = "", phone: str = "", request: Any = None
) -> tuple[User, str]:
    """A new account without any rights (role 待分配角色) and a one-time password that must be
    changed at first login. Returns the user and the password (shown once, never stored)."""
    from . import policy
    from .choices import Role

    _require(policy.can_manage_accounts(actor), gettext_noop("只有系统管理员可以创建账户"))
    user = _new_account(username=username, last_name=last_name, first_name=first_name, email=email, phone=phone)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    password = _one_time_password(user)
    user.set_password(password)
    user.save()
    audit_record(
        action="create",
        user=actor,
        request=request,
        obj=user,
        changes={"role": Role.PENDING, "change_at_first_login": True, "name": user.get_full_name()},
    )
    return user, password


@transaction.atomic
def account_set_active(*, actor: Any, target: User, active: bool, request: Any = None) -> None:
    from . import policy

    _require(policy.can_manage_accounts(actor), gettext_noop("只有系统管理员可以停用或启用账户"))
    _require(policy.may_act_on_account(actor, target), gettext_noop("不能操作本人或其他管理员的账户"))
    User.objects.filter(pk=target.pk).update(is_active=active)
    target.is_active = active
    if not active:
        user_end_sessions(user=target)
        tokens_revoke_all(user=target, reason="deactivated", actor=actor, request=request)
    audit_record(action="update", user=actor, request=request, obj=target, changes={"is_active": [not active, active]})


def account_unlock(*, actor: Any, target: User, request: Any = None) -> int:
    from . import policy

    _require(policy.can_unlock(actor), gettext_noop("只有系统管理员可以解除锁定"))
    _require(policy.may_act_on_account(actor, target), gettext_noop("不能操作本人或其他管理员的账户"))
    return login_unlock(username=target.get_username(), user=actor, request=request)


def address_unblock(*, actor: Any, ip: str, request: Any = None) -> int:
    from . import policy

    _require(policy.can_unlock(actor), gettext_noop("只有系统管理员可以解除锁定"))
    return login_unblock_address(ip=ip, user=actor, request=request)


@transaction.atomic
def account_reset_password(*, actor: Any, target: User, request: Any = None) -> str:
    """Issue a one-time password: the old one stops working, the user's sessions and API tokens
    end, and the user must choose a new password at the next login. Returns the password."""
    from . import policy

    _require(policy.can_manage_accounts(actor), gettext_noop("只有系统管理员可以重置密码"))
    _require(policy.may_act_on_account(actor, target), gettext_noop("不能重置本人或其他管理员的密码"))
    password = _one_time_password(target)
    if target.password:
        PasswordHistory.objects.create(user=target, password=target.password)
    target.set_password(password)
    target.must_change_password = True
    target.password_changed_at = timezone.now()
    target.save(update_fields=["password", "must_change_password", "password_changed_at"])
    user_end_sessions(user=target)
    tokens_revoke_all(user=target, reason="password_reset", actor=actor, request=request)
    audit_record(action="password_reset", user=actor, request=request, obj=target, changes={"change_at_first_login": True})
    return password


@transaction.atomic
def account_assign(
    *, actor: Any, target: User, role: str, region: Any = None, unit: Any = None, enterprise: Any = None, request: Any = None
) -> User:
    """Give ``target`` a business role and the region / unit / enterprise that role needs; every
    API token of the user ends and, when the role or scope changed, every session."""
    from . import policy
    from .choices import Role

    _require(policy.can_assign_roles(actor), gettext_noop("只有安全管理员可以分配角色和范围"))
    _require(policy.may_act_on_account(actor, target), gettext_noop("不能修改本人或其他管理员的角色和范围"))
    if role not in policy.ASSIGNABLE_ROLES:
        raise ValidationFailed(extra={"fields": {"role": [gettext_noop("只能分配业务角色")]}})
    fields: dict[str, list[str]] = {}
    if role in policy.REGION_ROLES:
        unit = enterprise = None
        wanted = {Role.PROVINCE: "province", Role.CITY: "city", Role.COUNTY: "county"}.get(Role(role))
        if region is None:
            fields["region"] = [gettext_noop("该角色须选择所属区划")]
        elif wanted and region.level != wanted:
            level = {"province": gettext_noop("省"), "city": gettext_noop("市"), "county": gettext_noop("县（市、区）")}[wanted]
            fields["region"] = [Message(gettext_noop("%(role)s须对应%(level)s级区划"), role=Role(role).label, level=gettext_lazy(level))]
    elif role == Role.DEPARTMENT:
        region = enterprise = None
        if unit is None:
            fields["unit"] = [gettext_noop("部门工作人员须选择所属单位")]
    elif role == Role.ENTERPRISE:
        region = unit = None
        if enterprise is None:
            fields["enterprise"] = [gettext_noop("企业联系人须选择所属企业")]
    else:  # pending
        region = unit = enterprise = None
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    old = {"role": target.role, "region": target.region_id, "unit": target.unit_id, "enterprise": target.enterprise_id}
    target.role = role
    target.region = region
    target.unit = unit
    target.enterprise = enterprise
    new = {"role": target.role, "region": target.region_id, "unit": target.unit_id, "enterprise": target.enterprise_id}
    try:
        target.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    target.save(update_fields=["role", "region", "unit", "enterprise"])
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    if changes:
        user_end_sessions(user=target)
        tokens_revoke_all(user=target, reason="role_change", actor=actor, request=request)
    audit_record(action="role_assign", user=actor, request=request, obj=target, changes=changes)
    return target
