"""Summary tables (architecture.md §4 "heavy aggregates"): refreshed by services when a report is
approved or a period closes, never computed per request. Rows of a frozen (closed) period or
region never change afterwards."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.core.money import money_field


class ProjectPeriodFact(models.Model):
    """One project in one period: the figures every page, ranking and bulletin reads."""

    period = models.ForeignKey("dispatch.ReportingPeriod", on_delete=models.CASCADE, related_name="facts")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="facts")
    region_code = models.CharField(_("区划"), max_length=6)
    city_code = models.CharField(_("市"), max_length=6, blank=True)
    province_code = models.CharField(_("省"), max_length=6)
    on_province_list = models.BooleanField(default=False)
    on_city_list = models.BooleanField(default=False)
    on_county_list = models.BooleanField(default=False)
    category = models.CharField(max_length=16, blank=True)
    industry_section = models.CharField(max_length=1, blank=True)
    nature = models.CharField(max_length=16, blank=True)
    stage = models.CharField(max_length=16, blank=True)
    responsible_unit_ref = models.BigIntegerField(null=True, blank=True)
    sponsor_leader_ref = models.BigIntegerField(null=True, blank=True)
    annual_plan = money_field(_("年度计划"), default=Decimal(0))
    planned_ytd = money_field(_("计划累计"), default=Decimal(0))
    invested_month = money_field(_("本月完成"), default=Decimal(0))
    invested_ytd = money_field(_("累计完成"), default=Decimal(0))
    invested_to_date = money_field(_("开工至今"), default=Decimal(0))
    report_state = models.CharField(max_length=16, blank=True)
    report_due = models.BooleanField(default=False)
    report_on_time = models.BooleanField(default=False)
    planned_new = models.BooleanField(default=False)
    started = models.BooleanField(default=False)
    planned_completion = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)

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

    class Meta:
        verbose_name = _("区域月度汇总")
        verbose_name_plural = _("区域月度汇总")
        constraints = [models.UniqueConstraint(fields=["period", "region"], name="region_summary_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}@{self.period_id}"
