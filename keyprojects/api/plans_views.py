"""``/api/v1/monthly-plans/``: the 分月计划 of a scope's projects for a year, read and set many at
once — the API of the 分月计划批量填报 page (``/projects/plans/``), answered by its service
(``dispatch.services_plans_bulk``).

* ``GET ?year=YYYY[&region=CODE]`` — one item per project of the page's sheet (those the user may
  set the curve of, a leader's those they see; with an annual plan that year), paginated, each
  as ``GET /projects/{id}/monthly-plans/{year}/`` gives it (with its ``expected``);
* ``POST bulk/`` — ``{"year", "region"?, "plans": [{"project", "months", "expected"}]}`` applied
  all or nothing by ``services_plans_bulk.plans_apply`` (the page's confirm: each row through
  ``services_plans.plan_apply``, one refresh): 200 with the projects changed; 400 ``invalid``
  with ``extra.errors`` (row, project, month, message) when any row fails; 409 ``conflict`` when a
  project's curve changed since it was read (``extra.stale``; its row in ``extra.errors`` too).
  With ``"dry_run": true`` every check runs the same and the answer is the same (200 with what
  would change, 400/409 as above), but nothing is written: no plan rows, no audit, no refresh.
  (A body field, as the API's JSON-only strict bodies take every option; ``?dry_run=`` is a 400,
  so that a client asking for a dry run the wrong way never writes.)

Who may: the page's policy — ``policy.can_export_plan_months`` reads (a leader too),
``policy.can_plan_months`` writes; everybody else 403. ``region`` narrows to one of
``policy.regions_below`` (``services_plans_bulk.plan_region``): outside the scope, or naming
nothing, 404 on the list and 400 naming ``region`` in a body.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.dispatch.selectors_plans import plan_months_of
from keyprojects.dispatch.services_plans_bulk import BulkRefused, PlanRow, RowError, plan_region, plans_apply, sheet_projects
from keyprojects.projects.models import Project

from .filters import REGION_PATTERN, REGION_RE, invalid_query
from .pagination import ID_MAX
from .permissions import PolicyGate, ReadOnlyRolesCannotWrite
from .serializers import ErrorSerializer, MonthlyPlanSerializer, StrictInput, monthly_plan_data, twelve_amounts
from .views import LIST_ERRORS, _op

BULK_MAX = 5000  # projects in one POST (the province's whole sheet is sent in parts)
REFUSED = "有项目的分月计划有误，未保存任何数据（见 extra.errors）"
DRY_RUN_IN_BODY = '请在请求体中传 dry_run（JSON 布尔值，如 "dry_run": true），不是查询参数'
STALE = "读取之后，以下项目的分月计划已被修改：{projects}。未保存任何数据，请重新读取后再提交。"

YEAR = OpenApiParameter(
    "year", {"type": "integer", "minimum": 2000, "maximum": 2100}, OpenApiParameter.QUERY, required=True, description="年度（2000–2100）"
)
REGION = OpenApiParameter(
    "region",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    pattern=REGION_PATTERN,
    description="只列该区域的项目（区划代码：本人所在区域或其下级，如市级用户选一个县区）；不存在或不在本人范围内为 404",
)


# ---- serializers ------------------------------------------------------------------------------


class MonthlyPlanItemSerializer(MonthlyPlanSerializer):
    """One project's 分月计划 in the list: the project's code, name and region, then the plan as
    ``GET /projects/{id}/monthly-plans/{year}/`` gives it."""

    project_code = serializers.CharField(read_only=True, help_text="项目代码（可能为空）")
    name = serializers.CharField(read_only=True, help_text="项目名称")
    region = serializers.CharField(read_only=True, help_text="所属区划代码")
    region_name = serializers.CharField(read_only=True, help_text="所属区域")
    unchanged = None  # (the single PUT's answer only)


class MonthlyPlanRowSerializer(StrictInput):
    project = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="项目 ID")
    months = twelve_amounts("1–12月的计划完成投资（万元，数字文本，最多四位小数），合计须等于年度计划投资；已关账月份须保持原值")
    expected = twelve_amounts("读取时的12个月数值（GET 返回的 expected）；其间被他人修改时整批返回 409 conflict")


class MonthlyPlanBulkSerializer(StrictInput):
    """Input of ``POST /monthly-plans/bulk/``."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    region = serializers.CharField(
        required=False,
        min_length=6,
        max_length=6,
        help_text="可选：只允许该区域（本人所在区域或其下级）的项目；本人范围内、该区域以外的项目的行报“不在所选区域内”",
    )
    plans = MonthlyPlanRowSerializer(
        many=True,
        min_length=1,
        max_length=BULK_MAX,
        help_text=f"各项目的分月计划（每次最多 {BULK_MAX} 个项目）；全部通过才写入，任何一行有误时都不写入",
    )
    dry_run = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "可选：为 true 时只校验、不写入（不写分月计划、不记审计、不刷新）；"
            "校验与应答与实际提交相同：通过时 200 返回将要修改的项目，有误时 400/409"
        ),
    )


class MonthlyPlanBulkResultSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    changed = serializers.IntegerField(read_only=True, help_text="写入的项目数（dry_run 时为将写入的项目数）")
    unchanged = serializers.IntegerField(read_only=True, help_text="与现值相同、未作修改的项目数")
    projects = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="写入的项目 ID（dry_run 时为将写入的项目 ID）"
    )


class PlanRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="plans 中的序号（从 1 起）")
    project = serializers.IntegerField(help_text="项目 ID（请求中的）")
    month = serializers.IntegerField(allow_null=True, help_text="月份 1–12；null 表示整行（如12个月合计、无年度计划、项目不存在）")
    message = serializers.CharField(help_text="中文说明")


class PlansBulkErrorExtraSerializer(serializers.Serializer):
    errors = PlanRowErrorSerializer(many=True, required=False, help_text="各行的错误（按行排列）")
    stale = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="409：读取之后被修改的项目 ID")
    fields = serializers.DictField(required=False, help_text="请求格式错误时：字段 → 错误列表")


class PlansBulkErrorSerializer(ErrorSerializer):
    extra = PlansBulkErrorExtraSerializer(help_text="行错误 errors，或格式错误 fields")


def _row_errors(errors: list[RowError], rows: dict[int, int]) -> list[dict[str, Any]]:
    """The service's row errors as the API says them: the request's item number, the project's
    ID as the request gave it, the month (None: the row), the message (Chinese, as written)."""
    return [
        {"row": e.row, "project": rows[e.row], "month": e.month, "message": str(e.message)} for e in sorted(errors, key=lambda e: e.row)
    ]


# ---- the view ---------------------------------------------------------------------------------


@extend_schema_view(
    list=_op(
        "monthly_plans_list",
        "本人范围内各项目的分月计划（可按区域）/ List the monthly plans of the projects in scope for a year",
        parameters=[YEAR, REGION],
        responses={200: MonthlyPlanItemSerializer(many=True), **LIST_ERRORS},
    ),
)
class MonthlyPlanViewSet(PolicyGate, viewsets.GenericViewSet):
    """The 分月计划批量填报 page as an API (see the module docstring)."""

    serializer_class = MonthlyPlanItemSerializer
    queryset = Project.objects.none()
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]
    filter_backends: list[Any] = []
    refusal = gettext_noop("您的角色不能批量填报分月计划")

    def allowed(self, user: Any) -> bool:
        return policy.can_export_plan_months(user)

    def _year(self, request: Request) -> int:
        values = request.query_params.getlist("year")
        if not values:
            raise invalid_query({"year": ["请指定年度（2000–2100）"]})
        raw = values[-1]
        if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
            raise invalid_query({"year": ["年度应为 2000–2100 的整数"]})
        return int(raw)

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        request = self.request
        year = self._year(request)
        values = request.query_params.getlist("region")
        if values and not REGION_RE.fullmatch(values[-1]):
            raise invalid_query({"region": ["应为6位区划代码"]})
        region = plan_region(user=request.user, code=values[-1]) if values else None
        return sheet_projects(user=request.user, year=year, region=region)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        year = self._year(request)
        page = self.paginate_queryset(self.get_queryset())
        projects = list(page) if page is not None else []
        states = plan_months_of(projects=projects, year=year)
        items = []
        for p in projects:
            item = monthly_plan_data(p, states[p.pk])
            item.update(project_code=p.project_code or "", name=p.name, region=p.region_id, region_name=p.region.name)
            items.append(item)
        return self.get_paginated_response(MonthlyPlanItemSerializer(items, many=True).data)

    @_op(
        "monthly_plans_bulk",
        "批量设置分月计划（全部成功或全部不写入）/ Set the monthly plans of many projects at once, all or nothing",
        request=MonthlyPlanBulkSerializer,
        responses={
            200: OpenApiResponse(MonthlyPlanBulkResultSerializer, description="已写入；dry_run 时为将要写入的（未写入）"),
            400: OpenApiResponse(PlansBulkErrorSerializer, description="有行出错（extra.errors）或请求格式有误（extra.fields），未写入"),
            403: OpenApiResponse(ErrorSerializer, description="只读角色、企业和管理员不能设置"),
            409: OpenApiResponse(PlansBulkErrorSerializer, description="读取之后有项目被他人修改（conflict，extra.stale），未写入"),
        },
    )
    @action(detail=False, methods=["post"], serializer_class=MonthlyPlanBulkSerializer, pagination_class=None)
    def bulk(self, request: Request) -> Response:
        user = request.user
        if not policy.can_plan_months(user):
            raise PermissionDenied(self.refusal)
        if "dry_run" in request.query_params:  # asked where it is not read: refused, never written
            raise invalid_query({"dry_run": [DRY_RUN_IN_BODY]})
        ser = MonthlyPlanBulkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            region = plan_region(user=user, code=d.get("region"))
        except NotFound as exc:
            raise ValidationFailed(extra={"fields": {"region": [exc.message]}}) from None
        rows = [PlanRow(n, item["project"], item["months"], item["expected"]) for n, item in enumerate(d["plans"], start=1)]
        by_row = {r.row: r.project_id for r in rows}
        try:
            applied = plans_apply(user=user, year=d["year"], rows=rows, region=region, request=request, dry_run=d["dry_run"])
        except BulkRefused as exc:
            errors = _row_errors(exc.stale_rows + exc.errors, by_row)
            if exc.stale:
                stale = sorted({by_row[e.row] for e in exc.stale_rows})
                raise ConflictError(STALE.format(projects="、".join(exc.stale)), extra={"errors": errors, "stale": stale}) from None
            raise ValidationFailed(REFUSED, extra={"errors": errors}) from None
        body = {"year": applied.year, "changed": applied.changed, "unchanged": applied.unchanged, "projects": applied.project_ids}
        return Response(MonthlyPlanBulkResultSerializer(body).data)
