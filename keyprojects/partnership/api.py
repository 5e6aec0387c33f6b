"""``/api/v1/agreements/``: the 政企合作协议 a user sees, with their commitments and each
commitment's state today (read only; writes go through the pages and the services)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from keyprojects.accounts import policy
from keyprojects.api.filters import IdFilter
from keyprojects.api.permissions import PolicyGate
from keyprojects.api.views import LIST_ERRORS, READ_ERRORS, _op
from keyprojects.core.scope import get_for_user

from .choices import CommitmentState
from .models import Agreement, Commitment
from .selectors import alert_days


class CommitmentSerializer(serializers.ModelSerializer):
    party_label = serializers.CharField(source="get_party_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, default=None, allow_null=True)
    state = serializers.SerializerMethodField(help_text="今天的履约状态")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "party",
            "party_label",
            "kind",
            "kind_label",
            "description",
            "target_value",
            "measure",
            "due_on",
            "owner_unit",
            "owner_unit_name",
            "status",
            "state",
            "achieved_value",
            "claimed_on",
            "evidence_text",
            "confirmed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CommitmentState.choices))
    def get_state(self, obj: Commitment) -> str:
        return obj.state(timezone.localdate(), self.context.get("alert_days", 30))


class AgreementSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    signatory = serializers.CharField(read_only=True, help_text="政府签约单位")
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "enterprise",
            "enterprise_name",
            "region",
            "region_name",
            "signatory_unit",
            "signatory",
            "signed_on",
            "amount",
            "source",
            "source_ref",
            "projects",
            "commitments",
            "version",
        ]
        read_only_fields = fields


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="协议名称、企业或签约单位")
    region = django_filters.CharFilter(method="filter_region", label="所在区划代码（市含所辖县区）")
    enterprise = IdFilter(field_name="enterprise_id", label="企业 ID")

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_text(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(title__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(signatory_name__icontains=value)
            | Q(signatory_unit__name__icontains=value)
        )

    def filter_region(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        return qs.filter(Q(region_id=value) | Q(region__city_code=value) | Q(region__province_code=value))


@extend_schema_view(
    list=_op(
        "agreements_list",
        "政企合作协议列表（本人范围内，含承诺及履约状态）/ List government–enterprise agreements in scope",
        responses={200: AgreementSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("agreements_retrieve", "政企合作协议详情 / Get an agreement", responses={200: AgreementSerializer, **READ_ERRORS}),
)
class AgreementViewSet(PolicyGate, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()
    filterset_class = AgreementFilter
    permission_classes = [IsAuthenticated]

    refusal = gettext_noop("没有查看政企合作协议的权限")

    def allowed(self, user: Any) -> bool:
        return policy.can_see_partnership(user)

    def get_queryset(self) -> QuerySet[Agreement]:
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        commitments = Prefetch("commitments", queryset=Commitment.objects.select_related("owner_unit").order_by("due_on", "id"))
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("enterprise", "region", "signatory_unit")
            .prefetch_related("projects", commitments)
            .order_by("-signed_on", "-id")
        )

    def get_object(self) -> Agreement:
        found = get_for_user(Agreement, user=self.request.user, pk=self.kwargs["pk"], request=self.request)
        return self.get_queryset().get(pk=found.pk)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "alert_days": alert_days()}
