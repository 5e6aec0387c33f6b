"""Serializers of the 月调度 part of ``/api/v1``: periods, monthly reports and their review,
corrections, warnings and problem items.

Output serializers are read-only. Input serializers only validate shapes and whitelist the
fields a filler may type (``dispatch.services.REPORT_FIELDS``); the figures the service
derives (``invested_ytd``, ``invested_to_date``), the status and the review chain are never
accepted from a client. Every write goes through ``keyprojects.dispatch.services``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyprojects.accounts.choices import Role
from keyprojects.dispatch import rules
from keyprojects.dispatch.choices import ProblemStatus
from keyprojects.dispatch.models import (
    MonthlyReport,
    PeriodClosure,
    ProblemItem,
    ProjectWarning,
    ReportFlag,
    ReportingPeriod,
    ReportRevision,
    ReportStep,
)
from keyprojects.dispatch.selectors import closed_region_codes, report_status_label
from keyprojects.dispatch.services import REVIEW_ROLES
from keyprojects.regions.models import Unit

from .serializers import MONEY, StrictInput

PERIOD_RE = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})$")
# What the schema promises for a period typed by a client: YYYY-MM, years 2000-2100.
PERIOD_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
PERIOD_HELP = "调度期，格式 YYYY-MM，如 2026-03"
TEXT_MAX = 5000
ID_MAX = 2**63 - 1  # BIGINT: a larger id would overflow SQLite's integer instead of "not found"
VERSION_MAX = 2**31 - 1


def choices_field(choices: type[models.TextChoices], help_text: str = "") -> serializers.CharField:
    """A read-only code documented inline as an enum: drf-spectacular would otherwise name the
    enums of several models' ``status`` fields by a hash (and warn)."""
    described = "、".join(f"{value}={label}" for value, label in choices.choices)

    @extend_schema_field({"type": "string", "enum": list(choices.values), "description": f"{help_text}{described}"})
    class Field(serializers.CharField):
        pass

    return Field(read_only=True)


LEVELS = [*REVIEW_ROLES]
LEVEL_HELP = "审核层级：county=县级、city=市级、province=省级"


@extend_schema_field({"type": "string", "enum": [*LEVELS, ""], "description": LEVEL_HELP + "；不在审核中为空"})
class PendingLevelField(serializers.CharField):
    pass


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": LEVELS}, "description": "审核链（依次审核的层级）"})
class ReviewLevelsField(serializers.ListField):
    pass


@extend_schema_field({"type": "string", "enum": [*Role.values, ""], "description": "操作人的角色"})
class StepLevelField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": LEVELS, "description": "审定层级：" + LEVEL_HELP})
class ApprovalLevelField(serializers.CharField):
    pass


def _username(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()  # type: ignore[no-any-return]


# ---- periods --------------------------------------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    """A reporting month. ``label`` (YYYY-MM) is accepted wherever a period is asked for."""

    label = serializers.CharField(read_only=True, help_text="YYYY-MM")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    closed_regions = serializers.SerializerMethodField(help_text="已关账的区域（市或省）区划代码")

    class Meta:
        model = ReportingPeriod
        fields = ["id", "label", "year", "month", "status", "status_label", "fill_start", "fill_end", "closed_at", "closed_regions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_closed_regions(self, obj: ReportingPeriod) -> list[str]:
        return [c.region_id for c in obj.closures.all()]


class ClosureSerializer(serializers.ModelSerializer):
    """One month close: the period and the region (a city, or the whole province)."""

    period = serializers.CharField(source="period.label", read_only=True, help_text="YYYY-MM")
    period_id = serializers.IntegerField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    closed_by_name = serializers.SerializerMethodField()

    checklist = serializers.JSONField(read_only=True, help_text="关账时的未完成事项清单（按市、县的未报、待审核、数据存疑、已退回）")

    class Meta:
        model = PeriodClosure
        fields = [
            "id",
            "period",
            "period_id",
            "region",
            "region_name",
            "closed_at",
            "closed_by_name",
            "open_items",
            "confirmation",
            "checklist",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_closed_by_name(self, obj: PeriodClosure) -> str | None:
        return _username(obj.closed_by)


class CloseSerializer(StrictInput):
    """Input of a month close: with anything open, the period (YYYY-MM) or 确认关账 typed out."""

    confirm = serializers.CharField(
        required=False, allow_blank=True, max_length=32, default="", help_text="有未完成事项时须填写调度期（如 2026-11）或“确认关账”"
    )


# ---- reports --------------------------------------------------------------------------------


class FlagSerializer(serializers.ModelSerializer):
    """A check result of the submission: ``error`` blocks it, ``warning`` needs the reviewer's
    acknowledgement before approval."""

    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = ReportFlag
        fields = ["code", "severity", "message", "reason", "acknowledged", "acknowledged_at", "acknowledge_reason"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_acknowledged(self, obj: ReportFlag) -> bool:
        return obj.acknowledged_at is not None


class StepSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    level = StepLevelField(read_only=True)

    class Meta:
        model = ReportStep
        fields = ["action", "level", "opinion", "actor_name", "at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, obj: ReportStep) -> str | None:
        return _username(obj.actor)


INVESTED_YTD_HELP = (
    "本报告自身的1-N月累计完成投资（万元）：此前已计入月份之和加本月（dispatch.rules.derive）。"
    "已报待审或已审定的月报（counted 为 true）即官方数；草稿或被退回的月报（counted 为 false）是提交后将成为的数，"
    "不计入任何统计。项目的官方累计见 /api/v1/figures/projects/。"
)
INVESTED_TO_DATE_HELP = "本报告自身的开工至今累计完成投资（万元），口径同 invested_ytd：counted 为 false 时不计入统计。"


class ReportSerializer(serializers.ModelSerializer):
    """A monthly report as the API returns it, with its check flags and workflow history
    (``steps``). ``invested_ytd`` and ``invested_to_date`` are the report's own figures, derived
    from the counted months before it plus its own month (ADR 0011): the official figures for a
    counted report, what a draft or a returned report would state once submitted (``counted``
    false: they count nowhere; the official figures are ``/api/v1/figures/projects/``).
    ``status``, ``pending_level`` and ``version`` change only through the workflow operations;
    ``status_label`` is the status as every page shows it (``dispatch.rules.report_status_label``:
    a draft left in a closed month is 未报（草稿未提交）, its ``status`` stays ``draft``)."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.CharField(source="project.region_id", read_only=True, help_text="项目所在区划代码")
    region_name = serializers.CharField(source="project.region.name", read_only=True)
    period = serializers.CharField(source="period.label", read_only=True, help_text="YYYY-MM")
    period_id = serializers.IntegerField(read_only=True)
    status_label = serializers.SerializerMethodField(
        help_text="状态的显示名称（与各页面一致）：关账月份中未提交的草稿为“未报（草稿未提交）”"
    )
    counted = serializers.SerializerMethodField(help_text="是否计入统计：已报待审或已审定为 true；草稿、被退回为 false")
    invested_ytd = serializers.DecimalField(**MONEY, read_only=True, help_text=INVESTED_YTD_HELP)
    invested_to_date = serializers.DecimalField(**MONEY, read_only=True, help_text=INVESTED_TO_DATE_HELP)
    submitted_by_name = serializers.SerializerMethodField()
    review_levels = ReviewLevelsField(read_only=True)
    pending_level = PendingLevelField(read_only=True)
    flags = FlagSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "region_name",
            "period",
            "period_id",
            "status",
            "status_label",
            "counted",
            "review_levels",
            "pending_level",
            "invested_month",
            "invested_ytd",
            "invested_to_date",
            "no_activity",
            "no_activity_reason",
            "physical_progress",
            "physical_progress_pct",
            "workers",
            "problems",
            "next_month_plan",
            "return_opinion",
            "submitted_at",
            "submitted_by_name",
            "is_late",
            "approved_at",
            "flags",
            "steps",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by_name(self, obj: MonthlyReport) -> str | None:
        return _username(obj.submitted_by)

    def get_status_label(self, obj: MonthlyReport) -> str:
        # the regions that closed each period, read once per period for a whole page of reports
        cache: dict[int, set[str]] = self.root.context.setdefault("_closed_codes", {}) if self.root is not None else {}
        if obj.period_id not in cache:
            cache[obj.period_id] = closed_region_codes(obj.period)
        return report_status_label(obj, project=obj.project, period=obj.period, closed=cache[obj.period_id])

    def get_counted(self, obj: MonthlyReport) -> bool:
        return rules.counts(obj.status)


class ReportValuesSerializer(StrictInput):
    """The figures a filler types (all optional; absent fields keep their value)."""

    invested_month = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, help_text="本月完成投资（万元）")
    no_activity = serializers.BooleanField(required=False, help_text="本月无进展（本月完成投资须为0并说明原因）")
    no_activity_reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="无进展原因")
    physical_progress = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="形象进度")
    physical_progress_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        help_text="形象进度（%，0-100）",
    )
    workers = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000, help_text="在岗工人数")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="存在问题")
    next_month_plan = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="下月计划")


class ReportSaveSerializer(ReportValuesSerializer):
    """Input of "save draft": one report per project and period; the first save creates it,
    later saves update it while it is a draft or returned."""

    project = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="项目 ID")
    period = serializers.RegexField(
        PERIOD_PATTERN,
        max_length=7,
        trim_whitespace=False,
        error_messages={"invalid": "调度期格式应为 YYYY-MM，如 2026-03"},
        help_text=PERIOD_HELP,
    )

    def validate_period(self, value: str) -> tuple[int, int]:
        return parse_period_label(value)


class ReportUpdateSerializer(ReportValuesSerializer):
    """Input of "update draft": ``version`` is the version the client last read; if somebody
    saved in between the API answers 409 ``conflict`` and writes nothing."""

    version = serializers.IntegerField(min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁，必填）")


class VersionOptionalSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, required=False, help_text="读取时的版本号（乐观锁）；给出时，若已被他人处理则不执行并返回 409"
    )


REASONS_HELP = "每条校验提示的说明：提示代码 → 说明（如 unit_slip、zero_without_reason）"


class SubmitSerializer(VersionOptionalSerializer):
    """Input of submit (empty body allowed): each check warning the figures meet needs a written
    reason (``reasons``, over those saved with the draft), else 400 with ``extra.reasons_required``."""

    reasons = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, default=dict, help_text=REASONS_HELP
    )


class AcknowledgeSerializer(StrictInput):
    """Input of acknowledge: the reviewer's reason for each unacknowledged warning (``reasons``;
    ``reason`` for any without its own)."""

    reasons = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, default=dict, help_text=REASONS_HELP
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="适用于全部提示的理由")


class ApproveSerializer(VersionOptionalSerializer):
    """Input of approve: forwards to the next level of the chain, or approves at the last one."""

    opinion = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="", help_text="审核意见（可选）")


class ReturnSerializer(VersionOptionalSerializer):
    """Input of return: the opinion tells the filler what to fix."""

    opinion = serializers.CharField(max_length=TEXT_MAX, help_text="退回意见（必填）")


# ---- corrections ----------------------------------------------------------------------------


@extend_schema_field({"type": "string", "nullable": True, "description": "字段值的文本；null 表示清空（形象进度%、在岗工人数）"})
class RevisionValueField(serializers.Field):
    """One stored correction value: text (amounts exactly, ``true``/``false`` for 本月无进展), null
    for a cleared value."""

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


class RevisionSerializer(serializers.ModelSerializer):
    report_id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="report.project_id", read_only=True)
    period = serializers.CharField(source="report.period.label", read_only=True, help_text="YYYY-MM")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    old_values = serializers.DictField(child=RevisionValueField(), read_only=True, help_text="字段 → 原值")
    new_values = serializers.DictField(child=RevisionValueField(), read_only=True, help_text="字段 → 新值")
    approval_level = ApprovalLevelField(read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ReportRevision
        fields = [
            "id",
            "report_id",
            "project",
            "period",
            "reason",
            "old_values",
            "new_values",
            "status",
            "status_label",
            "approval_level",
            "requested_by_name",
            "requested_at",
            "decided_by_name",
            "decided_at",
            "decision_opinion",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by_name(self, obj: ReportRevision) -> str | None:
        return _username(obj.requested_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by_name(self, obj: ReportRevision) -> str | None:
        return _username(obj.decided_by)


class RevisionRequestSerializer(StrictInput):
    """Input of a correction request for an approved report."""

    reason = serializers.CharField(max_length=TEXT_MAX, help_text="更正原因（必填）")
    new_values = ReportValuesSerializer(help_text="更正后的值（只填要改的字段）")


class RevisionDecideSerializer(StrictInput):
    approve = serializers.BooleanField(help_text="true 同意更正，false 驳回")
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="", help_text="审定意见")


# ---- warnings and problems ------------------------------------------------------------------


class WarningSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.CharField(source="project.region_id", read_only=True, help_text="项目所在区划代码")
    region_name = serializers.CharField(source="project.region.name", read_only=True)
    period = serializers.CharField(source="period.label", read_only=True, help_text="YYYY-MM")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ProjectWarning
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "region_name",
            "period",
            "kind",
            "kind_label",
            "message",
            "value",
            "owner",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"owner": {"help_text": "须办理的单位（审批超时、要素保障逾期）；为空时为项目的责任单位"}}


class ProblemSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.CharField(source="project.region_id", read_only=True, help_text="项目所在区划代码")
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True, allow_null=True)
    status = choices_field(ProblemStatus, "状态：")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProblemItem
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "report",
            "description",
            "responsible_unit",
            "responsible_unit_name",
            "due_date",
            "status",
            "status_label",
            "resolution",
            "solved_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProblemCreateSerializer(StrictInput):
    """Input of a new problem item (存在问题 to be followed until solved)."""

    project = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="项目 ID")
    description = serializers.CharField(max_length=TEXT_MAX, help_text="问题描述")
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False, allow_null=True, help_text="责任单位 ID"
    )
    due_date = serializers.DateField(required=False, allow_null=True, help_text="办结时限")
    report = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="来源月报 ID（须属于该项目）"
    )


class ProblemStatusSerializer(StrictInput):
    status = serializers.ChoiceField(choices=ProblemStatus.choices, help_text="新状态")
    resolution = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, default="", help_text="办理结果（已解决时必填）"
    )
    version = serializers.IntegerField(min_value=1, max_value=VERSION_MAX, required=False, help_text="读取时的版本号（乐观锁）")


# ---- helpers --------------------------------------------------------------------------------


def parse_period_label(value: str) -> tuple[int, int]:
    """``"YYYY-MM"`` → (year, month); months after the current one cannot be reported yet."""
    m = PERIOD_RE.match((value or "").strip())
    if not m:
        raise serializers.ValidationError("调度期格式应为 YYYY-MM，如 2026-03")
    year, month = int(m["year"]), int(m["month"])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise serializers.ValidationError("调度期无效")
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise serializers.ValidationError("该调度期尚未开始，不能填报")
    return year, month
