"""政企合作协议 (agreements with commitments on both sides) and the 一企一策 records of an
enterprise (包联 liaison, 帮扶措施, 政策兑现) — issue 15, items 3 and 4.

Scope follows the agreement's region (region roles), its signatory unit or a unit owing one of
its commitments (departments) and its enterprise (an enterprise contact sees its own only);
the profile records follow the enterprise's visibility. Roles are asked of
:mod:`keyprojects.accounts.policy` through :func:`keyprojects.core.scope.scope_q`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from keyprojects.accounts import policy
from keyprojects.core.models import VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import NOTHING, ScopedQuerySet, region_rows, scope_q
from keyprojects.core.validators import validate_phone

from .choices import DEFAULT_ALERT_DAYS, KINDS_OF, SETTLED, AgreementSource, CommitmentKind, CommitmentState, CommitmentStatus, Party


class PartnershipConfig(VersionedModel):
    """The one row of 政企合作 settings (pk=1), kept by province business staff under /config/."""

    alert_days = models.PositiveSmallIntegerField(
        _("到期前提醒天数"), default=DEFAULT_ALERT_DAYS, help_text=_("承诺距履约期限不超过该天数时列入履约提醒（0–365）")
    )

    class Meta:
        verbose_name = _("政企合作设置")
        verbose_name_plural = _("政企合作设置")
        constraints = [models.CheckConstraint(condition=Q(alert_days__lte=365), name="partnership_alert_days_range")]

    def __str__(self) -> str:
        return str(_("政企合作设置"))


class AgreementQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        def unit(pk: int) -> Q:
            owed = Commitment.objects.filter(owner_unit_id=pk).values("agreement_id")
            return Q(signatory_unit_id=pk) | Q(pk__in=owed)

        return scope_q(user, region=region_rows("region__", county_field="code"), unit=unit, enterprise=lambda pk: Q(enterprise_id=pk))

    def _editable_q(self, user: Any) -> Q:
        """Region staff keep the agreements of their region (a department and an enterprise
        only record their own commitments' fulfilment: :func:`policy.can_claim_commitment`)."""
        if not policy.can_record_agreements(user):
            return NOTHING
        return scope_q(user, region=region_rows("region__", county_field="code"))


class Agreement(VersionedModel):
    """A 政企合作协议 signed by a government unit and an enterprise, with commitments on both sides."""

    title = models.CharField(_("协议名称"), max_length=200)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="agreements")
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    signatory_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("政府签约单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signatory_name = models.CharField(_("签约单位名称"), max_length=100, blank=True, help_text=_("未选择单位时填写，如：XX区人民政府"))
    signed_on = models.DateField(_("签约日期"))
    amount = money_field(_("协议金额（万元）"), default=0)
    projects = models.ManyToManyField("projects.Project", verbose_name=_("关联项目"), blank=True, related_name="agreements")
    source = models.CharField(_("来源"), max_length=20, choices=AgreementSource.choices, blank=True, default="")
    source_ref = models.CharField(_("来源记录"), max_length=64, blank=True, help_text=_("来源记录的编号，如招商线索ID"))
    note = models.CharField(_("备注"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("政企合作协议")
        verbose_name_plural = _("政企合作协议")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_amount_not_negative"),
            models.UniqueConstraint(fields=["source", "source_ref"], condition=~Q(source_ref=""), name="agreement_unique_source_ref"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def signatory(self) -> str:
        return str(self.signatory_unit) if self.signatory_unit_id else self.signatory_name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.signatory_unit_id and not (self.signatory_name or "").strip():
            errors["signatory_unit"] = ["请选择或填写政府签约单位"]
        if self.source_ref and not self.source:
            errors["source"] = ["填写来源记录时须选择来源"]
        if errors:
            raise ValidationError(errors)


def achieved_slip(target: Any, achieved: Any, *, slip_factor: int) -> int | None:
    """How many times ``target`` an ``achieved`` value of ``slip_factor`` times it or more is
    (rounded down; a figure in 元 typed as 万元?), as the monthly report and a project's total
    investment say a figure that far off (``DispatchConfig.slip_factor``, the one setting); None
    when it is less or either is missing (or the target is 0). The value is kept either way."""
    if target is None or achieved is None or target <= 0 or achieved < target * slip_factor:
        return None
    return int(achieved // target)


class CommitmentQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return Q(agreement__in=Agreement.objects.visible_to(user).values("pk"))


def evidence_path(instance: Commitment, filename: str) -> str:
    return f"agreements/{instance.agreement_id}/{instance.pk or 'new'}/{filename}"


class Commitment(VersionedModel):
    """One promise of an agreement: who owes it (party, owner unit), what (kind, target and
    measure) by when (due date), and its fulfilment — recorded with evidence by one person,
    confirmed by another (four eyes). ``claimed_at`` and ``confirmed_at`` are when the latest
    claim was recorded and when it was confirmed: the status on a past day follows from them
    (:func:`.selectors.status_on`)."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="commitments")
    party = models.CharField(_("承诺方"), max_length=12, choices=Party.choices)
    kind = models.CharField(_("承诺类别"), max_length=12, choices=CommitmentKind.choices)
    description = models.CharField(_("承诺内容"), max_length=500)
    target_value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4, null=True, blank=True)
    measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    due_on = models.DateField(_("履约期限"))
    owner_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("履约状态"), max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    achieved_value = models.DecimalField(_("实际完成值"), max_digits=16, decimal_places=4, null=True, blank=True)
    claimed_result = models.CharField(_("申报结果"), max_length=12, choices=CommitmentStatus.choices, blank=True)
    evidence_text = models.CharField(_("履约佐证"), max_length=1000, blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_content_type = models.CharField(_("材料类型"), max_length=60, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("履约登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_on = models.DateField(_("履约日期"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("登记时间"), null=True, blank=True, help_text=_("最近一次登记履约情况的时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("a second person confirming a record", "确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(pgettext_lazy("a second person confirming a record", "确认时间"), null=True, blank=True)
    confirm_note = models.CharField(_("确认意见"), max_length=500, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_id", "due_on", "id"]
        verbose_name = _("协议承诺")
        verbose_name_plural = _("协议承诺")
        constraints = [
            models.CheckConstraint(condition=Q(target_value__isnull=True) | Q(target_value__gte=0), name="commitment_target_not_negative"),
            models.CheckConstraint(
                condition=Q(achieved_value__isnull=True) | Q(achieved_value__gte=0), name="commitment_achieved_not_negative"
            ),
            # the status on a past day follows from these two moments (selectors.status_on)
            models.CheckConstraint(
                condition=Q(status=CommitmentStatus.OPEN) | Q(claimed_at__isnull=False), name="commitment_claim_has_time"
            ),
            models.CheckConstraint(condition=~Q(status__in=SETTLED) | Q(confirmed_at__isnull=False), name="commitment_settled_has_time"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="commitment_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.get_party_display()}：{self.description[:30]}"

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED

    def state(self, today: dt.date, days: int) -> str:
        """:class:`CommitmentState` on ``today`` with an alert window of ``days`` before the due date."""
        if self.status != CommitmentStatus.OPEN:
            return str(self.status)
        if self.due_on < today:
            return CommitmentState.OVERDUE
        if (self.due_on - today).days <= days:
            return CommitmentState.DUE_SOON
        return CommitmentState.NOT_DUE

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.party in KINDS_OF and self.kind not in KINDS_OF[self.party]:
            errors["kind"] = [gettext_noop("承诺类别与承诺方不符")]
        if self.target_value is not None and self.target_value < 0:
            errors["target_value"] = [gettext_noop("目标值不能为负数")]
        if self.achieved_value is not None and self.achieved_value < 0:
            errors["achieved_value"] = [gettext_noop("实际完成值不能为负数")]
        if self.target_value is not None and not (self.measure or "").strip():
            errors["measure"] = [gettext_noop("填写目标值时须填写计量单位")]
        signed_on = self.agreement.signed_on if self.agreement_id else None
        if self.due_on and signed_on and self.due_on < signed_on:  # a promise falls due after it is made
            errors["due_on"] = [gettext_noop("履约期限不能早于协议签订日期")]
        if self.status != CommitmentStatus.OPEN and not (self.evidence_text or "").strip() and not self.evidence_file:
            errors["evidence_text"] = [gettext_noop("登记履约情况须提供佐证说明或材料")]
        if errors:
            raise ValidationError(errors)


# --- 一企一策 -----------------------------------------------------------------------------------


class EnterpriseRecordQuerySet(ScopedQuerySet):
    """Records of one enterprise: visible with the enterprise; kept by region staff over it."""

    def _visible_q(self, user: Any) -> Q:
        from keyprojects.enterprises.models import Enterprise

        return Q(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))

    def _editable_q(self, user: Any) -> Q:
        if not policy.can_keep_enterprise_profile(user):
            return NOTHING
        from keyprojects.enterprises.models import Enterprise

        return Q(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))


class EnterpriseLiaison(VersionedModel):
    """The 包联 official of an enterprise (one per enterprise): the government user who follows it."""

    enterprise = models.OneToOneField("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="liaison")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("包联干部"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    since = models.DateField(_("包联起始日期"), null=True, blank=True)

    objects = EnterpriseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("包联干部")
        verbose_name_plural = _("包联干部")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.official}"


class AssistanceMeasure(VersionedModel):
    """A 帮扶措施 for an enterprise: what was done, by whom, when, and with what result."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="assistance_measures"
    )
    measure = models.CharField(_("帮扶措施"), max_length=500)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("帮扶单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_whom = models.CharField(_("帮扶人/单位"), max_length=100, blank=True)
    taken_on = models.DateField(_("实施日期"))
    result = models.CharField(_("帮扶成效"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EnterpriseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")

    def __str__(self) -> str:
        return self.measure[:40]

    def clean(self) -> None:
        if not self.unit_id and not (self.by_whom or "").strip():
            raise ValidationError({"by_whom": [_("请选择帮扶单位或填写帮扶人")]})


class PolicyGrant(VersionedModel):
    """A 政策兑现 to an enterprise: which policy, how much (万元), when."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="policy_grants")
    name = models.CharField(_("政策名称"), max_length=200)
    amount = money_field(_("兑现金额（万元）"), default=0)
    granted_on = models.DateField(_("兑现日期"))
    unit = models.ForeignKey("regions.Unit", verbose_name=_("兑现单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EnterpriseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_on", "-id"]
        verbose_name = _("政策兑现")
        verbose_name_plural = _("政策兑现")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="policy_grant_amount_not_negative")]

    def __str__(self) -> str:
        return self.name
