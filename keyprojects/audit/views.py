"""The audit log page and its export: audit admins only (三权分立, reliability.md 15, 21)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .exports import audit_events_xlsx
from .forms import RESULT_LABELS, AuditFilterForm, action_label, object_label, role_label
from .selectors import can_read_audit_log, search_events
from .services import audit_record

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_auditor(request: HttpRequest, what: str) -> None:
    """Everybody but the audit admin gets a 404 (the system admin included); the denial is audited."""
    if not can_read_audit_log(request.user):
        audit_record(action="permission_denied", request=request, object_type="audit.auditevent", result="denied", message=what)
        raise Http404


def _querystring(request: HttpRequest, drop: str) -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _require_auditor(request, "view audit log")
    form = AuditFilterForm(request.GET or None)
    events = search_events(**form.selector_kwargs()) if form.is_bound else search_events()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page.object_list:
        e.action_label = action_label(e.action)  # type: ignore[attr-defined]
        e.result_label = RESULT_LABELS.get(e.result, e.result)  # type: ignore[attr-defined]
        e.role_label = role_label(e.actor_role)  # type: ignore[attr-defined]
        e.object_label = object_label(e.object_type, e.object_id, e.object_repr)  # type: ignore[attr-defined]
        # JSON as in the export (true/null, Chinese unescaped), not Python's repr (True/None).
        e.changes_text = json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "form": form,
        "page_obj": page,
        "querystring_nopage": _querystring(request, "page"),
        "export_query": _querystring(request, "page"),
    }
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx and not htmx.boosted)
    response = render(request, "audit/list.html#results" if fragment else "audit/list.html", context)
    if fragment:  # the address bar shows the filters set: a filtered view can be bookmarked and reloaded
        kept = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            if key != "page" and (values := [v for v in values if v.strip()]):
                kept.setlist(key, values)
        response["HX-Push-Url"] = f"{request.path}?{kept.urlencode()}" if kept else request.path
    patch_vary_headers(response, ["HX-Request"])  # never the fragment for a reload from the cache
    return response


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    _require_auditor(request, "export audit log")
    form = AuditFilterForm(request.GET or None)
    filters = form.selector_kwargs() if form.is_bound else {}
    events = search_events(**filters)[:EXPORT_MAX_ROWS]
    content, n = audit_events_xlsx(events.iterator(chunk_size=2000))
    audit_record(
        action="export",
        request=request,
        object_type="audit.auditevent",
        changes={"filters": {k: v for k, v in request.GET.items() if k != "page" and v}, "rows": n},
        message=f"审计日志导出 {n} 条",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response
