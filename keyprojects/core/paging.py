"""One page of a list view: what every paginated list template reads."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest


def paged(request: HttpRequest, rows: Any, per_page: int) -> dict[str, Any]:
    """The page ``?page=`` asks for (``page_obj``), the number of rows (``count``) and the
    query string without ``page`` (``querystring_nopage``, for the pager's links)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    nopage = request.GET.copy()
    nopage.pop("page", None)
    return {"page_obj": page, "count": page.paginator.count, "querystring_nopage": nopage.urlencode()}
