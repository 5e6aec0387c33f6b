"""审批事项: the configurable catalogue and each project's approval steps (issue 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.core.localized import LocalizedName, english_field, localized
from keyprojects.core.models import TimeStampedModel, VersionedModel
from keyprojects.core.scope import NOTHING, ScopedQuerySet, region_rows, scope_q

from .choices import OPEN_NEED_STATUSES, SUBTYPES_OF, UNIT_OF, ApprovalStatus, FactorKind, FactorSubtype, Level, NeedStatus


class ApprovalItem(LocalizedName, TimeStampedModel):
    """One standard 审批事项 of the catalogue, its responsible department and legal time limit.
    Pages show ``display_name`` and ``display_department_name`` (the English in the English UI)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    name_en = english_field(_("英文名称"), max_length=200)
    department_name = models.CharField(_("责任部门"), max_length=100, help_text=_("未指定单位时显示的部门名称"))
    department_name_en = english_field(_("责任部门英文名称"), max_length=200, help_text=_("英文界面显示的部门名称；留空时显示中文名称"))
    department_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="approval_items"
    )
    legal_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")
        constraints = [models.CheckConstraint(condition=Q(legal_limit_days__gte=1), name="approval_item_limit_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_department_name(self) -> str:
        """The responsible department's name in the active language."""
        return localized(self, "department_name")


def _unit_approvals(unit_id: int) -> Q:
    return Q(handling_unit_id=unit_id) | Q(project__responsible_unit_id=unit_id) | Q(project__zone_id=unit_id)


class ProjectApprovalQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return scope_q(user, region=region_rows("project__"), unit=_unit_approvals, enterprise=lambda pk: Q(project__owner_id=pk))

    def _editable_q(self, user: Any) -> Q:
        """Region staff record every item of a project in their region; a department works the
        items it handles; enterprises and read-only roles write nothing."""
        if policy.is_read_only(user):
            return NOTHING
        return scope_q(user, region=region_rows("project__"), unit=lambda pk: Q(handling_unit_id=pk))


class ProjectApproval(VersionedModel):
    """One 审批事项 of one project: status, 申报/受理/办结 dates and 批复文号."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="approvals")
    item = models.ForeignKey(ApprovalItem, verbose_name=_("审批事项"), on_delete=models.PROTECT, related_name="project_approvals")
    status = models.CharField(_("办理状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_APPLIED)
    handling_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("办理单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="handled_approvals"
    )
    applied_on = models.DateField(_("申报日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    completed_on = models.DateField(_("办结日期"), null=True, blank=True)
    approval_number = models.CharField(_("批复文号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = ProjectApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "item__order", "item_id"]
        verbose_name = _("项目审批事项")
        verbose_name_plural = _("项目审批事项")
        constraints = [models.UniqueConstraint(fields=["project", "item"], name="approval_unique_item_per_project")]

    def __str__(self) -> str:
        return f"{self.project} · {self.item}"

    @property
    def department(self) -> str:
        """Who handles it: the handling unit, else the catalogue's unit or department name."""
        if self.handling_unit_id:
            return str(self.handling_unit.name)  # type: ignore[union-attr]
        if self.item.department_unit_id:
            return str(self.item.department_unit.name)  # type: ignore[union-attr]
        return str(self.item.department_name)

    @property
    def display_department(self) -> str:
        """:attr:`department` as a page shows it: a unit's name as written, the catalogue's
        department name in the active language."""
        if self.handling_unit_id or self.item.department_unit_id:
            return self.department
        return self.item.display_department_name

    @property
    def start_on(self) -> dt.date | None:
        """The legal time limit runs from 受理 (from 申报 when acceptance is not recorded)."""
        return self.accepted_on or self.applied_on

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        for f in ("applied_on", "accepted_on", "completed_on"):
            value = getattr(self, f)
            if value is not None and value > today:
                errors.setdefault(f, []).append(gettext_noop("日期不能晚于今天"))
        if self.applied_on and self.accepted_on and self.accepted_on < self.applied_on:
            errors.setdefault("accepted_on", []).append(gettext_noop("受理日期不能早于申报日期"))
        start = self.start_on
        if start and self.completed_on and self.completed_on < start:
            errors.setdefault("completed_on", []).append(gettext_noop("办结日期不能早于受理（申报）日期"))
        status = self.status
        if status in (ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE) and not self.applied_on:
            errors.setdefault("applied_on", []).append(gettext_noop("办理中或已办结的事项须填写申报日期"))
        if status == ApprovalStatus.DONE and not self.completed_on:
            errors.setdefault("completed_on", []).append(gettext_noop("已办结的事项须填写办结日期"))
        if status == ApprovalStatus.IN_PROGRESS and self.completed_on:
            errors.setdefault("completed_on", []).append(gettext_noop("办理中的事项不能有办结日期"))
        if status in (ApprovalStatus.NOT_APPLIED, ApprovalStatus.NOT_NEEDED) and (self.applied_on or self.accepted_on or self.completed_on):
            errors.setdefault("status", []).append(gettext_noop("未申报或不需办理的事项不能有办理日期"))
        if errors:
            raise ValidationError(errors)


# --- 逾期 (要素保障逾期): the one rule of an overdue need, as a test on one need and as a filter --


def need_overdue(*, status: str, due_on: dt.date | None, asof: dt.date) -> bool:
    """Whether a need is overdue on ``asof``: still 待保障/保障中 and its 保障时限 has passed (the
    day itself is not late). The 四张清单 page, its filter and export, the 要素保障逾期 warning
    and the 要素逾期未保障数 figure all ask this (or :func:`overdue_needs_q`, the same rule)."""
    return status in OPEN_NEED_STATUSES and due_on is not None and due_on < asof


def overdue_needs_q(asof: dt.date, prefix: str = "") -> Q:
    """:func:`need_overdue` as a filter on needs (``prefix`` for a relation, e.g. ``"need__"``)."""
    return Q(**{f"{prefix}status__in": OPEN_NEED_STATUSES, f"{prefix}due_on__lt": asof})


def _unit_needs(unit_id: int) -> Q:
    return Q(owner_unit_id=unit_id) | Q(project__responsible_unit_id=unit_id) | Q(project__zone_id=unit_id)


class FactorNeedQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return scope_q(user, region=region_rows("project__"), unit=_unit_needs, enterprise=lambda pk: Q(project__owner_id=pk))

    def _editable_q(self, user: Any) -> Q:
        """Region staff record every need of a project in their region; the owner unit works its own."""
        if policy.is_read_only(user):
            return NOTHING
        return scope_q(user, region=region_rows("project__"), unit=lambda pk: Q(owner_unit_id=pk))

    def overdue(self, asof: dt.date | None = None) -> FactorNeedQuerySet:
        """The needs overdue on ``asof`` (today), :func:`need_overdue`."""
        return self.filter(overdue_needs_q(asof or timezone.localdate()))


class FactorNeed(VersionedModel):
    """One need of a project on one of the 四张清单 (land, funds, environment, energy)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="factor_needs")
    kind = models.CharField(_("要素类别"), max_length=16, choices=FactorKind.choices)
    subtype = models.CharField(_("细类/来源"), max_length=20, choices=FactorSubtype.choices)
    quantity = models.DecimalField(_("需求量"), max_digits=14, decimal_places=4)
    secured = models.DecimalField(_("已保障量"), max_digits=14, decimal_places=4, default=Decimal(0))
    financial_guidance = models.BooleanField(_("已开展金融辅导"), default=False)
    owner_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="factor_needs"
    )
    due_on = models.DateField(_("保障时限"), null=True, blank=True)
    status = models.CharField(_("保障状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.PENDING)
    level = models.CharField(_("协调层级"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    description = models.CharField(_("需求说明"), max_length=500, blank=True)
    resolution = models.CharField(_("保障措施/结果"), max_length=1000, blank=True)

    objects = FactorNeedQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "kind", "id"]
        verbose_name = _("要素需求")
        verbose_name_plural = _("要素需求")
        # the open needs by kind (四张清单, the dashboard's 要素保障): searched from the few open
        # needs, whatever the planner knows of the table (without statistics SQLite took the
        # needs for a large table and scanned 200,000 projects instead: 150 ms per dashboard)
        indexes = [models.Index(fields=["status", "kind"], name="factor_need_status_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="factor_need_quantity_positive"),
            models.CheckConstraint(condition=Q(secured__gte=0), name="factor_need_secured_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} · {self.get_subtype_display()}"

    @property
    def gap(self) -> Decimal:
        """What is still missing (0 once secured or given up)."""
        if self.status in (NeedStatus.SECURED, NeedStatus.UNABLE):
            return Decimal(0) if self.status == NeedStatus.SECURED else max(self.quantity - self.secured, Decimal(0))
        return max(self.quantity - self.secured, Decimal(0))

    @property
    def measure(self) -> str:
        return UNIT_OF.get(self.kind, "")

    def overdue_on(self, asof: dt.date) -> bool:
        return need_overdue(status=self.status, due_on=self.due_on, asof=asof)

    @property
    def is_overdue(self) -> bool:
        """逾期 today (:func:`need_overdue`)."""
        return self.overdue_on(timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind in SUBTYPES_OF and self.subtype not in SUBTYPES_OF[self.kind]:
            errors["subtype"] = ["细类/来源与要素类别不符"]
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = ["需求量须大于0"]
        if self.secured is not None and self.secured < 0:
            errors["secured"] = ["已保障量不能为负数"]
        elif self.secured is not None and self.quantity is not None and self.secured > self.quantity:
            errors["secured"] = ["已保障量不能超过需求量"]
        if self.financial_guidance and self.kind != FactorKind.FUNDS:
            errors["financial_guidance"] = ["金融辅导只适用于资金需求"]
        if self.status == NeedStatus.SECURED and self.quantity is not None and self.secured != self.quantity:
            errors["secured"] = ["已保障的需求，已保障量应等于需求量"]
        if self.status == NeedStatus.UNABLE and not self.resolution.strip():
            errors["resolution"] = ["无法保障的需求须说明原因"]
        if errors:
            raise ValidationError(errors)


#: The level above each level (提级会商).
NEXT_LEVEL = {Level.COUNTY: Level.CITY, Level.CITY: Level.PROVINCE}


class ConsultationQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        """Meetings held in the user's region or below, and meetings about a project the user sees."""

        def region(home: Any) -> Q:
            topics = ConsultationTopic.objects.filter(policy.region_rows_q(home, "project__")).values("consultation_id")
            return Q(region__in=policy.regions_under(home)) | Q(pk__in=topics)

        def unit(unit_id: int) -> Q:
            topics = ConsultationTopic.objects.filter(owner_unit_id=unit_id).values("consultation_id")
            return Q(pk__in=topics)

        return scope_q(user, region=region, unit=unit)


class Consultation(TimeStampedModel):
    """A 会商会办 meeting (县/市/省级): who convened it, the units present, its topics and decisions."""

    held_on = models.DateField(_("会商日期"))
    level = models.CharField(_("会商层级"), max_length=10, choices=Level.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+")
    convener = models.CharField(_("召集人"), max_length=100)
    units_present = models.ManyToManyField("regions.Unit", verbose_name=_("参会单位"), blank=True, related_name="+")
    summary = models.CharField(_("会议纪要"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("会商会办")
        verbose_name_plural = _("会商会办")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_level_display()}会商（{self.region}）"


class ConsultationTopic(TimeStampedModel):
    """One topic of a meeting: a problem item or a factor need, the decision, its owner unit and
    due date, tracked to done; ``escalated_to`` when the meeting sent it one level up."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("会商"), on_delete=models.CASCADE, related_name="topics")
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(FactorNeed, verbose_name=_("要素需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="topics")
    problem = models.ForeignKey(
        "dispatch.ProblemItem", verbose_name=_("问题事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("会商意见"), max_length=1000)
    owner_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("落实单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("落实时限"), null=True, blank=True)
    done_on = models.DateField(_("落实日期"), null=True, blank=True)
    escalated_to = models.CharField(_("提级至"), max_length=10, choices=Level.choices, blank=True)

    class Meta:
        ordering = ["consultation_id", "id"]
        verbose_name = _("会商议题")
        verbose_name_plural = _("会商议题")

    def __str__(self) -> str:
        return f"{self.consultation} · {self.project}"
