"""Writes of the bulletin's settings (发文机关, 文号, 主送, top N per region): keyword-only,
validated, audited old → new, optimistic version check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import PermissionDenied, ValidationFailed
from keyprojects.core.models import save_versioned

from .models import BulletinSetting

SETTING_FIELDS = ["issuer", "doc_number", "recipients", "top_n"]


def can_edit_bulletin_setting(user: Any, region: Any) -> bool:
    """The province's or the city's own staff (a superuser too) set how its bulletin is issued
    (``accounts.policy.can_set_bulletin``)."""
    return policy.can_set_bulletin(user, region)


@transaction.atomic
def bulletin_setting_save(
    *,
    user: Any,
    region: Any,
    issuer: str,
    doc_number: str,
    recipients: str,
    top_n: int,
    expected_version: int | None = None,
    request: Any = None,
) -> BulletinSetting:
    if not can_edit_bulletin_setting(user, region):
        raise PermissionDenied(gettext_noop("只有本级省、市业务人员可以设置通报"))
    setting = BulletinSetting.objects.filter(region=region).first()
    old = {f: getattr(setting, f) for f in SETTING_FIELDS} if setting else {}
    created = setting is None
    if setting is None:
        setting = BulletinSetting(region=region)
    setting.issuer, setting.doc_number, setting.recipients, setting.top_n = issuer.strip(), doc_number.strip(), recipients.strip(), top_n
    try:
        setting.full_clean(exclude=["version"] if created else ["version", "region"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    if created:
        setting.save()
    else:
        save_versioned(setting, expected_version=expected_version or setting.version, fields=SETTING_FIELDS)
    audit_record(
        action="config",
        user=user,
        request=request,
        obj=setting,
        changes=diff(old, {f: getattr(setting, f) for f in SETTING_FIELDS}),
        message=f"{'设置' if created else '修改'}通报：{region.name}",
    )
    return setting
