"""“双50”制造业企业培育 (ADR 0020): a city's or county's yearly 培育名单 of 骨干企业 or 创新成长型企业
(50 places by default) and its entries — an enterprise nominated by one person, admitted or
rejected by another, later perhaps taken off (动态调出, again by two people), and the one-to-one
政企合作协议 (:class:`keyprojects.partnership.models.Agreement`) signed with it.

Scope is asked of :mod:`keyprojects.accounts.policy` (``cultivation_list_q`` / ``cultivation_entry_q``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.core.models import VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import NOTHING, ScopedQuerySet
from keyprojects.core.sentences import say_again

from .choices import CARRIED_OVER, DEFAULT_CAPACITY, EntryStatus, ListKind


class CultivationListQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.cultivation_list_q(user)

    def _editable_q(self, user: Any) -> Q:
        """Lists whose admissions ``user`` decides (their region or one below it)."""
        if not policy.can_keep_cultivation(user):
            return NOTHING
        return policy.cultivation_list_q(user, deciding=True)


class CultivationList(VersionedModel):
    """A 培育名单: the enterprises a region screens in a year for one kind of cultivation."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("名单类别"), max_length=24, choices=ListKind.choices)
    industry_scope = models.CharField(_("行业范围"), max_length=200, blank=True, help_text=_("如：制造业；其他行业参照执行"))
    capacity = models.PositiveSmallIntegerField(_("名额"), default=DEFAULT_CAPACITY)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CultivationListQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_id", "kind"]
        verbose_name = _("培育名单")
        verbose_name_plural = _("培育名单")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "kind"], name="cultivation_list_unique_region_year_kind"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cultivation_list_capacity_positive"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2099), name="cultivation_list_year_range"),
        ]

    def __str__(self) -> str:
        return _("%(region)s%(year)s年%(kind)s培育名单") % {"region": self.region.name, "year": self.year, "kind": self.get_kind_display()}

    def clean(self) -> None:
        if self.region_id and getattr(self.region, "level", "") not in ("city", "county"):
            raise ValidationError({"region": [gettext_noop("培育名单只能属于市或县（市、区）")]})


class CultivationEntryQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return policy.cultivation_entry_q(user)


class CultivationEntry(VersionedModel):
    """One enterprise on a 培育名单: nominated with a reason and screening indicators (万元),
    decided by a second person, perhaps taken off later, and its 一对一 政企合作协议."""

    cultivation_list = models.ForeignKey(CultivationList, verbose_name=_("培育名单"), on_delete=models.PROTECT, related_name="entries")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="cultivation_entries"
    )
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.NOMINATED)
    reason = models.CharField(_("推荐理由"), max_length=1000)
    revenue = money_field(_("营业收入（万元）"), null=True, blank=True)
    tax = money_field(_("税收（万元）"), null=True, blank=True)
    rd_spending = money_field(_("研发投入（万元）"), null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_note = models.CharField(_("审定意见"), max_length=500, blank=True)
    agreement = models.ForeignKey(
        "partnership.Agreement",
        verbose_name=_("政企合作协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cultivation_entries",
    )
    removal_reason = models.CharField(_("调出理由"), max_length=500, blank=True)
    removal_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调出提出人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_proposed_at = models.DateTimeField(_("调出提出时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调出确认人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_on = models.DateField(_("调出日期"), null=True, blank=True)

    objects = CultivationEntryQuerySet.as_manager()

    class Meta:
        ordering = ["cultivation_list_id", "id"]
        verbose_name = _("培育企业")
        verbose_name_plural = _("培育企业")
        constraints = [
            models.UniqueConstraint(fields=["cultivation_list", "enterprise"], name="cultivation_entry_unique_enterprise"),
            models.CheckConstraint(condition=Q(revenue__isnull=True) | Q(revenue__gte=0), name="cultivation_entry_revenue_not_negative"),
            models.CheckConstraint(condition=Q(tax__isnull=True) | Q(tax__gte=0), name="cultivation_entry_tax_not_negative"),
            models.CheckConstraint(condition=Q(rd_spending__isnull=True) | Q(rd_spending__gte=0), name="cultivation_entry_rd_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="removed") | (Q(removed_on__isnull=False) & ~Q(removal_reason="")),
                name="cultivation_entry_removed_has_reason_and_date",
            ),
        ]
        indexes = [models.Index(fields=["cultivation_list", "status"], name="cultivation_entry_list_status")]

    def __str__(self) -> str:
        return f"{self.cultivation_list} · {self.enterprise}"

    @property
    def shown_reason(self) -> str:
        """The nomination's reason as the page says it: a carried-over entry's reason
        (:data:`~keyprojects.cultivation.choices.CARRIED_OVER`) in the page's language, people's words as written."""
        return say_again(self.reason, [CARRIED_OVER])

    @property
    def removal_pending(self) -> bool:
        """An admitted entry somebody proposed to take off, waiting for a second person."""
        return self.status == EntryStatus.ADMITTED and self.removal_proposed_by_id is not None
