"""``/api/v1/figures/``: the dashboard's figures, answered by the dashboard's own selectors.

* ``regions/?period=YYYY-MM[&region=CODE]`` — the region (default: the user's own) and the
  regions directly under it, from the region summaries (``analytics.selectors``);
* ``projects/?period=YYYY-MM[&region=CODE]`` — one row per project, from the facts.

Both read through ``visible_to(user)``; a region outside the user's scope answers 404. The
figures are those of every page, export and the bulletin (the counting rule, ADR 0011).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.selectors import dimension_summaries_for, facts_for, summary_figures
from keyprojects.core.errors import NotFound
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.regions.models import Region

from .filters import invalid_query
from .pagination import StandardPagination
from .serializers import ErrorSerializer

PERIOD_RE = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
REGION_RE = re.compile(r"^[0-9]{6}$")

PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, pattern=PERIOD_RE.pattern, description="调度期 YYYY-MM"
)
REGION = OpenApiParameter(
    "region",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    pattern=REGION_RE.pattern,
    description="区划代码（默认：本人所在区域）；须在本人可见范围内",
)
MONEY = {"max_digits": 18, "decimal_places": 4, "coerce_to_string": True}
RATE = {"max_digits": 9, "decimal_places": 4, "coerce_to_string": True}


class RegionFiguresSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="区域名称")
    level = serializers.ChoiceField(choices=["province", "city", "county"], help_text="层级")
    projects = serializers.IntegerField(min_value=0, help_text="项目数")
    total_investment = serializers.DecimalField(**MONEY, help_text="总投资（万元）")
    annual_plan = serializers.DecimalField(**MONEY, help_text="年度计划投资（万元）")
    invested_month = serializers.DecimalField(**MONEY, help_text="本月完成投资（万元）")
    invested_ytd = serializers.DecimalField(**MONEY, help_text="1-N月累计完成投资（万元）")
    completion_rate = serializers.DecimalField(**RATE, allow_null=True, help_text="年度投资完成率（0.5630 = 56.30%）；无计划为 null")
    time_progress = serializers.DecimalField(**RATE, help_text="序时进度（N/12）")


class ProjectFiguresSerializer(serializers.Serializer):
    project = serializers.IntegerField(help_text="项目 ID")
    name = serializers.CharField(help_text="项目名称")
    project_code = serializers.CharField(allow_blank=True, help_text="项目代码")
    region = serializers.CharField(help_text="所属区划代码")
    total_investment = serializers.DecimalField(**MONEY, help_text="总投资（万元）")
    annual_plan = serializers.DecimalField(**MONEY, help_text="年度计划投资（万元）")
    invested_month = serializers.DecimalField(**MONEY, help_text="本月完成投资（万元，只计已报月报）")
    invested_ytd = serializers.DecimalField(**MONEY, help_text="1-N月累计完成投资（万元，未报月份结转）")
    invested_to_date = serializers.DecimalField(**MONEY, help_text="开工至今累计完成投资（万元）")
    completion_rate = serializers.DecimalField(**RATE, allow_null=True, help_text="年度投资完成率；无计划为 null")
    time_progress = serializers.DecimalField(**RATE, help_text="序时进度（N/12）")
    report_state = serializers.ChoiceField(
        choices=["", "not_due", "missing", "late", "no_activity", "submitted", "returned", "approved"], help_text="本月月报状态"
    )


def _params(request: Request) -> tuple[ReportingPeriod, Region | None]:
    errors: dict[str, list[str]] = {}
    period_values = request.query_params.getlist("period")
    m = PERIOD_RE.match(period_values[-1]) if period_values else None
    if not period_values:
        errors["period"] = ["请指定调度期（YYYY-MM）"]
    elif m is None:
        errors["period"] = ["调度期应为 YYYY-MM"]
    region_values = request.query_params.getlist("region")
    if region_values and not REGION_RE.match(region_values[-1]):
        errors["region"] = ["应为6位区划代码"]
    if errors:
        raise invalid_query(errors)
    assert m is not None
    period = ReportingPeriod.objects.filter(year=int(m["year"]), month=int(m["month"])).first()
    if period is None:
        raise NotFound("该调度期尚未开始")
    user = request.user
    region: Region | None
    if region_values:
        region = Region.objects.filter(code=region_values[-1]).first()
        if region is None or not policy.region_in_scope(user, region):
            raise NotFound("区域不存在或不在您的范围内")
    else:
        region = policy.scope_region(user)
        if region is None and policy.is_superuser(user):
            region = Region.objects.filter(code=policy.province_code()).first()
    return period, region


def _region_q(region: Region | None) -> dict[str, str]:
    if region is None:
        return {}
    if region.level == "province":
        return {"province_code": region.code}
    if region.level == "city":
        return {"city_code": region.code}
    return {"region_code": region.code}


ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class RegionFiguresView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RegionFiguresSerializer
    pagination_class = None
    queryset = ProjectPeriodFact.objects.none()  # (the schema's model; the view reads the summaries)

    @extend_schema(
        operation_id="figures_regions",
        summary="区域完成情况 / Figures of a region and the regions under it",
        parameters=[PERIOD, REGION],
        responses={200: RegionFiguresSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("济南市", value={"period": "2026-06", "region": "370100"}, request_only=True)],
    )
    def get(self, request: Request) -> Response:
        period, region = _params(request)
        if region is None:
            return Response([])
        rows = (
            dimension_summaries_for(request.user)
            .filter(period=period, dimension="all", key="")
            .filter(region__in=Region.objects.filter(code=region.code) | Region.objects.filter(parent_id=region.code))
            .select_related("region")
            .order_by("region_id")
        )
        out: list[dict[str, Any]] = []
        for row in rows:
            f = summary_figures(row, key=row.region_id, month=period.month)
            out.append(
                {
                    "region": row.region_id,
                    "name": row.region.name,
                    "level": row.region.level,
                    "projects": f.projects,
                    "total_investment": row.total_investment,
                    "annual_plan": f.annual_plan,
                    "invested_month": f.invested_month,
                    "invested_ytd": f.invested_ytd,
                    "completion_rate": f.completion_rate,
                    "time_progress": metrics.time_progress(period.month),
                }
            )
        out.sort(key=lambda r: (r["region"] != region.code, r["region"]))  # the region itself first
        return Response(RegionFiguresSerializer(out, many=True).data)


class ProjectFiguresView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ProjectFiguresSerializer
    pagination_class = StandardPagination
    queryset = ProjectPeriodFact.objects.none()  # (the schema's model; the view reads the facts)

    @extend_schema(
        operation_id="figures_projects",
        summary="项目完成情况 / Figures per project",
        parameters=[PERIOD, REGION],
        responses={200: ProjectFiguresSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("历下区", value={"period": "2026-06", "region": "370102"}, request_only=True)],
    )
    def get(self, request: Request) -> Response:
        period, region = _params(request)
        facts = (
            facts_for(request.user)
            .filter(period=period, **_region_q(region))
            .select_related("project")
            .only(
                "project_id",
                "project__name",
                "project__project_code",
                "region_code",
                "total_investment",
                "annual_plan",
                "invested_month",
                "invested_ytd",
                "invested_to_date",
                "report_state",
            )
            .order_by("project_id")
        )
        page = self.paginate_queryset(facts)
        tp = metrics.time_progress(period.month)
        rows = [
            {
                "project": f.project_id,
                "name": f.project.name,
                "project_code": f.project.project_code or "",
                "region": f.region_code,
                "total_investment": f.total_investment,
                "annual_plan": f.annual_plan,
                "invested_month": f.invested_month,
                "invested_ytd": f.invested_ytd,
                "invested_to_date": f.invested_to_date,
                "completion_rate": metrics.completion_rate(f.invested_ytd, f.annual_plan),
                "time_progress": tp,
                "report_state": f.report_state,
            }
            for f in (page if page is not None else facts)
        ]
        data = ProjectFiguresSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
