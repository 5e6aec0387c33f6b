"""Page-number pagination that refuses what the schema forbids (issue 17): ``page`` and
``page_size`` are whole numbers from 1; an empty or ill-typed value answers 400 naming the
parameter instead of being ignored. A ``page_size`` above the maximum is capped (documented)."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

ID_MAX = 2**63 - 1


def positive_int_param(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as a whole number ≥ 1, None when absent; anything else
    (``page=``, ``page_size=null``, ``false``, ``1.5``, ``0``) is a 400 naming it."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    raw = values[-1]
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or int(raw) > ID_MAX:
        from .filters import invalid_query

        raise invalid_query({name: ["请输入不小于 1 的整数"]})
    return int(raw)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        size = positive_int_param(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        positive_int_param(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
            if p["name"] == self.page_size_query_param:
                p["description"] = f"每页条数（1 以上，超过 {self.max_page_size} 按 {self.max_page_size}）"
            else:
                p["description"] = "页码（从 1 开始；超过最后一页为 404）"
        return params
