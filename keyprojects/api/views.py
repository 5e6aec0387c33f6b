"""``/api/v1`` views: parse → selector/service → serialize (architecture.md §4).

Lists read through ``visible_to(user)``; single objects through ``get_for_user`` /
``get_project_for_user`` (404 outside scope); writes call the services, whose
``ApplicationError``s the handler in :mod:`keyprojects.api.errors` turns into
``{"code", "message", "extra"}``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import authenticate
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyprojects.accounts import policy
from keyprojects.accounts.models import ApiToken
from keyprojects.accounts.services import login_failed, login_is_locked, login_succeeded, password_expired, token_issue, token_revoke
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied
from keyprojects.core.scope import get_for_user
from keyprojects.enterprises.models import Enterprise
from keyprojects.enterprises.services import enterprise_create, enterprise_update
from keyprojects.projects.models import Project, SponsorLeader
from keyprojects.projects.selectors import get_project_for_user, leaders_visible_to, project_timeline
from keyprojects.projects.services import can_create_project, project_create, project_transition, project_update
from keyprojects.regions.choices import RegionLevel, UnitKind
from keyprojects.regions.models import Region, Unit

from . import serializers as s
from .filters import ApiProjectFilter
from .permissions import ReadOnlyRolesCannotWrite

ERR = OpenApiResponse(s.ErrorSerializer, description="错误：{code, message, extra}")
READ_ERRORS = {403: ERR, 404: ERR}
LIST_ERRORS = {400: ERR, 403: ERR, 404: ERR}  # 400: a bad filter value; 404: a page past the end
WRITE_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: OpenApiResponse(s.ErrorSerializer, description="已存在（duplicate）或当前状态不允许")}
UPDATE_ERRORS = {**WRITE_ERRORS, 409: OpenApiResponse(s.ErrorSerializer, description="已被他人修改（版本冲突），未保存")}


YEAR_PARAMETER = OpenApiParameter(
    "year", {"type": "integer", "minimum": 2000, "maximum": 2100}, OpenApiParameter.PATH, description="年度（2000–2100）"
)


def _op(operation_id: str, summary: str, **kwargs: Any) -> Any:
    return extend_schema(operation_id=operation_id, summary=summary, **kwargs)


# ---- filters --------------------------------------------------------------------------------


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label="层级")
    parent = django_filters.CharFilter(field_name="parent_id", label="上级区划代码")
    province = django_filters.CharFilter(field_name="province_code", label="所属省区划代码")

    class Meta:
        model = Region
        fields: list[str] = []


class UnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label="类型")
    region = django_filters.CharFilter(field_name="region_id", label="所属区划代码")
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = Unit
        fields: list[str] = []


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="名称或统一社会信用代码")
    region = django_filters.CharFilter(field_name="region_id", label="所在区划代码")

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_text(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(uscc__icontains=value)) if value else qs


# ---- reference data -------------------------------------------------------------------------


@extend_schema_view(
    list=_op("regions_list", "行政区划列表 / List regions (GB/T 2260)", responses={200: s.RegionSerializer(many=True), **LIST_ERRORS}),
    retrieve=_op("regions_retrieve", "行政区划详情 / Get a region by code", responses={200: s.RegionSerializer, **READ_ERRORS}),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Public reference data (any logged-in user)."""

    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    filterset_class = RegionFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{6}"


@extend_schema_view(
    list=_op("units_list", "单位列表（责任单位、功能区）/ List units", responses={200: s.UnitSerializer(many=True), **LIST_ERRORS}),
    retrieve=_op("units_retrieve", "单位详情 / Get a unit", responses={200: s.UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.select_related("region")
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter


@extend_schema_view(
    list=_op(
        "leaders_list",
        "包保领导列表（本人范围内）/ List sponsor leaders in scope",
        responses={200: s.LeaderSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("leaders_retrieve", "包保领导详情 / Get a sponsor leader", responses={200: s.LeaderSerializer, **READ_ERRORS}),
)
class LeaderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.LeaderSerializer
    queryset = SponsorLeader.objects.none()  # for the schema; the real one is per user

    def get_queryset(self) -> QuerySet[SponsorLeader]:
        if getattr(self, "swagger_fake_view", False):
            return SponsorLeader.objects.none()
        return leaders_visible_to(user=self.request.user).select_related("region").order_by("region_id", "name", "id")


# ---- enterprises ----------------------------------------------------------------------------


@extend_schema_view(
    list=_op(
        "enterprises_list",
        "企业列表（本人范围内）/ List enterprises in scope",
        responses={200: s.EnterpriseSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("enterprises_retrieve", "企业详情 / Get an enterprise", responses={200: s.EnterpriseSerializer, **READ_ERRORS}),
    create=_op(
        "enterprises_create",
        "登记企业 / Register an enterprise",
        request=s.EnterpriseWriteSerializer,
        responses={201: s.EnterpriseSerializer, **WRITE_ERRORS},
    ),
    update=_op(
        "enterprises_update",
        "修改企业（全部字段）/ Update an enterprise",
        request=s.EnterpriseUpdateSerializer,
        responses={200: s.EnterpriseSerializer, **UPDATE_ERRORS},
    ),
    partial_update=_op(
        "enterprises_partial_update",
        "修改企业（部分字段）/ Partially update an enterprise",
        request=s.EnterpriseUpdateSerializer,
        responses={200: s.EnterpriseSerializer, **UPDATE_ERRORS},
    ),
)
class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.EnterpriseSerializer
    queryset = Enterprise.objects.none()
    filterset_class = EnterpriseFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[Enterprise]:
        if getattr(self, "swagger_fake_view", False):
            return Enterprise.objects.none()
        return Enterprise.objects.visible_to(self.request.user).select_related("region").prefetch_related("contacts")

    def get_object(self) -> Enterprise:
        return get_for_user(Enterprise, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, ent: Enterprise) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=ent.pk)
        return s.EnterpriseSerializer(fresh, context=self.get_serializer_context()).data  # type: ignore[return-value]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policy.can_create_enterprise(request.user):
            raise PermissionDenied()  # before validating, so the answer does not depend on the input
        ser = s.EnterpriseWriteSerializer(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        ent = enterprise_create(user=request.user, data=dict(ser.validated_data), request=request)
        return Response(self._read(ent), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ent = get_for_user(Enterprise, user=request.user, pk=kwargs["pk"], for_edit=True, request=request)
        ser = s.EnterpriseUpdateSerializer(
            ent, data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        ent = enterprise_update(user=request.user, enterprise=ent, expected_version=version, data=data, request=request)
        return Response(self._read(ent))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


# ---- projects -------------------------------------------------------------------------------


@extend_schema_view(
    list=_op(
        "projects_list",
        "项目列表（本人范围内，筛选同项目库页面）/ List projects in scope",
        responses={200: s.ProjectSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("projects_retrieve", "项目详情 / Get a project", responses={200: s.ProjectSerializer, **READ_ERRORS}),
    create=_op(
        "projects_create",
        "新建项目（进入谋划储备）/ Create a project (reserve stage)",
        request=s.ProjectWriteSerializer,
        responses={201: s.ProjectSerializer, **WRITE_ERRORS},
    ),
    update=_op(
        "projects_update",
        "修改项目（全部字段）/ Update a project",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectSerializer, **UPDATE_ERRORS},
    ),
    partial_update=_op(
        "projects_partial_update",
        "修改项目（部分字段）/ Partially update a project",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectSerializer, **UPDATE_ERRORS},
    ),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ProjectSerializer
    queryset = Project.objects.none()
    filterset_class = ApiProjectFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("region", "owner", "zone", "responsible_unit", "sponsor_leader")
            .prefetch_related("years")
        )

    def get_object(self) -> Project:
        return get_project_for_user(user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _read(self, project: Project) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=project.pk)
        return s.ProjectSerializer(fresh, context=self.get_serializer_context()).data  # type: ignore[return-value]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not can_create_project(request.user):
            raise PermissionDenied()  # before validating, so the answer does not depend on the input
        ser = s.ProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        years = data.pop("years", [])
        project = project_create(user=request.user, data=data, years=years, request=request)
        return Response(self._read(project), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = get_project_for_user(user=request.user, pk=kwargs["pk"], for_edit=True, request=request)
        ser = s.ProjectUpdateSerializer(
            project, data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        years = data.pop("years", [])
        reason = data.pop("total_investment_reason", "")
        project = project_update(
            user=request.user, project=project, expected_version=version, data=data, years=years, request=request, reason=reason
        )
        return Response(self._read(project))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @_op(
        "projects_transition",
        "阶段变更（推进、停缓建、恢复、退库）/ Move a project along its life cycle",
        request=s.TransitionSerializer,
        responses={200: s.ProjectSerializer, **UPDATE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=s.TransitionSerializer)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        project = get_project_for_user(user=request.user, pk=pk, for_edit=True, request=request)
        ser = s.TransitionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        project = project_transition(
            user=request.user,
            project=project,
            to_stage=d["to_stage"],
            reason=d["reason"],
            expected_version=d["version"],
            on_date=d["on_date"],
            request=request,
        )
        return Response(self._read(project))

    @_op(
        "projects_events",
        "项目生命周期事件 / Life-cycle events of a project",
        responses={200: s.ProjectEventSerializer(many=True), **LIST_ERRORS},
    )
    @action(detail=True, methods=["get"], serializer_class=s.ProjectEventSerializer, filterset_class=None)
    def events(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        qs = project_timeline(project=project)
        page = self.paginate_queryset(qs)
        data = s.ProjectEventSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @_op(
        "projects_monthly_plan",
        "分月计划（12个月计划完成投资与累计序时计划）/ Get a project's monthly plan of a year",
        methods=["GET"],
        parameters=[YEAR_PARAMETER],
        responses={200: s.MonthlyPlanSerializer, **READ_ERRORS},
    )
    @_op(
        "projects_monthly_plan_set",
        "设置分月计划或恢复默认分布 / Set a project's monthly plan of a year, or return it to the default spread",
        methods=["PUT"],
        parameters=[YEAR_PARAMETER],
        request=s.MonthlyPlanWriteSerializer,
        responses={
            200: s.MonthlyPlanSerializer,
            **WRITE_ERRORS,
            409: OpenApiResponse(s.ErrorSerializer, description="已被他人修改（conflict：expected 与现值不符），未保存"),
        },
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path=r"monthly-plans/(?P<year>[0-9]{4})",
        url_name="monthly-plan",
        serializer_class=s.MonthlyPlanSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def monthly_plan(self, request: Request, pk: str | None = None, year: str = "") -> Response:
        # A project's 分月计划 (dispatch.selectors_plans); PUT through dispatch.services_plans
        # (scope, capability, sum, closed months, the loaded values as ``expected``).
        from keyprojects.dispatch.selectors_plans import plan_months
        from keyprojects.dispatch.services_plans import monthly_plan_clear, monthly_plan_set

        y = int(year)
        if not 2000 <= y <= 2100:
            raise NotFound()
        if request.method == "GET":
            project = self.get_object()
            return Response(s.MonthlyPlanSerializer(s.monthly_plan_data(project, plan_months(project=project, year=y))).data)
        project = get_project_for_user(user=request.user, pk=pk, for_edit=True, request=request)
        ser = s.MonthlyPlanWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        user, expected = request.user, d["expected"]
        if d["default"]:
            result = monthly_plan_clear(user=user, project=project, year=y, expected=expected, request=request)
        else:
            result = monthly_plan_set(user=user, project=project, year=y, months=d["months"], expected=expected, request=request)
        return Response(s.MonthlyPlanSerializer(s.monthly_plan_data(project, result.state, unchanged=result.unchanged)).data)


@csrf_exempt  # it writes nothing; without this a POST with a session cookie got CSRF's HTML 403
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/v1/ answer in the API's error format, not with an HTML page."""
    return JsonResponse(NotFound("接口不存在，请核对地址（以 / 结尾）").as_dict(), status=404)


# ---- auth -----------------------------------------------------------------------------------


class TokenView(APIView):
    """Exchange username/password for an API token, through the lockout backend."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @_op(
        "auth_token_create",
        "获取 API 令牌 / Obtain an API token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenResponseSerializer, 400: ERR, 401: ERR, 403: ERR},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        ser = s.TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        username, password = ser.validated_data["username"], ser.validated_data["password"]
        # Well-formed credentials that do not get a token are not bad input (400): wrong ones are
        # 401, a locked account or an expired password 403 (the schema promises the shape only).
        if login_is_locked(username=username, request=request):
            raise ApplicationError("登录失败次数过多，账号已临时锁定，请稍后再试", code="locked", status=403)
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            if login_failed(username=username, request=request):
                raise ApplicationError("登录失败次数过多，账号已临时锁定，请稍后再试", code="locked", status=403)
            raise ApplicationError("用户名或密码错误", code="invalid_credentials", status=401)
        if password_expired(user):
            raise ApplicationError("密码已过期或须修改，请先登录网页修改密码", code="password_expired", status=403)
        from keyprojects.accounts.otp import second_factor_due

        if second_factor_due(user):
            # A password alone must not bypass the second factor: such users create tokens on the
            # web page ("API 令牌"), after entering their code.
            raise ApplicationError("您的账户启用了两步验证，请登录网页在“API 令牌”页面创建令牌", code="otp_required", status=403)
        login_succeeded(user=user, request=request)
        token, key = token_issue(user=user, name=ser.validated_data.get("name") or "API", request=request)
        return Response({"token": key, "expires_at": token.expires_at})


class TokenListView(APIView):
    """The signed-in user's own API tokens (never their keys)."""

    @_op("auth_tokens_list", "我的 API 令牌 / My API tokens", responses={200: s.ApiTokenSerializer(many=True), 401: ERR})
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
        return Response(s.ApiTokenSerializer(tokens, many=True).data)


class TokenDetailView(APIView):
    """Revoke one of the signed-in user's tokens; another user's token answers 404."""

    @_op("auth_tokens_destroy", "撤销 API 令牌 / Revoke an API token", responses={204: None, 401: ERR, 404: ERR})
    def delete(self, request: Request, pk: int) -> Response:
        token_revoke(user=request.user, token_id=pk, request=request)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
