"""Summary tables (architecture.md §4 "heavy aggregates"): refreshed by services when a report is
approved or a period closes, never computed per request. Rows of a frozen (closed) period or
region never change afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.models import VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import ScopedQuerySet, region_rows, scope_q


class FactQuerySet(ScopedQuerySet):
    """Facts are visible when their project is. A user scoped by region reads them by the
    fact's own region codes (the rows the region summaries roll up; no subquery over the
    registry), everybody else through the project's scope."""

    def _visible_q(self, user: Any) -> Q:
        from keyprojects.projects.models import Project

        if policy.scope_kind(user) == "region":
            return scope_q(user, region=region_rows(county_field="region_code"))
        return Q(project__in=Project.objects.visible_to(user).values("pk"))


class SummaryQuerySet(ScopedQuerySet):
    """Region roll-ups are visible to a user scoped by region for their region and the regions
    below it; a unit's or an enterprise's staff read facts instead (their scope is no region)."""

    def _visible_q(self, user: Any) -> Q:
        return scope_q(user, region=region_rows("region__", county_field="code"))


class ProjectPeriodFact(models.Model):
    """One project in one period: the figures every page, ranking and bulletin reads."""

    # no single-column indexes: (period, project) is unique and (project, period) indexed below
    period = models.ForeignKey("dispatch.ReportingPeriod", on_delete=models.CASCADE, related_name="facts", db_index=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="facts", db_index=False)
    region_code = models.CharField(_("区划"), max_length=6)
    city_code = models.CharField(_("市"), max_length=6, blank=True)
    province_code = models.CharField(_("省"), max_length=6)
    on_province_list = models.BooleanField(default=False)
    on_city_list = models.BooleanField(default=False)
    on_county_list = models.BooleanField(default=False)
    category = models.CharField(max_length=16, blank=True)
    industry_section = models.CharField(max_length=1, blank=True)
    nature = models.CharField(max_length=16, blank=True)
    stage = models.CharField(max_length=16, blank=True)  # at the month's end (dispatch.rules.stage_in_month)
    responsible_unit_ref = models.BigIntegerField(null=True, blank=True)
    sponsor_leader_ref = models.BigIntegerField(null=True, blank=True)
    total_investment = money_field(_("总投资"), default=Decimal(0))
    annual_plan = money_field(_("年度计划"), default=Decimal(0))
    planned_ytd = money_field(_("计划累计"), default=Decimal(0))
    invested_month = money_field(_("本月完成"), default=Decimal(0))
    invested_ytd = money_field(_("累计完成"), default=Decimal(0))
    invested_to_date = money_field(_("开工至今"), default=Decimal(0))
    # metrics.ahead_points of the fact's 年度投资完成率 in its month (None without an annual plan):
    # stored by the refresh so that pages select "behind by more than N points" exactly, in SQL
    ahead_points = models.DecimalField(_("超序时进度（百分点）"), max_digits=30, decimal_places=2, null=True, blank=True)
    report_state = models.CharField(max_length=16, blank=True)
    report_due = models.BooleanField(default=False)
    report_on_time = models.BooleanField(default=False)
    planned_new = models.BooleanField(default=False)
    started = models.BooleanField(default=False)
    planned_completion = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目月度事实")
        verbose_name_plural = _("项目月度事实")
        constraints = [models.UniqueConstraint(fields=["period", "project"], name="fact_unique_period_project")]
        indexes = [
            models.Index(fields=["period", "city_code"], name="fact_period_city_idx"),
            models.Index(fields=["period", "region_code"], name="fact_period_region_idx"),
            models.Index(fields=["project", "period"], name="fact_project_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}@{self.period_id}"


class RegionPeriodSummary(models.Model):
    """Roll-up of the facts by region (county → city → province) for one period."""

    period = models.ForeignKey("dispatch.ReportingPeriod", on_delete=models.CASCADE, related_name="region_summaries")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    projects = models.PositiveIntegerField(default=0)
    annual_plan = money_field(_("年度计划"), default=Decimal(0))
    planned_ytd = money_field(_("计划累计"), default=Decimal(0))
    invested_month = money_field(_("本月完成"), default=Decimal(0))
    invested_ytd = money_field(_("累计完成"), default=Decimal(0))
    planned_new = models.PositiveIntegerField(default=0)
    started_new = models.PositiveIntegerField(default=0)
    planned_completions = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    reports_due = models.PositiveIntegerField(default=0)
    reports_in = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)
    frozen = models.BooleanField(default=False)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域月度汇总")
        verbose_name_plural = _("区域月度汇总")
        constraints = [models.UniqueConstraint(fields=["period", "region"], name="region_summary_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}@{self.period_id}"


# --- 双考核双评价 (issue 5) -------------------------------------------------------------------


class AssessedKind(models.TextChoices):
    REGION = "region", _("区县（市）")  # the cities of a province, or the counties of a city
    DEPARTMENT = "department", _("责任单位")  # departments answerable for projects (responsible_unit)
    ZONE = "zone", _("功能区")  # function zones (起步区、高新区 ...) through the projects' zone


# What a region-kind scheme's units are called: the cities of a province, the counties of a city.
ASSESSED_CITIES = _("市")
ASSESSED_COUNTIES = _("区县（市）")


def assessed_kind_label(kind: str, *, region_level: str | None) -> str:
    """The name of a scheme's assessed units as the scheme page, its form and its export say it:
    a region-kind scheme of a province assesses its 市, one of a city its 区县（市）; the other
    kinds their own label (责任单位, 功能区)."""
    if kind == AssessedKind.REGION:
        return str(ASSESSED_CITIES if region_level == "province" else ASSESSED_COUNTIES)
    return str(AssessedKind(kind).label) if kind in AssessedKind.values else kind


class AssessmentScheme(VersionedModel):
    """A 双考核双评价 scheme: which units are assessed (the children regions, departments or zones
    under ``region``), on which indicators, with which weights and scoring rules.

    ``indicators`` is a list of ``{"indicator", "weight", "rule", ...}``: rule ``linear`` scores
    ``floor`` → 0 and ``target`` → 100 points linearly (in the indicator's shown unit: percent,
    or percentage points for 序时进度); rule ``rank`` gives the first 100 points and the last
    ``last_points`` (default 60), evenly between. See ``assessment.normalise_indicators``."""

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    unit_kind = models.CharField(_("考核对象"), max_length=16, choices=AssessedKind.choices, default=AssessedKind.REGION)
    region = models.ForeignKey("regions.Region", verbose_name=_("考核范围"), on_delete=models.PROTECT, related_name="+")
    indicators = models.JSONField(_("指标、权重和计分规则"), default=list)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name

    @property
    def unit_kind_label(self) -> str:
        """:func:`assessed_kind_label` of the scheme: 市 on a province's, 区县（市） on a city's."""
        return assessed_kind_label(self.unit_kind, region_level=self.region.level)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .assessment import normalise_indicators

        errors: dict[str, Any] = {}
        if self.region_id and self.region.level not in ("province", "city"):
            errors["region"] = _("考核范围应为省或市")
        try:
            self.indicators = normalise_indicators(self.indicators)
        except ValueError as exc:  # its Message kept (the API's Chinese text, said again on a page)
            errors["indicators"] = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        if errors:
            raise ValidationError(errors)


class AssessmentSnapshot(models.Model):
    """The scores of one scheme for one closed period, with their explanation, computed once
    and never changed (one row per scheme and period). ``result`` holds the scheme as it was,
    every unit's score and rank, and per indicator the value, the points and the projects
    behind the figure; ``digest`` is the SHA-256 of ``result`` in canonical JSON. The assessed
    units read it once it is published (``published_at``), never before."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="snapshots")
    period = models.ForeignKey("dispatch.ReportingPeriod", verbose_name=_("调度期"), on_delete=models.PROTECT, related_name="+")
    result = models.JSONField(_("考核结果"))
    digest = models.CharField(_("校验值"), max_length=64)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Published to the assessed (accounts.policy.assessed_key): until then only the scheme's
    # range reads the result; publishing is done once and never undone.
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period__year", "-period__month", "scheme_id"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [models.UniqueConstraint(fields=["scheme", "period"], name="assessment_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.scheme_id}@{self.period_id}"


# --- home dashboard (issue 5) ----------------------------------------------------------------


class DimensionPeriodSummary(models.Model):
    """Roll-up of the facts of one period for one region (county → city → province) by one
    dimension: what the home dashboard and the leaders' view read instead of scanning facts.

    ``dimension`` is ``all`` (one row, key ""), ``level``, ``category``, ``industry``, ``stage``,
    ``leader`` (key: the sponsor leader's id) or ``warning`` (key: the warning kind; ``projects``
    counts the projects with that warning). ``warned``: projects of the group with any warning;
    ``lagging``: projects of the group with a 落后序时进度 warning. Refreshed with the region
    summaries (``services.dimension_summaries_refresh``)."""

    period = models.ForeignKey("dispatch.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(_("维度"), max_length=16)
    key = models.CharField(_("分组"), max_length=24, blank=True)
    projects = models.PositiveIntegerField(default=0)
    total_investment = money_field(_("总投资"), default=Decimal(0))
    annual_plan = money_field(_("年度计划"), default=Decimal(0))
    planned_ytd = money_field(_("计划累计"), default=Decimal(0))
    invested_month = money_field(_("本月完成"), default=Decimal(0))
    invested_ytd = money_field(_("累计完成"), default=Decimal(0))
    planned_new = models.PositiveIntegerField(default=0)
    started_new = models.PositiveIntegerField(default=0)
    planned_completions = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    reports_due = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)
    warned = models.PositiveIntegerField(default=0)
    lagging = models.PositiveIntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("分维度月度汇总")
        verbose_name_plural = _("分维度月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["period", "region", "dimension", "key"], name="dimension_summary_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.dimension}={self.key}@{self.period_id}"


# --- 通报 (issue 10 §6) ------------------------------------------------------------------------


class BulletinSetting(VersionedModel):
    """How a province's or a city's bulletin is issued: 发文机关, 文号, 主送 and how many lagging
    projects per region it names. One row per region; a region without a row uses the defaults
    of :meth:`for_region`. ``doc_number`` may contain ``{year}`` and ``{month}``."""

    region = models.OneToOneField("regions.Region", verbose_name=_("发文范围"), on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField(_("发文机关"), max_length=60, blank=True, help_text=_("留空：“某某重点项目建设推进办公室”"))
    doc_number = models.CharField(
        _("文号"), max_length=60, blank=True, help_text=_("可用 {year}、{month}，例如：鲁重点办〔{year}〕{month}号")
    )
    recipients = models.CharField(_("主送机关"), max_length=120, blank=True)
    top_n = models.PositiveSmallIntegerField(
        _("每个地区列出的滞后项目数"),
        default=10,
        validators=[MinValueValidator(1, message=_("至少列出1个")), MaxValueValidator(100, message=_("最多列出100个"))],
    )

    class Meta:
        verbose_name = _("通报设置")
        verbose_name_plural = _("通报设置")

    def __str__(self) -> str:
        return _("%(region)s 通报设置") % {"region": self.region_id}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.doc_number:
            try:
                self.doc_number.format(year=2026, month=1)
            except (KeyError, IndexError, ValueError):
                raise ValidationError({"doc_number": _("文号中只能使用 {year} 和 {month}")}) from None
