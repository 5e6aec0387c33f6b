"""Open311 API keys per enterprise (issue 15): issued by the system administrator (page or
``manage.py open311_key``), shown once, stored only as a SHA-256 hash; revoked, never deleted."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import PermissionDenied, ValidationFailed
from keyprojects.enterprises.models import Enterprise

from .models import Open311Key

KEY_PREFIX = "o311_"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find_enterprise(ref: Any) -> Enterprise:
    """An enterprise by its id or its 统一社会信用代码."""
    text = str(ref or "").strip().upper()
    ent = None
    if text.isdigit() and len(text) < 18:
        ent = Enterprise.objects.filter(pk=int(text)).first()
    if ent is None and text:
        ent = Enterprise.objects.filter(uscc=text).first()
    if ent is None:
        raise ValidationFailed(
            gettext_noop("企业不存在（请填写企业 ID 或统一社会信用代码）"), extra={"fields": {"enterprise": [gettext_noop("企业不存在")]}}
        )
    return ent


@transaction.atomic
def open311_key_issue(*, user: Any, enterprise: Enterprise, name: str = "", request: Any = None) -> tuple[Open311Key, str]:
    """A new key for ``enterprise``: answers the row and the key (shown once). ``user`` None is
    the command line."""
    if user is not None and not policy.can_manage_open311_keys(user):
        raise PermissionDenied()
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        enterprise=enterprise, key_hash=hash_key(raw), prefix=raw[len(KEY_PREFIX) : len(KEY_PREFIX) + 8], name=name[:100], created_by=user
    )
    audit_record(
        action="open311.key_issue",
        user=user,
        request=request,
        obj=key,
        changes={"enterprise": enterprise.pk},
        username="" if user else "manage.py",
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, user: Any, key: Open311Key, request: Any = None) -> Open311Key:
    if user is not None and not policy.can_manage_open311_keys(user):
        raise PermissionDenied()
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action="open311.key_revoke", user=user, request=request, obj=key, changes={"enterprise": key.enterprise_id})
    return key


def open311_key_lookup(raw: str | None) -> Open311Key | None:
    """The live key ``raw`` names (None when unknown or revoked); notes its last use."""
    if not raw:
        return None
    key = Open311Key.objects.select_related("enterprise", "enterprise__region").filter(key_hash=hash_key(str(raw)), revoked_at=None).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
