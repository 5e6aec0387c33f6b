"""Serializers of ``/api/v1`` for 要素保障与审批 (issue 14): project approvals, factor needs (四张清单)
and 会商会办. Output shapes, and strict inputs that feed the approvals services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyprojects.approvals.choices import ApprovalStatus, Code, FactorKind, FactorSubtype, Level, NeedStatus
from keyprojects.approvals.models import ApprovalItem, Consultation, ConsultationTopic, FactorNeed, ProjectApproval
from keyprojects.regions.models import Unit

from .dispatch_serializers import ID_MAX, VERSION_MAX, choices_field
from .serializers import StrictInput, VersionRequiredMixin

QUANTITY = {"max_digits": 14, "decimal_places": 4}


def _unit_field(help_text: str) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False, allow_null=True, help_text=help_text
    )


# ---- approvals ------------------------------------------------------------------------------


class ApprovalSerializer(serializers.ModelSerializer):
    """One 审批事项 of a project, with its working-day timing on the official calendar."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.CharField(source="project.region_id", read_only=True, help_text="项目所在区划代码")
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    item_name_en = serializers.CharField(source="item.name_en", read_only=True, help_text="事项英文名称（未填为空字符串）")
    department = serializers.CharField(read_only=True, help_text="办理部门（办理单位，否则事项的责任部门）")
    status = choices_field(ApprovalStatus, "办理状态：")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    legal_limit_days = serializers.IntegerField(source="item.legal_limit_days", read_only=True, help_text="法定时限（工作日）")
    working_days = serializers.SerializerMethodField(help_text="已用（或办结所用）工作日；未申报为 null")
    overdue = serializers.SerializerMethodField(help_text="超过法定时限")
    code = serializers.SerializerMethodField(help_text="红黄码：red=红码（超时未办结）、yellow=黄码（临近时限）、green=绿码")

    class Meta:
        model = ProjectApproval
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "item",
            "item_code",
            "item_name",
            "item_name_en",
            "department",
            "handling_unit",
            "status",
            "status_label",
            "applied_on",
            "accepted_on",
            "completed_on",
            "approval_number",
            "note",
            "legal_limit_days",
            "working_days",
            "overdue",
            "code",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_working_days(self, obj: ProjectApproval) -> int | None:
        return obj.timing.days  # type: ignore[attr-defined,no-any-return]

    def get_overdue(self, obj: ProjectApproval) -> bool:
        return bool(obj.timing.overdue)  # type: ignore[attr-defined]

    @extend_schema_field({"type": "string", "enum": list(Code.values)})
    def get_code(self, obj: ProjectApproval) -> str:
        return str(obj.timing.code)  # type: ignore[attr-defined]


class ApprovalCreateSerializer(StrictInput):
    """Add one catalogue item to a project's approval steps (未申报)."""

    project = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="项目 ID")
    item = serializers.PrimaryKeyRelatedField(queryset=ApprovalItem.objects.filter(is_active=True), help_text="审批事项 ID（目录）")


class ApprovalUpdateSerializer(VersionRequiredMixin):
    """Record an item's progress; a department handling the item may not change ``handling_unit``."""

    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False, help_text="办理状态")
    applied_on = serializers.DateField(required=False, allow_null=True, help_text="申报日期")
    accepted_on = serializers.DateField(required=False, allow_null=True, help_text="受理日期")
    completed_on = serializers.DateField(required=False, allow_null=True, help_text="办结日期")
    approval_number = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="批复文号")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="备注")
    handling_unit = _unit_field("办理单位 ID（区域用户设置）")
    version = serializers.IntegerField(min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）")


class ApprovalItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalItem
        fields = [
            "id", "code", "name", "name_en", "department_name", "department_name_en", "department_unit", "legal_limit_days", "order",
            "is_active",
        ]  # fmt: skip
        read_only_fields = fields


# ---- factor needs ---------------------------------------------------------------------------


class FactorNeedSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.CharField(source="project.region_id", read_only=True, help_text="项目所在区划代码")
    kind = choices_field(FactorKind, "要素类别：")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    subtype = choices_field(FactorSubtype, "细类/来源：")
    subtype_label = serializers.CharField(source="get_subtype_display", read_only=True)
    status = choices_field(NeedStatus, "保障状态：")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    level = choices_field(Level, "协调层级：")
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, allow_null=True)
    measure = serializers.CharField(read_only=True, help_text="计量单位（亩、万元、吨/年、吨标准煤）")
    gap = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True, help_text="缺口")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, help_text="逾期：已过保障时限，仍待保障或保障中")

    class Meta:
        model = FactorNeed
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "kind",
            "kind_label",
            "subtype",
            "subtype_label",
            "quantity",
            "secured",
            "gap",
            "measure",
            "financial_guidance",
            "owner_unit",
            "owner_unit_name",
            "due_on",
            "overdue",
            "status",
            "status_label",
            "level",
            "description",
            "resolution",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _NeedFields(StrictInput):
    kind = serializers.ChoiceField(choices=FactorKind.choices, help_text="要素类别")
    subtype = serializers.ChoiceField(choices=FactorSubtype.choices, help_text="细类/来源（须属于要素类别）")
    quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal("0.0001"), help_text="需求量")
    secured = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), required=False, help_text="已保障量")
    financial_guidance = serializers.BooleanField(required=False, help_text="已开展金融辅导（资金需求）")
    owner_unit = _unit_field("责任单位 ID")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="保障时限")
    status = serializers.ChoiceField(choices=NeedStatus.choices, required=False, help_text="保障状态")
    description = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="需求说明")
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="保障措施/结果（无法保障时必填）")


class FactorNeedCreateSerializer(_NeedFields):
    project = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="项目 ID")


class FactorNeedUpdateSerializer(VersionRequiredMixin, _NeedFields):
    """Update a need; its owner unit may change only secured, financial_guidance, status, resolution."""

    version = serializers.IntegerField(min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in ("kind", "subtype", "quantity"):
            self.fields[f].required = False


# ---- consultations --------------------------------------------------------------------------


class TopicSerializer(serializers.ModelSerializer):
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, allow_null=True)
    escalated_to = serializers.SerializerMethodField(help_text="提级至：city=市级、province=省级；未提级为空")

    class Meta:
        model = ConsultationTopic
        fields = ["id", "project", "need", "problem", "decision", "owner_unit", "owner_unit_name", "due_on", "done_on", "escalated_to"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["", *Level.values]})
    def get_escalated_to(self, obj: ConsultationTopic) -> str:
        return str(obj.escalated_to)


class ConsultationSerializer(serializers.ModelSerializer):
    level = choices_field(Level, "会商层级：")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    units_present = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    topics = TopicSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "held_on",
            "level",
            "level_label",
            "region",
            "region_name",
            "convener",
            "units_present",
            "summary",
            "topics",
            "created_at",
        ]
        read_only_fields = fields


class TopicInputSerializer(StrictInput):
    need = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="要素需求 ID")
    problem = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="问题事项 ID")
    project = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="项目 ID（议题不涉及需求或问题时）"
    )
    decision = serializers.CharField(max_length=1000, help_text="会商意见")
    owner_unit = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="落实单位 ID")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="落实时限")
    escalate = serializers.BooleanField(required=False, default=False, help_text="提级会商：把需求或问题提交上一级")


class ConsultationCreateSerializer(StrictInput):
    held_on = serializers.DateField(help_text="会商日期（不晚于今天）")
    convener = serializers.CharField(max_length=100, help_text="召集人")
    units_present = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False, max_length=100, help_text="参会单位 ID"
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="", help_text="会议纪要")
    topics = TopicInputSerializer(many=True, help_text="议题（至少一个）")

    def validate_topics(self, value: list[Any]) -> list[Any]:
        if not value:
            raise serializers.ValidationError("至少需要一个议题")
        if len(value) > 100:
            raise serializers.ValidationError("议题过多")
        return value


class TopicDoneSerializer(StrictInput):
    topic = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="议题 ID（属于该会商）")
    done_on = serializers.DateField(required=False, allow_null=True, help_text="落实日期（默认今天）")
