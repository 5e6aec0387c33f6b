"""The API's filter backend: django-filter, but a query value the schema forbids is a 400 that
names the parameter (issue 17) instead of being ignored: an empty value (``status=``,
``period=``), a boolean other than ``true``/``false``, an unknown choice."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from keyprojects.core.errors import ValidationFailed
from keyprojects.projects.filters import ProjectFilter

ID_MAX = 2**63 - 1

BOOLEAN_VALUES = {"true": "true", "false": "false"}
# Query parameters that take a GB/T 2260 code (the schema gives them this pattern).
REGION_PARAMS = {"region", "parent", "province"}
REGION_PATTERN = "^[0-9]{6}$"
REGION_RE = re.compile("[0-9]{6}")


def invalid_query(fields: dict[str, list[str]]) -> ValidationFailed:
    """The uniform 400 for bad query parameters: the message names them, ``extra.fields`` says why."""
    return ValidationFailed(f"查询参数有误：{'、'.join(fields)}", extra={"fields": fields})


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors: dict[str, list[str]] = {}
        for name, flt in filterset.filters.items():
            values = request.query_params.getlist(name)
            if not values:
                continue
            if any(v == "" for v in values):
                errors[name] = ["不能为空；不筛选时请省略该参数"]
            elif name in REGION_PARAMS and not all(REGION_RE.fullmatch(v) for v in values):
                errors[name] = ["应为6位区划代码"]
            elif isinstance(flt, django_filters.BooleanFilter) and any(v not in BOOLEAN_VALUES for v in values):
                errors[name] = ["应为 true 或 false"]
        if errors:
            raise invalid_query(errors)
        return filterset

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise invalid_query({k: [str(m) for m in v] for k, v in filterset.errors.items()})
        return filterset.qs


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number from 1 in the BIGINT range (anything else is a 400). An id
    that matches nothing (or nothing the user may see) gives an empty list, like any filter."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=ID_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=2000, max_value=2100, **kwargs)


class ApiProjectFilter(ProjectFilter):
    """The project list page's FilterSet, with related objects given by id: an id that names
    nothing is an empty result, not "invalid choice" (the schema cannot list every id)."""

    year = YearFilter(method="filter_year", label="年度")
    owner = IdFilter(field_name="owner_id", label="建设单位 ID")
    responsible_unit = IdFilter(field_name="responsible_unit_id", label="责任单位 ID")
    zone = IdFilter(field_name="zone_id", label="功能区 ID")
    sponsor_leader = IdFilter(field_name="sponsor_leader_id", label="包保领导 ID")
