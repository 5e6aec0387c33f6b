"""``/api/v1`` for 月调度: periods, monthly reports (fill → submit → review → approve / return),
corrections, warnings and problem items.

Same shape as :mod:`keyprojects.api.views`: lists read through ``visible_to(user)``, single
objects through ``get_for_user`` (404 outside scope, indistinguishable from missing), every
write calls one service of :mod:`keyprojects.dispatch.services`, whose ``ApplicationError``s
become ``{"code", "message", "extra"}`` (e.g. 409 ``already_submitted`` for a second submit,
400 ``period_closed`` after the month close, 400 ``invalid`` with ``extra.checks`` when a
submission fails the logic checks).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Model, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.core.errors import NotFound, ValidationFailed
from keyprojects.core.scope import get_for_user
from keyprojects.dispatch.choices import ReportStatus, RevisionStatus, WarningKind
from keyprojects.dispatch.models import MonthlyReport, ProblemItem, ProjectWarning, ReportingPeriod, ReportRevision
from keyprojects.dispatch.selectors import get_report_for_user
from keyprojects.dispatch.selectors_close import close_checklist
from keyprojects.dispatch.services import (
    period_close,
    period_get_or_open,
    report_acknowledge,
    report_review,
    report_save,
    report_submit,
    revision_decide,
    revision_request,
)
from keyprojects.dispatch.services_close import refuse_while_closing
from keyprojects.dispatch.services_problems import problem_create, problem_set_status
from keyprojects.projects.selectors import get_project_for_user
from keyprojects.regions.models import Region

from . import dispatch_serializers as ds
from . import serializers as s
from .filters import IdFilter
from .permissions import ReadOnlyRolesCannotWrite
from .views import ERR, LIST_ERRORS, READ_ERRORS, _op

WORKFLOW_ERRORS = {
    400: ERR,
    403: ERR,
    404: ERR,
    409: OpenApiResponse(s.ErrorSerializer, description="已提交（already_submitted）、不可修改（not_editable）或已被他人修改（conflict）"),
}
PERIOD_LOOKUP = r"[0-9]{4}-[0-9]{2}|[0-9]{1,9}"
PERIOD_PARAM = OpenApiParameter(
    "id", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^({PERIOD_LOOKUP})$", description="调度期 ID 或 YYYY-MM（如 2026-03）"
)


# ---- helpers --------------------------------------------------------------------------------


def _period_q(value: str) -> Q:
    """``"YYYY-MM"`` or a numeric id → a filter on ReportingPeriod."""
    m = ds.PERIOD_RE.match(value)
    if m:
        return Q(year=int(m["year"]), month=int(m["month"]))
    return Q(pk=int(value))


def _scoped_get(qs: QuerySet[Any], model: type[Model], pk: Any, user: Any, request: Request) -> Any:
    """``get_for_user`` for models scoped through a parent (revisions through their report)."""
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        try:
            exists = model._default_manager.filter(pk=pk).exists()
        except (ValueError, TypeError):
            exists = False
        if exists:
            from keyprojects.audit.services import audit_record

            audit_record(
                action="permission_denied",
                user=user,
                request=request,
                object_type=model._meta.label_lower,
                object_id=str(pk),
                result="denied",
                message="view",
            )
        raise NotFound() from None


class PeriodField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(regex=rf"^({PERIOD_LOOKUP})$", **kwargs)


@extend_schema_field({"type": "string", "pattern": f"^({PERIOD_LOOKUP})$"})
class PeriodFilter(django_filters.CharFilter):
    """A period given as ``YYYY-MM`` or id; anything else is a 400."""

    field_class = PeriodField

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(period__in=ReportingPeriod.objects.filter(_period_q(value)).values("pk"))


def _region_q(code: str, prefix: str = "project__") -> Q | None:
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        return None
    if region.level == "province":
        return Q(**{f"{prefix}province_code": region.code})
    if region.level == "city":
        return Q(**{f"{prefix}city_code": region.code})
    return Q(**{f"{prefix}region_id": region.code})


class RegionFilterMixin(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label="项目所在区域（区划代码，含下级）")

    def filter_region(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        q = _region_q(value)
        return qs.none() if q is None else qs.filter(q)


# ---- periods --------------------------------------------------------------------------------


@extend_schema_view(
    list=_op("periods_list", "调度期列表 / List reporting periods", responses={200: ds.PeriodSerializer(many=True), **LIST_ERRORS}),
    retrieve=_op(
        "periods_retrieve",
        "调度期详情（ID 或 YYYY-MM）/ Get a reporting period by id or YYYY-MM",
        parameters=[PERIOD_PARAM],
        responses={200: ds.PeriodSerializer, **READ_ERRORS},
    ),
)
class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting months are the same for everybody; closing one is scoped to the user's region."""

    queryset = ReportingPeriod.objects.prefetch_related("closures").order_by("-year", "-month")
    serializer_class = ds.PeriodSerializer
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]
    lookup_value_regex = PERIOD_LOOKUP

    def get_object(self) -> ReportingPeriod:
        period = self.get_queryset().filter(_period_q(self.kwargs["pk"])).first()
        if period is None:
            raise NotFound("调度期不存在")
        return period

    @_op(
        "periods_checklist",
        "关账检查清单（本人区域：按市、县统计未报、待审核、数据存疑、已退回）/ What is still open before closing the month",
        parameters=[PERIOD_PARAM],
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], serializer_class=None)
    def checklist(self, request: Request, pk: str | None = None) -> Response:
        period = self.get_object()
        region = policy.work_region(request.user) if policy.can_see_board(request.user) else None
        if region is None:
            raise NotFound("没有可查看的区域")
        return Response(close_checklist(period=period, region=region).as_json())

    @_op(
        "periods_close",
        "关账（市级用户关本市，省级用户关全省；有未完成事项时须输入确认）/ Close the month for the user's city or province",
        parameters=[PERIOD_PARAM],
        request=ds.CloseSerializer,
        responses={
            200: ds.ClosureSerializer,
            400: OpenApiResponse(s.ErrorSerializer, description="有未完成事项而未输入确认（code close_not_confirmed，extra.checklist）"),
            403: ERR,
            404: ERR,
            409: OpenApiResponse(s.ErrorSerializer, description="已关账，或该月正在网页上关账（code job_running）"),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=ds.CloseSerializer)
    def close(self, request: Request, pk: str | None = None) -> Response:
        period = self.get_object()
        ser = ds.CloseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        refuse_while_closing(period)
        closure = period_close(user=request.user, period=period, confirm=ser.validated_data["confirm"], request=request)
        return Response(ds.ClosureSerializer(closure).data)


# ---- reports --------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    period = PeriodFilter(label="调度期（ID 或 YYYY-MM）")
    project = IdFilter(field_name="project_id", label="项目 ID")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="状态")
    pending_level = django_filters.ChoiceFilter(choices=[(r, r) for r in policy.REVIEW_LEVELS], label="待审核层级（county/city/province）")
    region = django_filters.CharFilter(method="filter_region", label="项目所在区域（区划代码，含下级）")

    class Meta:
        model = MonthlyReport
        fields: list[str] = []

    def filter_region(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        q = _region_q(value)
        return qs.none() if q is None else qs.filter(q)


@extend_schema_view(
    list=_op(
        "reports_list",
        "月报列表（本人范围内）/ List monthly reports in scope",
        responses={200: ds.ReportSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op(
        "reports_retrieve",
        "月报详情（含审核记录）/ Get a monthly report with its history",
        responses={200: ds.ReportSerializer, **READ_ERRORS},
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ds.ReportSerializer
    queryset = MonthlyReport.objects.none()
    filterset_class = ReportFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        if getattr(self, "swagger_fake_view", False):
            return MonthlyReport.objects.none()
        return (
            MonthlyReport.objects.visible_to(self.request.user)
            .select_related("project", "project__region", "period", "submitted_by")
            .prefetch_related("flags", "steps__actor")
        )

    def get_object(self) -> MonthlyReport:
        return get_report_for_user(user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._read(self.get_object()))

    def _read(self, report: MonthlyReport) -> dict[str, Any]:
        fresh = (
            MonthlyReport.objects.select_related("project", "project__region", "period", "submitted_by")
            .prefetch_related("flags", "steps__actor")
            .get(pk=report.pk)
        )
        return ds.ReportSerializer(fresh, context=self.get_serializer_context()).data  # type: ignore[return-value]

    @_op(
        "reports_save_draft",
        "保存月报草稿（首次新建，之后更新；每个项目每月一份）/ Create or update the draft report of a project for a month",
        request=ds.ReportSaveSerializer,
        responses={
            201: OpenApiResponse(ds.ReportSerializer, description="新建"),
            200: OpenApiResponse(ds.ReportSerializer, description="已有草稿，已更新"),
            **WORKFLOW_ERRORS,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = ds.ReportSaveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        project = get_project_for_user(user=request.user, pk=data.pop("project"), request=request)
        year, month = data.pop("period")
        period = ReportingPeriod.objects.filter(year=year, month=month).first() or period_get_or_open(year=year, month=month)
        report = report_save(user=request.user, project=project, period=period, data=data, request=request)
        created = report.version == 1  # a first save; every later one goes through save_versioned
        return Response(self._read(report), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @_op(
        "reports_update_draft",
        "修改月报草稿（须带版本号）/ Update a draft or returned report",
        request=ds.ReportUpdateSerializer,
        responses={200: ds.ReportSerializer, **WORKFLOW_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        ser = ds.ReportUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        report = report_save(
            user=request.user, project=report.project, period=report.period, data=data, expected_version=version, request=request
        )
        return Response(self._read(report))

    @_op(
        "reports_submit",
        "提交月报（校验不通过时返回 extra.checks；重复提交返回 409 already_submitted）/ Submit a report for review",
        request=ds.SubmitSerializer,
        responses={200: ds.ReportSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ds.SubmitSerializer, filterset_class=None)
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        ser = ds.SubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        report = report_submit(
            user=request.user,
            report=report,
            expected_version=ser.validated_data.get("version"),
            reasons=ser.validated_data.get("reasons") or None,
            request=request,
        )
        return Response(self._read(report))

    @_op(
        "reports_approve",
        "审核通过（转上一级或最终审定）/ Approve a report at the current review level",
        request=ds.ApproveSerializer,
        responses={200: ds.ReportSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ds.ApproveSerializer, filterset_class=None)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._review(request, "approve", ds.ApproveSerializer)

    @_op(
        "reports_return",
        "退回月报（须填写意见）/ Return a report to the filler with an opinion",
        request=ds.ReturnSerializer,
        responses={200: ds.ReportSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", serializer_class=ds.ReturnSerializer, filterset_class=None)
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._review(request, "return", ds.ReturnSerializer)

    def _review(self, request: Request, verb: str, serializer: Any) -> Response:
        report = self.get_object()
        ser = serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        report = report_review(
            user=request.user, report=report, action=verb, opinion=d.get("opinion", ""), expected_version=d.get("version"), request=request
        )
        return Response(self._read(report))

    @_op(
        "reports_acknowledge",
        "审核人确认校验提示（逐条写明理由）/ Acknowledge the check warnings of a submitted report, a reason each",
        request=ds.AcknowledgeSerializer,
        responses={200: ds.ReportSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ds.AcknowledgeSerializer, filterset_class=None)
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        ser = ds.AcknowledgeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        report_acknowledge(user=request.user, report=report, reasons=d.get("reasons") or None, reason=d.get("reason", ""), request=request)
        return Response(self._read(report))

    @_op(
        "reports_request_revision",
        "申请更正已审定的月报（由上一级审定）/ Request a correction of an approved report",
        request=ds.RevisionRequestSerializer,
        responses={201: ds.RevisionSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ds.RevisionRequestSerializer, filterset_class=None)
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        ser = ds.RevisionRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        rev = revision_request(user=request.user, report=report, reason=d["reason"], new_values=dict(d["new_values"]), request=request)
        rev = ReportRevision.objects.select_related("report__period", "requested_by", "decided_by").get(pk=rev.pk)
        return Response(ds.RevisionSerializer(rev).data, status=status.HTTP_201_CREATED)


# ---- corrections ----------------------------------------------------------------------------


class RevisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RevisionStatus.choices, label="状态")
    approval_level = django_filters.ChoiceFilter(choices=[(r, r) for r in policy.REVIEW_LEVELS], label="审定层级")
    report = IdFilter(field_name="report_id", label="月报 ID")

    class Meta:
        model = ReportRevision
        fields: list[str] = []


@extend_schema_view(
    list=_op(
        "revisions_list",
        "更正申请列表（本人范围内）/ List correction requests in scope",
        responses={200: ds.RevisionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("revisions_retrieve", "更正申请详情 / Get a correction request", responses={200: ds.RevisionSerializer, **READ_ERRORS}),
)
class RevisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ds.RevisionSerializer
    queryset = ReportRevision.objects.none()
    filterset_class = RevisionFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[ReportRevision]:
        if getattr(self, "swagger_fake_view", False):
            return ReportRevision.objects.none()
        visible = MonthlyReport.objects.visible_to(self.request.user).values("pk")
        return ReportRevision.objects.filter(report__in=visible).select_related("report__period", "requested_by", "decided_by")

    def get_object(self) -> ReportRevision:
        return _scoped_get(self.get_queryset(), ReportRevision, self.kwargs["pk"], self.request.user, self.request)  # type: ignore[no-any-return]

    @_op(
        "revisions_decide",
        "审定更正申请（同意或驳回）/ Approve or reject a correction request",
        request=ds.RevisionDecideSerializer,
        responses={200: ds.RevisionSerializer, **WORKFLOW_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ds.RevisionDecideSerializer, filterset_class=None)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        rev = self.get_object()
        ser = ds.RevisionDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        rev = revision_decide(user=request.user, revision=rev, approve=d["approve"], opinion=d["opinion"], request=request)
        return Response(ds.RevisionSerializer(self.get_queryset().get(pk=rev.pk)).data)


# ---- warnings -------------------------------------------------------------------------------


class WarningFilter(RegionFilterMixin):
    period = PeriodFilter(label="调度期（ID 或 YYYY-MM）")
    kind = django_filters.ChoiceFilter(choices=WarningKind.choices, label="预警类型")
    project = IdFilter(field_name="project_id", label="项目 ID")

    class Meta:
        model = ProjectWarning
        fields: list[str] = []


@extend_schema_view(
    list=_op(
        "warnings_list",
        "预警列表（本人范围内，可按调度期、类型、区域筛选）/ List project warnings in scope",
        responses={200: ds.WarningSerializer(many=True), **LIST_ERRORS},
    ),
)
class WarningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ds.WarningSerializer
    queryset = ProjectWarning.objects.none()
    filterset_class = WarningFilter

    def get_queryset(self) -> QuerySet[ProjectWarning]:
        if getattr(self, "swagger_fake_view", False):
            return ProjectWarning.objects.none()
        return ProjectWarning.objects.visible_to(self.request.user).select_related("project", "project__region", "period")


# ---- problems -------------------------------------------------------------------------------


class ProblemFilter(RegionFilterMixin):
    status = django_filters.ChoiceFilter(choices=ProblemItem._meta.get_field("status").choices, label="状态")
    project = IdFilter(field_name="project_id", label="项目 ID")
    responsible_unit = IdFilter(field_name="responsible_unit_id", label="责任单位 ID")

    class Meta:
        model = ProblemItem
        fields: list[str] = []


@extend_schema_view(
    list=_op(
        "problems_list",
        "问题事项列表（本人范围内）/ List problem items in scope",
        responses={200: ds.ProblemSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("problems_retrieve", "问题事项详情 / Get a problem item", responses={200: ds.ProblemSerializer, **READ_ERRORS}),
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ds.ProblemSerializer
    queryset = ProblemItem.objects.none()
    filterset_class = ProblemFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[ProblemItem]:
        if getattr(self, "swagger_fake_view", False):
            return ProblemItem.objects.none()
        return ProblemItem.objects.visible_to(self.request.user).select_related("project", "responsible_unit")

    def get_object(self) -> ProblemItem:
        return get_for_user(ProblemItem, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, item: ProblemItem) -> dict[str, Any]:
        fresh = ProblemItem.objects.select_related("project", "responsible_unit").get(pk=item.pk)
        return ds.ProblemSerializer(fresh).data  # type: ignore[return-value]

    @_op(
        "problems_create",
        "登记问题事项（指定责任单位和办结时限）/ Raise a problem item for a project",
        request=ds.ProblemCreateSerializer,
        responses={201: ds.ProblemSerializer, 400: ERR, 403: ERR, 404: ERR},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = ds.ProblemCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        project = get_project_for_user(user=request.user, pk=d["project"], request=request)
        report = None
        if d.get("report"):
            report = MonthlyReport.objects.visible_to(request.user).filter(pk=d["report"], project=project).first()
            if report is None:
                raise ValidationFailed(extra={"fields": {"report": ["来源月报不存在或不属于该项目"]}})
        item = problem_create(
            user=request.user,
            project=project,
            description=d["description"],
            responsible_unit=d.get("responsible_unit"),
            due_date=d.get("due_date"),
            report=report,
            request=request,
        )
        return Response(self._read(item), status=status.HTTP_201_CREATED)

    @_op(
        "problems_set_status",
        "更新问题事项状态（推进中、已解决须填办理结果）/ Change the status of a problem item",
        request=ds.ProblemStatusSerializer,
        responses={200: ds.ProblemSerializer, **WORKFLOW_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        url_name="status",
        serializer_class=ds.ProblemStatusSerializer,
        filterset_class=None,
    )
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        ser = ds.ProblemStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        item = problem_set_status(
            user=request.user,
            problem=item,
            status=d["status"],
            resolution=d["resolution"],
            expected_version=d.get("version"),
            request=request,
        )
        return Response(self._read(item))
