"""“泉城好品” brand selection (品牌遴选): a city's selection round (批次) and the enterprises'
applications to it, from the draft to the decision (ADR 0019).

Scope is asked of :mod:`keyprojects.accounts.policy` (:func:`policy.brand_round_scope_q`,
:func:`policy.brand_application_scope_q`): region roles see the rounds of their region (and of
the city or province above them) and the applications in their region, a department those of its
unit's city, an enterprise contact the open rounds of its city and its own applications only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.core.errors import Message
from keyprojects.core.models import VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import NOTHING, ScopedQuerySet

from .choices import DEFAULT_MAX_SELECTED, DEFAULT_REWARD_CEILING, EDITABLE, ApplicationStatus, Category, RoundStatus


class SelectionRoundQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.brand_round_scope_q(user)

    def _editable_q(self, user: Any) -> Q:
        if not policy.can_manage_brand_rounds(user):
            return NOTHING
        return policy.brand_round_scope_q(user, managed=True)


class SelectionRound(VersionedModel):
    """One 批次 of the “泉城好品” selection of a city (第一批: at most 40 brands, up to 10万元 each)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("组织地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("批次名称"), max_length=100)
    max_selected = models.PositiveSmallIntegerField(_("入选上限（个）"), default=DEFAULT_MAX_SELECTED)
    reward_ceiling = money_field(_("奖励上限（万元/家）"), default=DEFAULT_REWARD_CEILING)
    opens_on = models.DateField(_("申报开始日期"))
    closes_on = models.DateField(_("申报截止日期"))
    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SelectionRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-opens_on", "-id"]
        verbose_name = _("品牌遴选批次")
        verbose_name_plural = _("品牌遴选批次")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"], name="brand_round_unique_name"),
            models.CheckConstraint(condition=Q(max_selected__gt=0), name="brand_round_cap_positive"),
            models.CheckConstraint(condition=Q(reward_ceiling__gte=0), name="brand_round_ceiling_not_negative"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="brand_round_window_ordered"),
        ]

    def __str__(self) -> str:
        return _("%(year)s年%(name)s") % {"year": self.year, "name": self.name}

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = [gettext_noop("申报截止日期不能早于开始日期")]
        if self.max_selected is not None and self.max_selected <= 0:
            errors["max_selected"] = [gettext_noop("入选上限须大于0")]
        if self.opens_on and self.year and self.opens_on.year != self.year:
            errors["opens_on"] = [gettext_noop("申报开始日期须在该年度内")]
        if errors:
            raise ValidationError(errors)


class BrandApplicationQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.brand_application_scope_q(user)

    def _editable_q(self, user: Any) -> Q:
        """The applicant's side: an enterprise contact its own drafts and returned applications,
        region staff those they see (on the enterprise's behalf)."""
        if not policy.can_enter_brand_application(user):
            return NOTHING
        return policy.brand_application_scope_q(user) & Q(status__in=EDITABLE)


def attachment_path(instance: BrandApplication, filename: str) -> str:
    return f"brands/{instance.round_id}/{instance.enterprise_id}/{filename}"


class BrandApplication(VersionedModel):
    """An enterprise's application for one brand in one round: what it declares, the preliminary
    review, the score and the decision (each by a different person than the one before)."""

    round = models.ForeignKey(SelectionRound, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("申报企业"), on_delete=models.PROTECT, related_name="brand_applications"
    )
    category = models.CharField(_("申报类别"), max_length=10, choices=Category.choices)
    brand_name = models.CharField(_("品牌名称"), max_length=100)
    trademark_no = models.CharField(_("注册商标号"), max_length=32, blank=True)
    trademark_valid_until = models.DateField(_("商标有效期至"), null=True, blank=True)
    years_in_city = models.PositiveSmallIntegerField(_("在济经营年限（年）"), default=0)
    has_valid_trademark = models.BooleanField(_("拥有有效注册商标"), default=False)
    is_cultivation_enterprise = models.BooleanField(_("属于省级或济南市高端品牌培育入选企业"), default=False)
    has_quality_system = models.BooleanField(_("建立质量管理和监测体系"), default=False)
    is_advanced = models.BooleanField(_("生产技术先进（产品类）或服务模式创新（服务类）"), default=False)
    in_haopin_shandong = models.BooleanField(
        _("已入选“好品山东”"), default=False, help_text=_("已入选“好品山东”的产品（服务）不得重复申报")
    )
    description = models.TextField(_("品牌简介"), max_length=2000, blank=True)
    attachment = models.FileField(_("申报材料"), upload_to=attachment_path, blank=True)
    attachment_content_type = models.CharField(_("材料类型"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    review_note = models.CharField(_("初审意见"), max_length=500, blank=True)
    score = models.DecimalField(_("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    decision_note = models.CharField(_("认定意见"), max_length=500, blank=True)
    reward_cap = money_field(_("奖励上限（万元）"), default=DEFAULT_REWARD_CEILING, help_text=_("创建时取自批次，批次开放后不再变化"))
    reward_amount = money_field(_("奖励金额（万元）"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    # everyone who ever entered or corrected the score (four eyes: none of them decides it)
    scorer_ids = models.JSONField(_("评分录入人（历次）"), default=list, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("认定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    objects = BrandApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "-score", "id"]
        verbose_name = _("品牌申报")
        verbose_name_plural = _("品牌申报")
        constraints = [
            # 每个品牌主体每年只能申报一个类别: one application per enterprise per round
            models.UniqueConstraint(fields=["round", "enterprise"], name="brand_application_one_per_round"),
            models.CheckConstraint(condition=Q(reward_cap__gte=0), name="brand_application_cap_not_negative"),
            models.CheckConstraint(
                condition=Q(reward_amount__isnull=True) | (Q(reward_amount__gte=0) & Q(reward_amount__lte=models.F("reward_cap"))),
                name="brand_application_reward_within_ceiling",
            ),
            models.CheckConstraint(
                condition=Q(reward_amount__isnull=True) | Q(status=ApplicationStatus.SELECTED),
                name="brand_application_reward_only_selected",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="brand_application_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="brand_application_round_status")]

    def __str__(self) -> str:
        return f"{self.brand_name}（{self.enterprise}）"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.reward_amount is not None:
            if self.reward_amount < 0:
                errors["reward_amount"] = [gettext_noop("奖励金额不能为负数")]
            elif self.reward_amount > (self.reward_cap or Decimal(0)):
                errors["reward_amount"] = [Message(gettext_noop("奖励金额不能超过%(cap)s万元"), cap=f"{self.reward_cap.normalize():f}")]
            elif self.status != ApplicationStatus.SELECTED:
                errors["reward_amount"] = [gettext_noop("只有入选的品牌才有奖励金额")]
        if self.score is not None and not (0 <= self.score <= 100):
            errors["score"] = [gettext_noop("得分应在0到100之间")]
        if errors:
            raise ValidationError(errors)
