"""``/api/v1`` for 要素保障与审批 (issue 14): ``approvals/``, ``factor-needs/``, ``consultations/``.

Same shape as :mod:`keyprojects.api.dispatch_views`: lists read through ``visible_to(user)`` (a
department sees the items it handles and the needs it owns), single objects through
``get_for_user`` (404 outside scope, indistinguishable from missing), every write calls one
service of :mod:`keyprojects.approvals` (``approval_items_set``, ``approval_update``,
``factor_need_create``, ``factor_need_update``, ``consultation_hold``, ``topic_mark_done``), whose
``ApplicationError``s become ``{"code", "message", "extra"}`` (409 ``conflict`` on a stale version).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.approvals.choices import ApprovalStatus, FactorKind, Level, NeedStatus
from keyprojects.approvals.models import Consultation, ConsultationTopic, FactorNeed, ProjectApproval, overdue_needs_q
from keyprojects.approvals.selectors import approvals_visible, with_timing
from keyprojects.approvals.services import approval_items_set, approval_update
from keyprojects.approvals.services_consultations import consultation_hold, topic_mark_done
from keyprojects.approvals.services_needs import factor_need_create, factor_need_update
from keyprojects.core.errors import ApplicationError, ValidationFailed
from keyprojects.core.scope import get_for_user
from keyprojects.projects.selectors import get_project_for_user

from . import approvals_serializers as a
from . import serializers as s
from .dispatch_views import RegionFilterMixin
from .filters import IdFilter
from .permissions import ReadOnlyRolesCannotWrite
from .views import ERR, LIST_ERRORS, READ_ERRORS, UPDATE_ERRORS, _op

WRITE_ERRORS = {
    400: ERR,
    403: ERR,
    404: ERR,
    409: OpenApiResponse(s.ErrorSerializer, description="已存在（duplicate）或已被他人修改（conflict）"),
}


# ---- approvals ------------------------------------------------------------------------------


class ApprovalFilter(RegionFilterMixin):
    project = IdFilter(field_name="project_id", label="项目 ID")
    item = IdFilter(field_name="item_id", label="审批事项 ID")
    handling_unit = IdFilter(field_name="handling_unit_id", label="办理单位 ID")
    status = django_filters.ChoiceFilter(choices=ApprovalStatus.choices, label="办理状态")

    class Meta:
        model = ProjectApproval
        fields: list[str] = []


@extend_schema_view(
    list=_op(
        "approvals_list",
        "项目审批事项列表（本人范围内，含工作日用时和红黄码）/ List project approval steps in scope",
        responses={200: a.ApprovalSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "approvals_retrieve", "项目审批事项详情 / Get a project approval step", responses={200: a.ApprovalSerializer, **READ_ERRORS}
    ),
)
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = a.ApprovalSerializer
    queryset = ProjectApproval.objects.none()
    filterset_class = ApprovalFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[ProjectApproval]:
        if getattr(self, "swagger_fake_view", False):
            return ProjectApproval.objects.none()
        return approvals_visible(self.request.user).order_by("project_id", "item__order", "item_id")

    def get_object(self) -> ProjectApproval:
        return get_for_user(ProjectApproval, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, approval: ProjectApproval) -> dict[str, Any]:
        fresh = with_timing(approvals_visible(self.request.user).filter(pk=approval.pk))[0]
        return a.ApprovalSerializer(fresh).data  # type: ignore[return-value]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(a.ApprovalSerializer(with_timing(page or []), many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._read(self.get_object()))

    @_op(
        "approvals_create",
        "为项目增加一个适用的审批事项（未申报）/ Add a catalogue item to a project's approval steps",
        request=a.ApprovalCreateSerializer,
        responses={201: a.ApprovalSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = a.ApprovalCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        project = get_project_for_user(user=request.user, pk=d["project"], request=request)
        current = ProjectApproval.objects.filter(project=project).exclude(status=ApprovalStatus.NOT_NEEDED)
        ids = list(current.values_list("item_id", flat=True))
        if d["item"].pk in ids:
            message = "该项目已有此审批事项"
            raise ApplicationError(message, code="duplicate", status=409, extra={"fields": {"item": [message]}})
        approval_items_set(user=request.user, project=project, item_ids=[*ids, d["item"].pk], request=request)
        approval = ProjectApproval.objects.get(project=project, item=d["item"])
        return Response(self._read(approval), status=status.HTTP_201_CREATED)

    @_op(
        "approvals_partial_update",
        "记录审批事项办理情况（须带版本号）/ Record the progress of an approval step",
        request=a.ApprovalUpdateSerializer,
        responses={200: a.ApprovalSerializer, **UPDATE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        approval = self.get_object()
        ser = a.ApprovalUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        approval = approval_update(user=request.user, approval=approval, expected_version=version, data=data, request=request)
        return Response(self._read(approval))


# ---- factor needs ---------------------------------------------------------------------------


class FactorNeedFilter(RegionFilterMixin):
    project = IdFilter(field_name="project_id", label="项目 ID")
    owner_unit = IdFilter(field_name="owner_unit_id", label="责任单位 ID")
    kind = django_filters.ChoiceFilter(choices=FactorKind.choices, label="要素类别")
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices, label="保障状态")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="协调层级")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="逾期（已过保障时限，仍待保障或保障中）")

    class Meta:
        model = FactorNeed
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.BOOL)  # a method filter: its type for the schema (true/false)
    def filter_overdue(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        late = overdue_needs_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


@extend_schema_view(
    list=_op(
        "factor_needs_list",
        "要素需求列表（四张清单，本人范围内）/ List factor needs (land, funds, environment, energy) in scope",
        responses={200: a.FactorNeedSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("factor_needs_retrieve", "要素需求详情 / Get a factor need", responses={200: a.FactorNeedSerializer, **READ_ERRORS}),
)
class FactorNeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = a.FactorNeedSerializer
    queryset = FactorNeed.objects.none()
    filterset_class = FactorNeedFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[FactorNeed]:
        if getattr(self, "swagger_fake_view", False):
            return FactorNeed.objects.none()
        return (
            FactorNeed.objects.visible_to(self.request.user)
            .select_related("project", "project__region", "owner_unit")
            .order_by("project_id", "kind", "id")
        )

    def get_object(self) -> FactorNeed:
        return get_for_user(FactorNeed, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, need: FactorNeed) -> dict[str, Any]:
        return a.FactorNeedSerializer(self.get_queryset().get(pk=need.pk)).data  # type: ignore[return-value]

    @_op(
        "factor_needs_create",
        "登记项目要素需求 / Record a factor need of a project",
        request=a.FactorNeedCreateSerializer,
        responses={201: a.FactorNeedSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = a.FactorNeedCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        project = get_project_for_user(user=request.user, pk=data.pop("project"), request=request)
        need = factor_need_create(user=request.user, project=project, data=data, request=request)
        return Response(self._read(need), status=status.HTTP_201_CREATED)

    @_op(
        "factor_needs_partial_update",
        "更新要素需求（须带版本号；责任单位只可更新保障情况）/ Update a factor need",
        request=a.FactorNeedUpdateSerializer,
        responses={200: a.FactorNeedSerializer, **UPDATE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        need = self.get_object()
        ser = a.FactorNeedUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        need = factor_need_update(user=request.user, need=need, expected_version=version, data=data, request=request)
        return Response(self._read(need))


# ---- consultations --------------------------------------------------------------------------


class ConsultationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label="会商层级")

    class Meta:
        model = Consultation
        fields: list[str] = []


@extend_schema_view(
    list=_op(
        "consultations_list",
        "会商会办列表（本人范围内，含议题和会商意见）/ List joint consultations in scope",
        responses={200: a.ConsultationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("consultations_retrieve", "会商会办详情 / Get a consultation", responses={200: a.ConsultationSerializer, **READ_ERRORS}),
)
class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = a.ConsultationSerializer
    queryset = Consultation.objects.none()
    filterset_class = ConsultationFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[Consultation]:
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        return (
            Consultation.objects.visible_to(self.request.user)
            .select_related("region")
            .prefetch_related("units_present", "topics__owner_unit")
            .order_by("-held_on", "-id")
        )

    def get_object(self) -> Consultation:
        return get_for_user(Consultation, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, meeting: Consultation) -> dict[str, Any]:
        return a.ConsultationSerializer(self.get_queryset().get(pk=meeting.pk)).data  # type: ignore[return-value]

    @_op(
        "consultations_create",
        "记录会商（本级；议题可提级会商到上一级）/ Record a consultation of the user's level, escalating topics",
        request=a.ConsultationCreateSerializer,
        responses={201: a.ConsultationSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = a.ConsultationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        meeting = consultation_hold(
            user=request.user,
            held_on=d["held_on"],
            convener=d["convener"],
            unit_ids=list(d.get("units_present", [])),
            summary=d.get("summary", ""),
            topics=[dict(t) for t in d["topics"]],
            request=request,
        )
        return Response(self._read(meeting), status=status.HTTP_201_CREATED)

    @_op(
        "consultations_topic_done",
        "标记会商意见已落实 / Mark a decision of the consultation as carried out",
        request=a.TopicDoneSerializer,
        responses={200: a.ConsultationSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="topic-done", url_name="topic-done", serializer_class=a.TopicDoneSerializer)
    def topic_done(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        ser = a.TopicDoneSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        topic = ConsultationTopic.objects.filter(pk=d["topic"], consultation=meeting).select_related("consultation").first()
        if topic is None:
            raise ValidationFailed(extra={"fields": {"topic": ["议题不存在或不属于该会商"]}})
        topic_mark_done(user=request.user, topic=topic, done_on=d.get("done_on"), request=request)
        return Response(self._read(meeting))
