"""招商引资 (issue 16): leads from the first contact to a producing project, one chain of records
lead → agreement (政企合作协议) → project (项目库) → monthly figures.

Scope (confidentiality): a lead is visible to its own region and the regions above it, and to
the staff of its responsible unit — never to a peer county or another city; enterprises see no
leads. The rule is asked of :mod:`keyprojects.accounts.policy` (``lead_scope_q``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext, pgettext_lazy

from keyprojects.accounts import policy
from keyprojects.core.localized import LocalizedName, english_field
from keyprojects.core.models import TimeStampedModel, VersionedModel
from keyprojects.core.scope import NOTHING, ScopedQuerySet
from keyprojects.core.sentences import NUMBER, Sentence, say_again
from keyprojects.core.validators import validate_phone, validate_uscc
from keyprojects.projects.industries import DIVISION_CHOICES, SECTION_CHOICES, division_in_section

from .choices import (
    AWAITING_FUNDS,
    COUNTED_FUNDS,
    ActivityKind,
    EventKind,
    FundEventKind,
    FundStatus,
    InvestorOrigin,
    LeadSource,
    LeadStage,
)


def amount_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """An amount in 万元, Decimal(16, 4) (to the yuan), never negative."""
    return models.DecimalField(  # type: ignore[call-overload,no-any-return]
        verbose_name, max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal(0), message="金额不能为负数")], **kwargs
    )


class IndustryChain(LocalizedName, TimeStampedModel):
    """A key industry chain (产业链) of 链式招商 and its 链长 (the leader answerable for it).
    Pages show ``display_name`` (``name_en`` in the English UI)."""

    name = models.CharField(_("产业链"), max_length=50, unique=True)
    name_en = english_field(_("英文名称"), max_length=100)
    chain_leader = models.ForeignKey(
        "projects.SponsorLeader", verbose_name=_("链长"), null=True, blank=True, on_delete=models.PROTECT, related_name="chains"
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")

    def __str__(self) -> str:
        return self.name


class StageStandard(TimeStampedModel):
    """The service standard of one stage: after how many days without moving a lead is stalled."""

    stage = models.CharField(_("阶段"), max_length=16, choices=LeadStage.choices, unique=True)
    stall_days = models.PositiveSmallIntegerField(_("停滞预警天数"), default=90, help_text=_("线索在本阶段停留超过该天数即预警"))
    description = models.CharField(_("服务标准"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("阶段服务标准")
        verbose_name_plural = _("阶段服务标准")
        constraints = [models.CheckConstraint(condition=Q(stall_days__gte=1), name="stage_standard_stall_days_positive")]

    def __str__(self) -> str:
        n = self.stall_days
        return ngettext("%(stage)s（%(n)s天）", "%(stage)s（%(n)s天）", n) % {"stage": self.get_stage_display(), "n": n}


class ServiceItem(LocalizedName, TimeStampedModel):
    """One item of a stage's service checklist (the Dongying standardisation), e.g. 考察洽谈:
    "组织实地考察", "提供要素保障方案"; ``required`` items must be done before leaving the stage.
    Pages show ``display_name`` (``name_en`` in the English UI)."""

    stage = models.CharField(_("阶段"), max_length=16, choices=LeadStage.choices)
    name = models.CharField(_("服务事项"), max_length=100)
    name_en = english_field(_("英文名称"), max_length=200)
    required = models.BooleanField(_("必办"), default=False, help_text=_("必办事项未完成时不能进入下一阶段"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["stage", "order", "id"]
        verbose_name = _("阶段服务事项")
        verbose_name_plural = _("阶段服务事项")
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="service_item_unique_per_stage")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.name}"


class LeadQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user)

    def _editable_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user) if policy.can_record_leads(user) else NOTHING


class Lead(VersionedModel):
    """A 招商线索: who wants to invest, in what, how much, and where it stands."""

    name = models.CharField(_("项目名称"), max_length=200, help_text=_("拟投资项目的名称"))
    investor_name = models.CharField(_("投资方"), max_length=200)
    investor_uscc = models.CharField(
        _("投资方统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc], help_text=_("省外、境外投资方可不填")
    )
    investor_origin = models.CharField(_("投资方来源"), max_length=16, choices=InvestorOrigin.choices, default=InvestorOrigin.OUT_PROVINCE)
    investor_location = models.CharField(_("投资方所在地"), max_length=100, blank=True, help_text=_("如：广东深圳、德国慕尼黑"))
    source = models.CharField(_("线索来源"), max_length=16, choices=LeadSource.choices)
    source_activity = models.ForeignKey(
        "Activity", verbose_name=_("来源活动"), null=True, blank=True, on_delete=models.SET_NULL, related_name="leads_found"
    )
    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("产业链"), null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=SECTION_CHOICES, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, choices=DIVISION_CHOICES, blank=True)
    intended_amount = amount_field(_("意向投资额（万元）"))
    content = models.TextField(_("项目内容"), blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(_("所属省"), max_length=6, editable=False)
    city_code = models.CharField(_("所属市"), max_length=6, blank=True, editable=False, db_index=True)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    leader = models.ForeignKey(
        "projects.SponsorLeader", verbose_name=_("责任领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    contact_name = models.CharField(_("对接人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    obtained_on = models.DateField(_("获取日期"))
    stage = models.CharField(_("阶段"), max_length=16, choices=LeadStage.choices, default=LeadStage.INFO, db_index=True)
    stage_entered_on = models.DateField(_("进入本阶段日期"))
    stage_before_drop = models.CharField(_("终止前阶段"), max_length=16, choices=LeadStage.choices, blank=True, editable=False)
    drop_reason = models.CharField(_("终止原因"), max_length=500, blank=True)
    # 签约 (set by lead_sign only): the 政企合作协议 itself (enterprise, day, amount, commitments)
    agreement = models.OneToOneField(
        "partnership.Agreement",
        verbose_name=_("签约协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
        editable=False,
    )
    # 落地 (set by lead_land only)
    project = models.OneToOneField(
        "projects.Project", verbose_name=_("落地项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="lead", editable=False
    )
    landed_on = models.DateField(_("落地日期"), null=True, blank=True, editable=False)
    feedback = models.TextField(_("反馈意见"), blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-obtained_on", "-id"]
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        constraints = [
            models.CheckConstraint(condition=Q(intended_amount__gte=0), name="lead_intended_amount_nonneg"),
        ]
        indexes = [models.Index(fields=["city_code", "stage"], name="lead_city_stage_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def signed_on(self) -> dt.date | None:
        """The agreement's signing day (read from the 政企合作协议, never copied)."""
        return self.agreement.signed_on if self.agreement_id else None  # type: ignore[union-attr]

    @property
    def signed_amount(self) -> Decimal | None:
        """The agreement's amount (万元)."""
        return self.agreement.amount if self.agreement_id else None  # type: ignore[union-attr]

    @property
    def enterprise(self) -> Any:
        """The signing enterprise (the agreement's)."""
        return self.agreement.enterprise if self.agreement_id else None  # type: ignore[union-attr]

    @property
    def days_in_stage(self) -> int:
        """Days since the lead entered its stage (today counts as 0)."""
        return max((timezone.localdate() - self.stage_entered_on).days, 0) if self.stage_entered_on else 0

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.investor_uscc = (self.investor_uscc or "").strip().upper()
        if self.industry_division and not division_in_section(self.industry_division, self.industry_section):
            errors["industry_division"] = [gettext_noop("行业大类与门类不匹配")]
        today = timezone.localdate()
        if self.obtained_on and self.obtained_on > today:
            errors.setdefault("obtained_on", []).append(gettext_noop("获取日期不能晚于今天"))
        if self.investor_origin == InvestorOrigin.IN_PROVINCE and not self.investor_uscc:
            errors.setdefault("investor_uscc", []).append(gettext_noop("省内投资方须填写统一社会信用代码"))
        if errors:
            raise ValidationError(errors)


class LeadEvent(models.Model):
    """One step of a lead (the event row of every transition): who, when, from where to where."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=EventKind.choices)
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=LeadStage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=LeadStage.choices)
    on_date = models.DateField(_("日期"))
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["lead_id", "on_date", "id"]
        verbose_name = _("线索事件")
        verbose_name_plural = _("线索事件")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.get_kind_display()} {self.on_date}"


class LeadCheck(models.Model):
    """A checklist item of the lead's stage done (with the day and a note)."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="checks")
    done_on = models.DateField(_("完成日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["lead_id", "item__stage", "item__order", "item_id"]
        verbose_name = _("服务事项完成情况")
        verbose_name_plural = _("服务事项完成情况")
        constraints = [models.UniqueConstraint(fields=["lead", "item"], name="lead_check_unique_item")]

    def __str__(self) -> str:
        return f"{self.lead_id} · {self.item}"


class FundArrivalQuerySet(ScopedQuerySet):
    """到资 entries are scoped through their lead (:func:`policy.lead_scope_q`)."""

    def _visible_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user, "lead__")

    def _editable_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user, "lead__") if policy.can_record_leads(user) else NOTHING

    def counted(self) -> FundArrivalQuerySet:
        """The entries that count (confirmed by a second person and not voided: ``COUNTED_FUNDS``)
        — the one definition of 到资 behind 累计到资, 资金到位率, the funnel, the 招商 assessment
        indicators, the API and the exports."""
        return self.filter(status__in=COUNTED_FUNDS)

    def awaiting(self) -> FundArrivalQuerySet:
        """Entries waiting for a second person's decision (a new figure, a correction, a 冲销)."""
        return self.filter(status__in=AWAITING_FUNDS)


#: The 冲销原因 a confirmed correction writes on the entry it replaces (``services_funds``): stored in
#: Chinese, said again in the page's language where shown (the reason as written).
VOIDED_BY_CORRECTION = Sentence(gettext_noop("更正为%(amount)s万元：%(reason)s"), amount=NUMBER)


class FundArrival(VersionedModel):
    """到资: money that actually arrived for a signed lead, dated. Four eyes: an entry waits
    (待确认) until somebody other than its enterer confirms it; only confirmed entries count
    (:meth:`FundArrivalQuerySet.counted`). A confirmed figure is never edited: it is voided (冲销,
    asked for with a reason and decided by somebody else) or replaced by a correction — a new
    entry naming it (``replaces``) whose confirmation voids it. The steps are :class:`FundEvent` rows."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="funds")
    arrived_on = models.DateField(_("到资日期"))
    arrived_amount = amount_field(_("到资额（万元）"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FundStatus.choices, default=FundStatus.PENDING, db_index=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.ForeignKey(
        "self", verbose_name=_("更正的记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=pgettext_lazy("a second person confirming a record", "确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(pgettext_lazy("a second person confirming a record", "确认时间"), null=True, blank=True)
    return_note = models.CharField(_("退回理由"), max_length=500, blank=True)
    void_requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请冲销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("冲销原因"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("冲销确认人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(_("冲销时间"), null=True, blank=True)

    objects = FundArrivalQuerySet.as_manager()

    class Meta:
        ordering = ["lead_id", "arrived_on", "id"]
        verbose_name = _("到资记录")
        verbose_name_plural = _("到资记录")
        constraints = [
            models.CheckConstraint(condition=Q(arrived_amount__gt=0), name="fund_arrival_amount_positive"),
            # counted and voided entries were confirmed (when, and by whom unless entered before the check existed)
            models.CheckConstraint(
                condition=Q(status__in=[FundStatus.PENDING, FundStatus.RETURNED, FundStatus.WITHDRAWN]) | Q(confirmed_at__isnull=False),
                name="fund_arrival_confirmed_has_time",
            ),
            # four eyes in the database too: nobody confirms their own entry nor their own 冲销
            models.CheckConstraint(condition=~Q(confirmed_by=F("recorded_by")), name="fund_arrival_not_self_confirmed"),
            models.CheckConstraint(condition=~Q(voided_by=F("void_requested_by")), name="fund_arrival_not_self_voided"),
            models.CheckConstraint(
                condition=~Q(status=FundStatus.VOIDED) | Q(voided_at__isnull=False), name="fund_arrival_voided_has_time"
            ),
            # one correction waiting at a time per confirmed entry
            models.UniqueConstraint(
                fields=["replaces"], condition=Q(status=FundStatus.PENDING), name="fund_arrival_one_pending_correction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.arrived_on} {self.arrived_amount}"

    @property
    def counts(self) -> bool:
        """Whether the entry counts in 到资 now."""
        return self.status in COUNTED_FUNDS

    @property
    def void_reason_shown(self) -> str:
        """The 冲销原因 in the page's language: a correction's (:data:`VOIDED_BY_CORRECTION`) said
        again, a person's words as written."""
        return say_again(self.void_reason, (VOIDED_BY_CORRECTION,)) if self.void_reason else ""

    @property
    def asker_id(self) -> int | None:
        """Who asked for what waits on the entry: its enterer, or the user who asked for its 冲销."""
        return self.void_requested_by_id if self.status == FundStatus.VOID_PENDING else self.recorded_by_id

    def clean(self) -> None:
        if self.arrived_on and self.arrived_on > timezone.localdate():
            raise ValidationError({"arrived_on": [_("到资日期不能晚于今天")]})
        if self.arrived_amount is not None and self.arrived_amount <= 0:
            raise ValidationError({"arrived_amount": [_("到资额须大于0")]})


class FundEvent(models.Model):
    """One step of a 到资 entry: entered, confirmed, returned, 冲销 asked for, voided or the 冲销
    refused — who, when and why. Kept in the attraction app, not only in the audit log (which
    may be purged after its retention period): the lead page shows the history from these rows."""

    entry = models.ForeignKey(FundArrival, verbose_name=_("到资记录"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=FundEventKind.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["entry_id", "at", "id"]
        verbose_name = _("到资记录事件")
        verbose_name_plural = _("到资记录事件")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.get_kind_display()} {self.at:%Y-%m-%d}"

    @property
    def note_shown(self) -> str:
        """The note in the page's language: a voiding correction's 冲销原因 said again, a person's
        words as written."""
        if self.kind == FundEventKind.VOIDED and self.note:
            return say_again(self.note, (VOIDED_BY_CORRECTION,))
        return self.note


class ActivityQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user)

    def _editable_q(self, user: Any) -> Q:
        return policy.lead_scope_q(user) if policy.can_record_leads(user) else NOTHING


class Activity(TimeStampedModel):
    """A 招商活动: a trip, a visit, a meeting or an event, who took part, and what came of it.
    Scoped like the leads (its region and up, its unit)."""

    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices)
    held_on = models.DateField(_("日期"))
    days = models.PositiveSmallIntegerField(_("天数"), default=1)
    destination = models.CharField(_("地点/目的地"), max_length=100, help_text=_("如：广东深圳、上海"))
    leader = models.ForeignKey(
        "projects.SponsorLeader", verbose_name=_("带队领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    participants = models.CharField(_("参加人员"), max_length=300, blank=True)
    investors_met = models.CharField(_("对接企业"), max_length=300, blank=True)
    result = models.CharField(_("成果"), max_length=500, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(_("所属省"), max_length=6, editable=False)
    city_code = models.CharField(_("所属市"), max_length=6, blank=True, editable=False)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("招商活动")
        verbose_name_plural = _("招商活动")
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="activity_days_positive")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()} {self.destination}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate() + dt.timedelta(days=0):
            raise ValidationError({"held_on": [_("活动日期不能晚于今天")]})
