"""``/api/v1/oc4ids/``: the projects the requester may see as an OC4IDS 0.9 project package
(domain.md §7; the mapping is documented in :mod:`keyprojects.dataio.oc4ids`)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound
from keyprojects.dataio.oc4ids import export_oc4ids
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

from .filters import REGION_RE, invalid_query
from .views import ERR, _op

REGION_PARAM = OpenApiParameter(
    "region", OpenApiTypes.STR, description="只含该区划（省、市或县，GB/T 2260 代码）的项目 / only projects in this region", required=False
)


class Oc4idsPackageView(APIView):
    """Read-only; scope comes from ``Project.objects.visible_to`` like every other list."""

    @_op(
        "oc4ids_package",
        "OC4IDS 0.9 项目数据包（本人范围内）/ Projects in scope as an OC4IDS 0.9 project package",
        description=(
            "金额为元（CNY），项目代码在 identifiers（scheme CN-GBT40058），按月完成投资为 metrics[financialProgress]，"
            "形象进度为 metrics[physicalProgress]。只发布已审定的月报数据。"
        ),
        parameters=[REGION_PARAM],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="OC4IDS project package"), 400: ERR, 401: ERR, 403: ERR, 404: ERR},
    )
    def get(self, request: Request) -> Response:
        projects = Project.objects.visible_to(request.user)
        code = request.query_params.get("region")
        if code is not None:
            if not REGION_RE.fullmatch(code):
                raise invalid_query({"region": ["应为6位区划代码"]})
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise NotFound("区划代码不存在")
            projects = projects.filter(Q(province_code=region.code) | Q(city_code=region.code) | Q(region_id=region.code))
        package = export_oc4ids(user=request.user, projects=projects, uri=request.build_absolute_uri())
        audit_record(
            action="export",
            request=request,
            object_type="projects.project",
            changes={"kind": "oc4ids", "projects": len(package["projects"]), "region": code, "format": "json"},
            message="导出 OC4IDS 项目数据包",
        )
        return Response(package)
