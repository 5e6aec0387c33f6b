"""Writes of 双考核双评价: scheme configuration (audited old → new) and the one snapshot per
scheme and closed period.

A snapshot is computed from a closed period only (its facts and summaries are frozen) and never
recomputed: asking again returns the stored result, byte for byte.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ApplicationError, Message, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.money import format_period

from .assessment import assessment_compute, result_digest, schemes_visible_to
from .models import AssessmentScheme, AssessmentSnapshot

SCHEME_FIELDS = ["name", "unit_kind", "region_id", "indicators", "description", "is_active"]


class PeriodNotClosed(ApplicationError):
    code = "period_not_closed"
    status = 409
    default_message = gettext_noop("该调度期尚未关账，不能计算考核得分")


def period_closed_for(*, period: Any, region: Any, closed_codes: set[str] | None = None) -> bool:
    """Whether ``period`` is closed for ``region`` (the province, or a city closed on its own;
    ``region`` None: closed for the province). ``closed_codes``: the period's
    ``dispatch.selectors.closed_region_codes`` when read once for many periods."""
    from keyprojects.dispatch.selectors import closed_region_codes

    if period.status == "closed":
        return True
    if region is None:
        return False
    codes = {region.code, region.province_code, getattr(region, "city_code", "")} - {"", None}
    return bool(codes & (closed_region_codes(period) if closed_codes is None else closed_codes))


def periods_closed_for(periods: Any, region: Any) -> set[int]:
    """The pks of ``periods`` closed for ``region`` (:func:`period_closed_for`), the closures read
    in one query: a page's list of months (dashboard, exports)."""
    from keyprojects.dispatch.selectors import closed_codes_by_period

    periods = list(periods)
    codes = closed_codes_by_period(p.pk for p in periods)
    return {p.pk for p in periods if period_closed_for(period=p, region=region, closed_codes=codes.get(p.pk, set()))}


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
    region = scheme.region if scheme.region_id else None
    if not (can_manage_schemes(user) or policy.can_edit_schemes(user, region)):
        raise PermissionDenied(gettext_noop("只有省、市业务人员（或系统管理员）可以配置本级考核方案"))
    if scheme.pk and not can_manage_schemes(user):
        stored = AssessmentScheme.objects.filter(pk=scheme.pk).select_related("region").first()
        if stored is None or not policy.can_edit_schemes(user, stored.region):
            raise PermissionDenied(gettext_noop("只能修改本级及下级的考核方案"))
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
        raise PermissionDenied(gettext_noop("只有系统管理员可以配置考核方案"))
    if scheme.snapshots.exists():
        raise ApplicationError(gettext_noop("该方案已有考核结果，不能删除（可停用）"), code="scheme_in_use")
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
        raise PeriodNotClosed(
            Message(
                gettext_noop("%(period)s尚未关账（%(region)s），考核只能基于已关账的调度期计算"),
                period=lazy(format_period, str)(period),  # 2026年2月 as written, Feb 2026 in English
                region=scheme.region.name,
            )
        )
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


def can_publish(user: Any, scheme: AssessmentScheme) -> bool:
    """Who computes ``scheme``'s results publishes them (accounts.policy.can_publish_assessment)."""
    return policy.can_publish_assessment(user, scheme.region) and can_assess(user, scheme)


@transaction.atomic
def assessment_publish(*, user: Any, snapshot: AssessmentSnapshot, request: Any = None) -> bool:
    """Publish a stored result to the assessed units (accounts.policy.assessed_key): from now on
    each reads the ranking and its own explanation. Done once and audited; publishing again
    changes nothing (returns False). A user who may not publish it: 404 if they cannot compute
    the scheme either, else 403."""
    scheme = snapshot.scheme
    if not can_publish(user, scheme):
        if not can_assess(user, scheme):
            raise NotFound()
        raise PermissionDenied(gettext_noop("只有本级省、市业务人员可以发布考核结果"))
    now = timezone.now()
    changed = AssessmentSnapshot.objects.filter(pk=snapshot.pk, published_at__isnull=True).update(published_at=now, published_by=user)
    if not changed:  # published before (perhaps a moment ago, by somebody else)
        snapshot.refresh_from_db(fields=["published_at", "published_by"])
        return False
    snapshot.published_at, snapshot.published_by = now, user
    audit_record(
        action="assessment_publish",
        user=user,
        request=request,
        obj=snapshot,
        changes={"scheme": scheme.pk, "period": snapshot.period.label, "digest": snapshot.digest, "published_at": now.isoformat()},
        message=f"发布考核结果：{scheme.name} {snapshot.period}",
    )
    return True


@transaction.atomic
def default_schemes_install(*, province: Any, cities: tuple[Any, ...] = ()) -> list[AssessmentScheme]:
    """The default 双考核双评价 schemes (``assessment.DEFAULT_INDICATORS``): the cities of
    ``province`` and the counties of each of ``cities``. A scheme of the same name is left as it
    is (its staff may have changed it). Used by ``seed_demo``; audited like any scheme change."""
    from .assessment import DEFAULT_INDICATORS

    installed = []
    year = timezone.localdate().year
    for region, kind_word in [(province, "各市"), *((c, "各县（市、区）") for c in cities)]:
        name = f"{region.name}重点项目双考核双评价（{kind_word}）"
        if AssessmentScheme.objects.filter(name=name).exists():
            continue
        scheme = AssessmentScheme(
            name=name,
            unit_kind="region",
            region=region,
            indicators=DEFAULT_INDICATORS,
            description=f"{year}年默认方案：年度投资完成率40%、序时进度20%、开工率15%、竣工投产率10%、按时报送率10%、问题办结率5%。",
        )
        try:
            scheme.full_clean(exclude=["version"])
        except ValidationError as exc:
            raise ValidationFailed.from_django(exc) from exc
        scheme.save()
        audit_record(action="config", obj=scheme, changes=diff({}, _values(scheme)), message="安装默认考核方案", username="seed_demo")
        installed.append(scheme)
    return installed
