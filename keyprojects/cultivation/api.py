"""``/api/v1/cultivation/lists/`` and ``/api/v1/cultivation/entries/``: the “双50” 培育名单 and
their entries a user sees (read only; writes go through the pages and the services). A list
carries its figures (入选 against 名额, 签约率, the 履约率 of the government's commitments in the
linked agreements) computed by :func:`keyprojects.cultivation.selectors.list_figures`. An
enterprise contact reads only its own admissions (entries, no indicators); lists are not theirs."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.api.filters import IdFilter, YearFilter
from keyprojects.api.permissions import PolicyGate
from keyprojects.api.views import LIST_ERRORS, READ_ERRORS, _op
from keyprojects.core.scope import get_for_user

from .choices import EntryStatus, ListKind
from .models import CultivationEntry, CultivationList
from .selectors import ListFigures, entries_visible, list_figures


class FiguresSerializer(serializers.Serializer):
    capacity = serializers.IntegerField(help_text="名额")
    admitted = serializers.IntegerField(help_text="已入选")
    nominated = serializers.IntegerField(help_text="待审定")
    signed = serializers.IntegerField(help_text="已入选且已关联政企合作协议")
    signing_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True, help_text="签约率 = 已签约 / 已入选（0–1）")
    commitments_due = serializers.IntegerField(source="fulfilment.due", help_text="关联协议中政府承诺的应履约数")
    commitments_kept = serializers.IntegerField(source="fulfilment.kept", help_text="其中已履行")
    fulfilment_rate = serializers.DecimalField(
        source="fulfilment.rate", max_digits=6, decimal_places=4, allow_null=True, help_text="政府承诺履约率 = 已履行 / 应履约（0–1）"
    )


class CultivationListSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    figures = serializers.SerializerMethodField(help_text="名单指标（今天）")

    class Meta:
        model = CultivationList
        fields = ["id", "region", "region_name", "year", "kind", "kind_label", "industry_scope", "capacity", "figures", "version"]
        read_only_fields = fields

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, obj: CultivationList) -> dict[str, Any]:
        figures: dict[int, ListFigures] = self.context.get("figures") or {}
        f = figures.get(obj.pk) or list_figures(self.context["request"].user, [obj])[obj.pk]
        return FiguresSerializer(f).data  # type: ignore[return-value]


class CultivationEntrySerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    list_title = serializers.CharField(source="cultivation_list.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    removal_pending = serializers.BooleanField(read_only=True, help_text="已提出调出，待他人确认")

    class Meta:
        model = CultivationEntry
        fields = [
            "id",
            "cultivation_list",
            "list_title",
            "enterprise",
            "enterprise_name",
            "status",
            "status_label",
            "reason",
            "revenue",
            "tax",
            "rd_spending",
            "nominated_at",
            "decided_at",
            "decision_note",
            "agreement",
            "removal_pending",
            "removal_reason",
            "removed_on",
            "version",
        ]
        read_only_fields = fields


class OwnEntrySerializer(serializers.ModelSerializer):
    """What an enterprise contact reads of its own admissions."""

    list_title = serializers.CharField(source="cultivation_list.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CultivationEntry
        fields = ["id", "cultivation_list", "list_title", "enterprise", "status", "status_label"]
        read_only_fields = fields


class ListFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label="年度")
    kind = django_filters.ChoiceFilter(field_name="kind", choices=ListKind.choices, label="名单类别")
    region = django_filters.CharFilter(method="filter_region", label="区划代码（市含所辖县区）")

    class Meta:
        model = CultivationList
        fields: list[str] = []

    def filter_region(self, qs: QuerySet[CultivationList], name: str, value: str) -> QuerySet[CultivationList]:
        return qs.filter(Q(region_id=value) | Q(region__city_code=value))


class EntryFilter(django_filters.FilterSet):
    cultivation_list = IdFilter(field_name="cultivation_list_id", label="培育名单 ID")
    enterprise = IdFilter(field_name="enterprise_id", label="企业 ID")
    status = django_filters.ChoiceFilter(field_name="status", choices=EntryStatus.choices, label="状态")

    class Meta:
        model = CultivationEntry
        fields: list[str] = []


class _Guarded(PolicyGate):
    refusal = gettext_noop("没有查看双50培育名单的权限")

    def allowed(self, user: Any) -> bool:
        return policy.can_see_cultivation_lists(user)


@extend_schema_view(
    list=_op(
        "cultivation_lists_list",
        "双50培育名单列表（本人范围内，含入选数、签约率、履约率）/ List cultivation lists in scope with their figures",
        responses={200: CultivationListSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "cultivation_lists_retrieve", "双50培育名单详情 / Get a cultivation list", responses={200: CultivationListSerializer, **READ_ERRORS}
    ),
)
class CultivationListViewSet(_Guarded, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CultivationListSerializer
    queryset = CultivationList.objects.none()
    filterset_class = ListFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[CultivationList]:
        if getattr(self, "swagger_fake_view", False):
            return CultivationList.objects.none()
        return CultivationList.objects.visible_to(self.request.user).select_related("region").order_by("-year", "region_id", "kind")

    def get_object(self) -> CultivationList:
        found = get_for_user(CultivationList, user=self.request.user, pk=self.kwargs["pk"], request=self.request)
        return self.get_queryset().get(pk=found.pk)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "figures": list_figures(request.user, rows)}
        data = CultivationListSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


@extend_schema_view(
    list=_op(
        "cultivation_entries_list",
        "双50培育企业列表（本人范围内；企业用户仅本企业入选情况）/ List cultivation entries in scope",
        responses={200: CultivationEntrySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "cultivation_entries_retrieve",
        "双50培育企业详情 / Get a cultivation entry",
        responses={200: CultivationEntrySerializer, **READ_ERRORS},
    ),
)
class CultivationEntryViewSet(_Guarded, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CultivationEntrySerializer
    queryset = CultivationEntry.objects.none()
    filterset_class = EntryFilter
    permission_classes = [IsAuthenticated]

    def allowed(self, user: Any) -> bool:
        return policy.can_see_cultivation(user)

    def get_serializer_class(self) -> Any:
        if getattr(self, "swagger_fake_view", False) or policy.can_see_cultivation_lists(self.request.user):
            return CultivationEntrySerializer
        return OwnEntrySerializer

    def get_queryset(self) -> QuerySet[CultivationEntry]:
        if getattr(self, "swagger_fake_view", False):
            return CultivationEntry.objects.none()
        return entries_visible(self.request.user).order_by("cultivation_list_id", "id")

    def get_object(self) -> CultivationEntry:
        found = get_for_user(CultivationEntry, user=self.request.user, pk=self.kwargs["pk"], request=self.request)
        return self.get_queryset().get(pk=found.pk)
