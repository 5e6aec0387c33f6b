"""Writes of 双考核双评价: scheme configuration (audited old → new) and the one snapshot per
scheme and closed period.

A snapshot is computed from a closed period only (its facts and summaries are frozen) and never
recomputed: asking again returns the stored result, byte for byte.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed

from .assessment import assessment_compute, result_digest, schemes_visible_to
from .models import AssessmentScheme, AssessmentSnapshot

SCHEME_FIELDS = ["name", "unit_kind", "region_id", "indicators", "description", "is_active"]


class PeriodNotClosed(ApplicationError):
    code = "period_not_closed"
    status = 409
    default_message = "该调度期尚未关账，不能计算考核得分"


def period_closed_for(*, period: Any, region: Any) -> bool:
    """Whether ``period`` is closed for ``region`` (the province, or a city closed on its own)."""
    from keyprojects.dispatch.selectors import closed_region_codes

    if period.status == "closed":
        return True
    codes = {region.code, region.province_code, getattr(region, "city_code", "")} - {""}
    return bool(codes & closed_region_codes(period))


def can_manage_schemes(user: Any) -> bool:
    """Assessment schemes are business configuration: province staff (accounts.policy)."""
    return policy.can_manage_config(user)


def can_assess(user: Any, scheme: AssessmentScheme) -> bool:
    """Province/city staff (or a superuser) whose region holds the scheme may compute it."""
    if not policy.can_assess(user):
        return False
    return schemes_visible_to(user).filter(pk=scheme.pk).exists()


def _values(scheme: AssessmentScheme) -> dict[str, Any]:
    return {f: getattr(scheme, f) for f in SCHEME_FIELDS}


@transaction.atomic
def scheme_save(*, user: Any, scheme: AssessmentScheme, request: Any = None) -> AssessmentScheme:
    """Create or change a scheme (validated, normalised); the audit event carries old → new."""
    if not can_manage_schemes(user):
        raise PermissionDenied("只有系统管理员可以配置考核方案")
    old = dict(AssessmentScheme.objects.filter(pk=scheme.pk).values(*SCHEME_FIELDS).first() or {}) if scheme.pk else {}
    try:
        scheme.full_clean(exclude=["version"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    created = scheme.pk is None
    if not created:
        scheme.version += 1
    scheme.save()
    audit_record(
        action="config",
        user=user,
        request=request,
        obj=scheme,
        changes=diff(old, _values(scheme)),
        message="新增考核方案" if created else "修改考核方案",
    )
    return scheme


@transaction.atomic
def scheme_delete(*, user: Any, scheme: AssessmentScheme, request: Any = None) -> None:
    if not can_manage_schemes(user):
        raise PermissionDenied("只有系统管理员可以配置考核方案")
    if scheme.snapshots.exists():
        raise ApplicationError("该方案已有考核结果，不能删除（可停用）", code="scheme_in_use")
    gone = {f: [v, None] for f, v in _values(scheme).items()}
    audit_record(action="config", user=user, request=request, obj=scheme, changes=gone, message="删除考核方案")
    scheme.delete()


def assessment_snapshot(*, user: Any, scheme: AssessmentScheme, period: Any, request: Any = None) -> tuple[AssessmentSnapshot, bool]:
    """The snapshot of ``scheme`` for ``period``: the stored one, or computed and stored now
    (only for a period closed for the scheme's range). Returns (snapshot, created)."""
    if not can_assess(user, scheme):
        raise NotFound()
    existing = AssessmentSnapshot.objects.filter(scheme=scheme, period=period).first()
    if existing is not None:
        return existing, False
    if not period_closed_for(period=period, region=scheme.region):
        raise PeriodNotClosed(f"{period}尚未关账（{scheme.region.name}），考核只能基于已关账的调度期计算")
    result = assessment_compute(scheme=scheme, period=period)
    try:
        with transaction.atomic():
            snapshot = AssessmentSnapshot.objects.create(
                scheme=scheme, period=period, result=result, digest=result_digest(result), computed_by=user
            )
            audit_record(
                action="assessment_compute",
                user=user,
                request=request,
                obj=snapshot,
                changes={"scheme": scheme.pk, "period": period.label, "digest": snapshot.digest, "units": len(result["units"])},
                message=f"计算考核结果：{scheme.name} {period}",
            )
    except IntegrityError:
        # computed concurrently by somebody else: theirs is the one
        return AssessmentSnapshot.objects.get(scheme=scheme, period=period), False
    return snapshot, True
