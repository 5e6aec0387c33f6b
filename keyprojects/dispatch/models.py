"""月调度: reporting periods, monthly reports, their review, problems, plans and warnings.

The formulas are in ``keyprojects/analytics/metrics.py`` (domain.md §3); the workflow in
``services.py``. Models hold data and local invariants only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.models import TimeStampedModel, VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import NOTHING, ScopedQuerySet, scope_q
from keyprojects.projects.models import Project, project_visible_q

from .choices import FlagSeverity, PeriodStatus, ProblemStatus, ReportStatus, RevisionStatus, StepAction, WarningKind

DEFAULT_CHAIN = {"county": ["county"], "city": ["county", "city"], "province": ["county", "city"]}
EVEN_SPREAD = [1] * 12


def default_chain() -> dict[str, list[str]]:
    return dict(DEFAULT_CHAIN)


def default_spread() -> list[int]:
    return list(EVEN_SPREAD)


class DispatchConfig(VersionedModel):
    """The one row of dispatch settings (pk=1), changed by a system administrator."""

    fill_start_day = models.PositiveSmallIntegerField(_("填报开始日（次月）"), default=1)
    fill_end_day = models.PositiveSmallIntegerField(_("填报截止日（次月）"), default=5)
    behind_points = models.DecimalField(_("落后序时进度预警阈值（百分点）"), max_digits=5, decimal_places=2, default=Decimal("10"))
    progress_index_floor = models.DecimalField(_("进度指数预警阈值"), max_digits=4, decimal_places=2, default=Decimal("0.90"))
    zero_months = models.PositiveSmallIntegerField(_("连续零投资预警月数"), default=3)
    slip_factor = models.PositiveSmallIntegerField(_("疑似单位错误倍数"), default=10)
    review_chain = models.JSONField(_("审核链（按清单级别）"), default=default_chain)
    plan_spread = models.JSONField(_("年度计划默认分月权重"), default=default_spread)

    class Meta:
        verbose_name = _("调度设置")
        verbose_name_plural = _("调度设置")
        constraints = [
            models.CheckConstraint(condition=Q(fill_start_day__gte=1, fill_start_day__lte=28), name="config_fill_start_day"),
            models.CheckConstraint(condition=Q(fill_end_day__gte=F("fill_start_day"), fill_end_day__lte=28), name="config_fill_end_day"),
        ]

    def __str__(self) -> str:
        return str(_("调度设置"))

    @classmethod
    def get(cls) -> DispatchConfig:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ReportingPeriod(TimeStampedModel):
    """A reporting month. Closed periods are frozen (reliability.md 4)."""

    year = models.PositiveSmallIntegerField(_("年"))
    month = models.PositiveSmallIntegerField(_("月"))
    status = models.CharField(_("状态"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.OPEN, db_index=True)
    fill_start = models.DateField(_("填报开始"))
    fill_end = models.DateField(_("填报截止"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关账人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("调度期")
        verbose_name_plural = _("调度期")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="period_month_1_12"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="period_year_range"),
            models.CheckConstraint(condition=Q(fill_end__gte=F("fill_start")), name="period_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    @property
    def status_label(self) -> str:
        """The month's state as pages say it: 已关账; 填报已截止，待关账 once the fill window is over
        (``rules.fill_ended``); else 填报中."""
        from django.utils import timezone

        from .rules import fill_ended

        if self.is_closed or not fill_ended(fill_end=self.fill_end, today=timezone.localdate()):
            return str(self.get_status_display())
        return str(_("填报已截止，待关账"))


class ReportQuerySet(ScopedQuerySet):
    """Reports are visible exactly when their project is (one choke point: Project's scope)."""

    def _visible_q(self, user: Any) -> Q:
        return project_visible_q(user)

    def _editable_q(self, user: Any) -> Q:
        if policy.is_read_only(user):
            return NOTHING
        return Q(project__in=Project.objects.editable_by(user).values("pk"))


class MonthlyReport(VersionedModel):
    """One project's figures for one month. ``invested_ytd`` and ``invested_to_date`` are derived
    by the service from the months before; nobody types them."""

    # Neither is indexed alone: report_unique_project_period (project, period) and
    # report_period_status_idx (period, status) start with them.
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="reports", db_index=False)
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("调度期"), on_delete=models.PROTECT, related_name="reports", db_index=False)
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True)
    review_levels = models.JSONField(_("审核链"), default=list, blank=True)
    review_step = models.PositiveSmallIntegerField(_("当前审核步"), default=0)
    pending_level = models.CharField(_("待审核层级"), max_length=16, blank=True, db_index=True)
    invested_month = money_field(_("本月完成投资（万元）"), default=Decimal("0"))
    invested_ytd = money_field(_("1-N月累计完成投资（万元）"), default=Decimal("0"), editable=False)
    invested_to_date = money_field(_("开工至今累计完成投资（万元）"), default=Decimal("0"), editable=False)
    no_activity = models.BooleanField(_("本月无进展"), default=False)
    no_activity_reason = models.CharField(_("无进展原因"), max_length=200, blank=True)
    physical_progress = models.TextField(_("形象进度"), blank=True)
    physical_progress_pct = models.DecimalField(_("形象进度（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    workers = models.PositiveIntegerField(_("在岗工人数"), null=True, blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_month_plan = models.TextField(_("下月计划"), blank=True)
    return_opinion = models.TextField(_("退回意见"), blank=True)
    # the filler's written reason per check warning (code → reason), asked before submitting
    # (null: bulk writers — importer, demo — leave it out; read it as ``warning_reasons or {}``)
    warning_reasons = models.JSONField(_("校验提示说明"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Not indexed (nor approved_by, a step's actor, a project's created_by or an event's actor):
    # nothing looks reports up by who submitted them, and accounts are disabled, never deleted
    # (``accounts.admin``), so the database never searches them for a user either. Each index
    # would be built or kept up to date on every import, approval and close (ADR 0010).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    is_late = models.BooleanField(_("迟报"), default=False)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period__year", "-period__month", "project_id"]
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="report_unique_project_period"),
            models.CheckConstraint(condition=Q(invested_month__gte=0), name="report_month_nonneg"),
            models.CheckConstraint(condition=Q(invested_ytd__gte=F("invested_month")), name="report_ytd_covers_month"),
            models.CheckConstraint(condition=Q(invested_to_date__gte=F("invested_ytd")), name="report_to_date_covers_ytd"),
            models.CheckConstraint(
                condition=Q(physical_progress_pct__isnull=True) | Q(physical_progress_pct__gte=0, physical_progress_pct__lte=100),
                name="report_pct_0_100",
            ),
            models.CheckConstraint(condition=Q(no_activity=False) | Q(invested_month=0), name="report_no_activity_is_zero"),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="report_period_status_idx"),
            # the review queue (submitted reports waiting for a level, ``reports_for_review``): a
            # few rows, where the status and pending_level indexes each cover most of the table
            models.Index(fields=["pending_level", "period"], condition=Q(status="submitted"), name="report_review_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}@{self.period_id}"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportStep(models.Model):
    """One workflow step of a report: who did what at which level, and the opinion."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=24, choices=StepAction.choices)
    level = models.CharField(_("层级"), max_length=16, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    # not indexed: see MonthlyReport.submitted_by
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return f"{self.report_id}:{self.action}"

    @property
    def level_label(self) -> str:
        """The step's level in the page's language: a review level (县级, 市级, 省级), or for a
        submission the filler's role (企业联系人, 部门工作人员: ``level`` is then ``user.role``)."""
        from keyprojects.accounts.choices import Role
        from keyprojects.projects.choices import Level

        if self.level in Level.values:
            return str(Level(self.level).label)
        if self.level in Role.values:
            return str(Role(self.level).label)
        return self.level

    @property
    def shown_opinion(self) -> str:
        """The opinion as users read it: a submission's or an acknowledgement's quotes the checks'
        messages, said again in the English UI (``warning_text.opinion_shown``: no query); people's
        words stay as written."""
        if self.action not in (StepAction.SUBMIT, StepAction.ACKNOWLEDGE) or not self.opinion:
            return self.opinion
        from .warning_text import opinion_shown

        return opinion_shown(self.opinion)


class ReportFlag(models.Model):
    """A check result on submit (domain.md §3): errors block, warnings need acknowledgement."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("代码"), max_length=40)
    severity = models.CharField(_("级别"), max_length=16, choices=FlagSeverity.choices)
    message = models.CharField(_("说明"), max_length=300)
    reason = models.TextField(_("填报人说明"), blank=True, default="")  # why the filler went on despite the warning
    acknowledge_reason = models.TextField(_("确认理由"), blank=True, default="")  # why the reviewer accepts it
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("校验提示")
        verbose_name_plural = _("校验提示")
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="flag_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    @property
    def shown_message(self) -> str:
        """The message as users read it: as stored in the Chinese UI, said again in another
        language from the stored text (``warning_text.check_shown``: no query per row)."""
        from .warning_text import check_shown

        return check_shown(self.message)


class ReportRevision(models.Model):
    """A correction of an approved report: a reason, the new values, approval one level up."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.PROTECT, related_name="revisions")
    reason = models.TextField(_("更正原因"))
    old_values = models.JSONField(_("原值"), default=dict)
    new_values = models.JSONField(_("新值"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=RevisionStatus.choices, default=RevisionStatus.PENDING, db_index=True)
    approval_level = models.CharField(_("审定层级"), max_length=16)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_opinion = models.TextField(_("审定意见"), blank=True)
    after_close = models.BooleanField(_("关账后更正"), default=False, help_text=_("审定时该月已关账：看板、排名、考核和通报标注“已更正”"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("更正")
        verbose_name_plural = _("更正")
        constraints = [
            models.UniqueConstraint(fields=["report"], condition=Q(status="pending"), name="revision_one_pending_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.reason[:20]}"


def photo_path(instance: ReportPhoto, filename: str) -> str:
    return f"reports/{instance.report.period.label}/{instance.report.project_id}/{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=photo_path)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.caption or self.image.name


class ProblemQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        # a unit also sees the problems it must solve
        return project_visible_q(user) | scope_q(user, unit=lambda pk: Q(responsible_unit_id=pk))

    def _editable_q(self, user: Any) -> Q:
        if policy.is_read_only(user):
            return NOTHING
        return self._visible_q(user)


class ProblemItem(VersionedModel):
    """A tracked problem (存在问题) with a responsible unit, a due date and a status until solved."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="problem_items")
    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("来源月报"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problem_items"
    )
    description = models.TextField(_("问题描述"))
    responsible_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="problem_items"
    )
    due_date = models.DateField(_("办结时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN, db_index=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    solved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "-id"]
        verbose_name = _("问题事项")
        verbose_name_plural = _("问题事项")
        constraints = [
            models.CheckConstraint(condition=~Q(status="solved") | Q(solved_at__isnull=False), name="problem_solved_has_time"),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class MonthlyPlan(models.Model):
    """A project's planned investment for one month (the plan curve); absent months use the
    configured default spread of the annual plan."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="monthly_plans")
    year = models.PositiveSmallIntegerField(_("年"))
    month = models.PositiveSmallIntegerField(_("月"))
    planned = money_field(_("计划完成投资（万元）"))

    class Meta:
        ordering = ["project_id", "year", "month"]
        verbose_name = _("分月计划")
        verbose_name_plural = _("分月计划")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="monthly_plan_unique"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="monthly_plan_month_1_12"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="monthly_plan_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month}: {self.planned}"


class WarningQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return project_visible_q(user)


class ProjectWarning(models.Model):
    """A warning raised for a project in a period (written by the refresh action, ``analytics.refresh``)."""

    # No single-column indexes: (project, period, kind) is unique and (period, kind) indexed below.
    # A kind across every month (the API's ?kind= without a period) is a large share of the
    # table, which an index of a dozen values does not narrow; each index is rebuilt by every
    # refresh of a month (ADR 0010).
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="warnings", db_index=False)
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("调度期"), on_delete=models.CASCADE, related_name="warnings", db_index=False)
    kind = models.CharField(_("类型"), max_length=24, choices=WarningKind.choices)
    message = models.CharField(_("说明"), max_length=300)
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    owner = models.CharField(
        _("责任单位"), max_length=200, blank=True, default="", help_text=_("须办理的单位（审批、要素预警）；为空时是项目的责任单位")
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        ordering = ["-period__year", "-period__month", "kind", "project_id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [models.UniqueConstraint(fields=["project", "period", "kind"], name="warning_unique")]
        indexes = [models.Index(fields=["period", "kind"], name="warning_period_kind_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"

    @property
    def shown_message(self) -> str:
        """The message as users read it: the stored (Chinese) text in the Chinese UI, said again
        in another language from the kind, the value and the stored text (``warning_text.shown``:
        no query per row)."""
        from .warning_text import shown

        return shown(self.kind, self.message, self.value)

    @property
    def shown_owner(self) -> str:
        """The 责任单位 as users read it (``warning_text.owner_shown``: a catalogue department in
        the active language, units as written)."""
        from .warning_text import owner_shown

        return owner_shown(self.owner)


class PeriodClosure(models.Model):
    """A month closed for a region (a city, or the whole province). Reports, facts and
    summaries of projects in a closed region never change afterwards."""

    period = models.ForeignKey(ReportingPeriod, verbose_name=_("调度期"), on_delete=models.PROTECT, related_name="closures")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("关账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("关账人"), null=True, on_delete=models.PROTECT, related_name="+")
    open_items = models.PositiveIntegerField(_("关账时未完成事项数"), default=0)
    checklist = models.JSONField(_("关账检查清单"), default=dict, blank=True)
    confirmation = models.CharField(_("关账确认输入"), max_length=32, blank=True)
    frozen_figures = models.BinaryField(_("冻结数据快照"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = _("关账记录")
        verbose_name_plural = _("关账记录")
        constraints = [models.UniqueConstraint(fields=["period", "region"], name="closure_unique")]

    def __str__(self) -> str:
        return f"{self.period} {self.region_id}"
