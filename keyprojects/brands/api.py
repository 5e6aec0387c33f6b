"""``/api/v1/brands/rounds/`` and ``/api/v1/brands/applications/``: the “泉城好品” rounds and
applications a user sees (read only; writes go through the pages and the services)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from keyprojects.accounts import policy
from keyprojects.api.filters import IdFilter, YearFilter
from keyprojects.api.permissions import PolicyGate
from keyprojects.api.views import LIST_ERRORS, READ_ERRORS, _op
from keyprojects.core.errors import NotFound
from keyprojects.core.scope import get_for_user

from .choices import IN_REVIEW, IN_REVIEW_LABEL, ApplicationStatus, Category, RoundStatus, status_label
from .models import BrandApplication, SelectionRound
from .selectors import filter_status

#: The application states the API shows: the real ones and 评审中 (``in_review``), what an
#: applicant is shown before the round's result is published (``policy.brand_status_for``).
SHOWN_STATUSES = [*ApplicationStatus.choices, (IN_REVIEW, IN_REVIEW_LABEL)]


class SelectionRoundSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SelectionRound
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "name",
            "max_selected",
            "reward_ceiling",
            "opens_on",
            "closes_on",
            "status",
            "status_label",
            "version",
        ]
        read_only_fields = fields


class BrandApplicationSerializer(serializers.ModelSerializer):
    """An application as the requesting user is shown it: before the round's result is published
    an applicant gets ``in_review`` (评审中) past the preliminary review, and no review note,
    score, reward or decision time (``policy.can_see_brand_outcome``)."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status = serializers.ChoiceField(choices=SHOWN_STATUSES, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = BrandApplication
        fields = [
            "id",
            "round",
            "enterprise",
            "enterprise_name",
            "category",
            "category_label",
            "brand_name",
            "trademark_no",
            "trademark_valid_until",
            "years_in_city",
            "has_valid_trademark",
            "is_cultivation_enterprise",
            "has_quality_system",
            "is_advanced",
            "in_haopin_shandong",
            "status",
            "status_label",
            "review_note",
            "score",
            "reward_amount",
            "submitted_at",
            "decided_at",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, instance: BrandApplication) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if policy.can_see_brand_outcome(user, instance.round):
            return data
        shown = policy.brand_status_for(user, instance)
        data.update(status=shown, status_label=status_label(shown), score=None, reward_amount=None, decided_at=None)
        if shown == IN_REVIEW:
            data["review_note"] = ""
        return data


class RoundFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label="年度")
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label="批次状态")

    class Meta:
        model = SelectionRound
        fields: list[str] = []


class ApplicationFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id", label="批次 ID")
    enterprise = IdFilter(field_name="enterprise_id", label="企业 ID")
    status = django_filters.ChoiceFilter(choices=SHOWN_STATUSES, method="filter_status", label="申报状态（按所见状态；in_review 为评审中）")
    category = django_filters.ChoiceFilter(choices=Category.choices, label="申报类别")
    q = django_filters.CharFilter(method="filter_text", label="品牌、企业或商标号")

    class Meta:
        model = BrandApplication
        fields: list[str] = []

    def filter_status(self, qs: QuerySet[BrandApplication], name: str, value: str) -> QuerySet[BrandApplication]:
        """By the state the user is shown (an applicant's 入选 does not match before publication)."""
        return filter_status(getattr(self.request, "user", None), qs, value)

    def filter_text(self, qs: QuerySet[BrandApplication], name: str, value: str) -> QuerySet[BrandApplication]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(brand_name__icontains=value) | Q(enterprise__name__icontains=value) | Q(trademark_no__icontains=value))


class _BrandsAPI(PolicyGate):
    refusal = gettext_noop("没有查看“泉城好品”品牌遴选的权限")

    def allowed(self, user: Any) -> bool:
        return policy.can_see_brands(user)


@extend_schema_view(
    list=_op(
        "brand_rounds_list",
        "“泉城好品”遴选批次列表（本人范围内）/ List brand selection rounds in scope",
        responses={200: SelectionRoundSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "brand_rounds_retrieve", "遴选批次详情 / Get a brand selection round", responses={200: SelectionRoundSerializer, **READ_ERRORS}
    ),
)
class SelectionRoundViewSet(_BrandsAPI, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SelectionRoundSerializer
    queryset = SelectionRound.objects.none()
    filterset_class = RoundFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[SelectionRound]:
        if getattr(self, "swagger_fake_view", False):
            return SelectionRound.objects.none()
        return SelectionRound.objects.visible_to(self.request.user).select_related("region").order_by("-year", "-opens_on", "-id")

    def get_object(self) -> SelectionRound:
        found = get_for_user(SelectionRound, user=self.request.user, pk=self.kwargs["pk"], request=self.request)
        return self.get_queryset().get(pk=found.pk)


@extend_schema_view(
    list=_op(
        "brand_applications_list",
        "“泉城好品”申报列表（本人范围内；企业联系人仅本企业）/ List brand applications in scope",
        responses={200: BrandApplicationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "brand_applications_retrieve", "品牌申报详情 / Get a brand application", responses={200: BrandApplicationSerializer, **READ_ERRORS}
    ),
)
class BrandApplicationViewSet(_BrandsAPI, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BrandApplicationSerializer
    queryset = BrandApplication.objects.none()
    filterset_class = ApplicationFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[BrandApplication]:
        if getattr(self, "swagger_fake_view", False):
            return BrandApplication.objects.none()
        qs = BrandApplication.objects.visible_to(self.request.user).select_related("enterprise", "round")
        if not policy.is_applying_for_own_enterprise(self.request.user):
            # a draft is the applicant's until submitted (staff see those they entered themselves)
            qs = qs.exclude(Q(status=ApplicationStatus.DRAFT) & ~Q(created_by_id=self.request.user.pk))
        return qs.order_by("round_id", "id")

    def get_object(self) -> BrandApplication:
        found = get_for_user(BrandApplication, user=self.request.user, pk=self.kwargs["pk"], request=self.request)
        obj = self.get_queryset().filter(pk=found.pk).first()
        if obj is None:  # somebody else's draft: not there yet
            raise NotFound()
        return obj
