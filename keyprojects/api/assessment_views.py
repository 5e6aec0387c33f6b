"""``/api/v1/assessments/``: the stored 双考核双评价 results a user reads, read only.

* ``assessments/`` — the results, newest period first (filters ``period``, ``kind``, ``level``,
  ``scheme``, ``published``);
* ``assessments/{id}/`` — one result: the scheme's indicators as scored, and every unit's 名次
  and 得分 with the explanation the result page shows that user.

Scope is the pages' (``analytics.assessment``): a scheme's range (province and city staff and
leaders, ``policy.report_region``) reads every result of its schemes, published or not, with
every unit's explanation; the assessed (``policy.assessed_key``) read the published results of
the schemes assessing their unit, the ranking and their own unit's explanation alone; a result
not yet published does not exist for them (404). Enterprises and the three administrators are
refused (403, ``policy.can_read_assessments``). The figures are the stored snapshot's, through
``snapshot_tables`` like the page and its export: nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.analytics.assessment import (
    schemes_assessing,
    schemes_visible_to,
    snapshot_access,
    snapshot_tables,
    snapshots_readable,
)
from keyprojects.analytics.models import AssessedKind, AssessmentSnapshot
from keyprojects.core.errors import NotFound

from .dispatch_views import PeriodFilter, _scoped_get
from .filters import IdFilter
from .permissions import PolicyGate
from .views import LIST_ERRORS, READ_ERRORS, _op

SCORE = {"max_digits": 5, "decimal_places": 2, "coerce_to_string": True, "allow_null": True}


# ---- serializers ----------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    """A stored result as listed: its scheme, period and publication."""

    scheme_name = serializers.CharField(source="scheme.name", read_only=True, help_text="考核方案名称")
    kind = serializers.ChoiceField(source="scheme.unit_kind", choices=AssessedKind.choices, read_only=True, help_text="考核对象类型")
    kind_label = serializers.CharField(source="scheme.unit_kind_label", read_only=True, help_text="考核对象名称（如市、区县）")
    region = serializers.CharField(source="scheme.region_id", read_only=True, help_text="考核范围（省或市的区划代码）")
    region_name = serializers.CharField(source="scheme.region.name", read_only=True, help_text="考核范围名称")
    level = serializers.ChoiceField(source="scheme.region.level", choices=["province", "city"], read_only=True, help_text="考核范围层级")
    period = serializers.CharField(source="period.label", read_only=True, help_text="调度期 YYYY-MM")
    published = serializers.SerializerMethodField(help_text="是否已发布（被考核单位只看得到已发布的结果）")
    as_range = serializers.SerializerMethodField(help_text="true：以考核范围身份查看（全部单位的得分说明）；false：以被考核单位身份查看")
    own_unit = serializers.SerializerMethodField(help_text="本单位在结果中的代码（区划代码或单位 ID）；以考核范围身份查看时为 null")

    class Meta:
        model = AssessmentSnapshot
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "kind",
            "kind_label",
            "region",
            "region_name",
            "level",
            "period",
            "computed_at",
            "published",
            "published_at",
            "digest",
            "as_range",
            "own_unit",
        ]
        read_only_fields = fields

    def _own(self, obj: AssessmentSnapshot) -> str | None:
        """The reader's unit key for this result (None: read as the scheme's range)."""
        access = self.context.get("access")
        if access is not None:  # one result (retrieve): how the page reads it
            return access.own  # type: ignore[no-any-return]
        ranges, own = self.context["ranges"], self.context["own"]
        return None if obj.scheme_id in ranges else own.get(obj.scheme_id)

    def get_published(self, obj: AssessmentSnapshot) -> bool:
        return obj.published_at is not None

    def get_as_range(self, obj: AssessmentSnapshot) -> bool:
        return self._own(obj) is None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_own_unit(self, obj: AssessmentSnapshot) -> str | None:
        return self._own(obj)


class AssessmentItemSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    weight = serializers.CharField(help_text="权重（十进制文本）")
    rule = serializers.ChoiceField(choices=["linear", "rank"], help_text="计分规则：linear 线性计分，rank 按名次计分")
    rule_label = serializers.CharField(help_text="计分规则名称")
    direction_label = serializers.CharField(help_text="方向（越高越好、越低越好）")
    floor = serializers.CharField(required=False, help_text="线性计分的起点（0 分）")
    target = serializers.CharField(required=False, help_text="线性计分的目标值（100 分）")
    last_points = serializers.CharField(required=False, help_text="按名次计分时末位的得分")


class AssessmentProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="项目 ID")
    name = serializers.CharField(allow_null=True, help_text="项目名称；本人看不到的项目为 null（只给 ID）")
    counted = serializers.BooleanField(help_text="是否计入分子")


class AssessmentCommitmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="承诺 ID")
    name = serializers.CharField(allow_null=True, help_text="承诺；本人看不到的为 null")
    agreement = serializers.IntegerField(allow_null=True, help_text="所属政企合作协议 ID；本人看不到的为 null")
    kept = serializers.BooleanField(help_text="是否已履行（经他人确认）")


class AssessmentLineSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    kind = serializers.CharField(allow_blank=True, help_text="指标类型（rate 为百分比）")
    weight = serializers.CharField(help_text="权重")
    rule = serializers.CharField(help_text="计分规则")
    value = serializers.CharField(allow_null=True, help_text="数值（十进制文本：比率为百分数，序时进度为百分点）；不适用为 null")
    rank = serializers.IntegerField(allow_null=True, help_text="该指标的名次")
    ranked = serializers.IntegerField(help_text="参与该指标排名的单位数")
    points = serializers.DecimalField(**SCORE, help_text="指标得分（0–100）；不适用为 null")
    applicable = serializers.BooleanField(help_text="指标是否适用（不适用的权重不计入）")
    basis = serializers.DictField(help_text="依据：分子、分母等及背后的项目 ID（保存的考核结果原样）")
    projects = AssessmentProjectRefSerializer(source="project_list", many=True, help_text="背后的项目")
    commitments = AssessmentCommitmentRefSerializer(source="commitment_list", many=True, help_text="背后的承诺（履约率）")


class AssessmentUnitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="考核对象代码（区划代码或单位 ID）")
    name = serializers.CharField(help_text="考核对象名称")
    rank = serializers.IntegerField(help_text="名次（并列同名次；无得分的排在最后）")
    score = serializers.DecimalField(**SCORE, help_text="得分；没有适用指标为 null")
    projects = serializers.IntegerField(help_text="项目数")
    own = serializers.BooleanField(help_text="是否本单位")
    explained = serializers.BooleanField(help_text="是否附得分说明（被考核单位只有本单位的）")
    lines = AssessmentLineSerializer(many=True, help_text="得分说明：逐项指标；不附说明时为空")


class AssessmentDetailSerializer(AssessmentSerializer):
    """One result as its page shows it to the reader (``analytics.assessment.snapshot_tables``)."""

    indicators = AssessmentItemSerializer(many=True, read_only=True, help_text="计算时的指标、权重和计分规则")
    units = AssessmentUnitSerializer(many=True, read_only=True, help_text="得分与名次，名次在前")

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "indicators", "units"]
        read_only_fields = fields


# ---- filters --------------------------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    period = PeriodFilter(label="调度期（YYYY-MM 或 ID）")
    kind = django_filters.ChoiceFilter(field_name="scheme__unit_kind", choices=AssessedKind.choices, label="考核对象类型")
    level = django_filters.ChoiceFilter(
        field_name="scheme__region__level", choices=[("province", "省"), ("city", "市")], label="考核范围层级"
    )
    scheme = IdFilter(field_name="scheme_id", label="考核方案 ID")
    published = django_filters.BooleanFilter(field_name="published_at", lookup_expr="isnull", exclude=True, label="是否已发布")

    class Meta:
        model = AssessmentSnapshot
        fields: list[str] = []


# ---- views ----------------------------------------------------------------------------------


@extend_schema_view(
    list=_op(
        "assessments_list",
        "考核结果列表（双考核双评价，本人可看的）/ List the assessment results the user reads",
        responses={200: AssessmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "assessments_retrieve",
        "考核结果：名次、得分和得分说明 / Get an assessment result: ranks, scores and their explanation",
        responses={200: AssessmentDetailSerializer, **READ_ERRORS},
    ),
)
class AssessmentViewSet(PolicyGate, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    queryset = AssessmentSnapshot.objects.none()
    filterset_class = AssessmentFilter
    permission_classes = [IsAuthenticated]

    refusal = gettext_noop("考核只对省级、市级工作人员、领导和被考核的地区、部门开放。")

    def allowed(self, user: Any) -> bool:
        return policy.can_read_assessments(user)

    def get_serializer_class(self) -> Any:
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer

    def get_queryset(self) -> QuerySet[AssessmentSnapshot]:
        if getattr(self, "swagger_fake_view", False):
            return AssessmentSnapshot.objects.none()
        return (
            snapshots_readable(self.request.user)
            .select_related("scheme__region", "period")
            .order_by("-period__year", "-period__month", "scheme_id", "id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset().defer("result"))
        page = self.paginate_queryset(queryset)
        user = request.user
        context = {
            **self.get_serializer_context(),
            "ranges": set(schemes_visible_to(user).values_list("pk", flat=True)),
            "own": {scheme.pk: key for scheme, key in schemes_assessing(user)},
        }
        rows = page if page is not None else queryset
        data = AssessmentSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        snapshot = _scoped_get(self.get_queryset(), AssessmentSnapshot, kwargs["pk"], user, request)
        access = snapshot_access(user, snapshot)
        if access is None:  # (the queryset is the same rule; kept as the page's last word)
            raise NotFound()
        tables = snapshot_tables(user=user, snapshot=snapshot, own=access.own)
        # the page explains every unit to the range, the own unit alone to the assessed
        units = [{**u, "explained": access.as_range or u["own"]} for u in tables.units]
        context = {**self.get_serializer_context(), "access": access}
        data = {
            **AssessmentSerializer(snapshot, context=context).data,
            "indicators": AssessmentItemSerializer(tables.items, many=True).data,
            "units": AssessmentUnitSerializer(units, many=True).data,
        }
        return Response(data)
