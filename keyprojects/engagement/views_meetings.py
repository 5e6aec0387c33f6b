"""政企沟通交流会 pages (issue 15): the list, recording a meeting, one meeting with its requests
and 解决率, its Word 会议纪要; and the Open311 keys page of the system administrator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ValidationFailed
from keyprojects.core.forms import apply_errors
from keyprojects.core.scope import get_or_404
from keyprojects.core.xlsx import download_response, xlsx_response
from keyprojects.enterprises.models import Enterprise

from .exports import export_meetings
from .forms import KeyForm, MeetingForm
from .minutes import minutes_docx
from .models import Meeting, Open311Key
from .selectors import meeting_figures, meetings_visible, requests_visible, with_timing
from .services_keys import find_enterprise, open311_key_issue, open311_key_revoke
from .services_meetings import MEETING_FIELDS, meeting_create
from .views import _guard

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _meetings(request: HttpRequest) -> tuple[str, QuerySet[Meeting]]:
    qs = meetings_visible(request.user).annotate(n_enterprises=Count("enterprises", distinct=True))
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q) | Q(chair__icontains=q))
    return q, qs.order_by("-held_on", "-id")


@login_required
@require_GET
def meeting_export(request: HttpRequest) -> HttpResponse:
    _guard(request)
    _q, qs = _meetings(request)
    visible = requests_visible(request.user)
    rows = list(qs[:5000])
    for m in rows:
        m.figures = meeting_figures(m, visible)  # type: ignore[attr-defined]
    return xlsx_response(export_meetings(rows), f"政企沟通交流会-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    q, qs = _meetings(request)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    visible = requests_visible(request.user)
    for m in page:
        m.figures = meeting_figures(m, visible)  # type: ignore[attr-defined]
    return render(request, "engagement/meetings.html", {"page": page, "q": q, "can_hold": policy.can_hold_meeting(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if not policy.can_hold_meeting(request.user):
        raise DjangoPermissionDenied
    enterprises = Enterprise.objects.visible_to(request.user)
    form = MeetingForm(request.POST or None, enterprises=enterprises, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meeting_create(
                user=request.user,
                data={k: d[k] for k in MEETING_FIELDS},
                enterprises=d["enterprises"],
                units=d["units_present"],
                request=request,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
        else:
            messages.success(request, _("已记录交流会"))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/meeting_form.html", {"form": form})


def _meeting_requests(request: HttpRequest, meeting: Meeting) -> list:
    qs = requests_visible(request.user).filter(meeting=meeting).prefetch_related("assignments__unit").order_by("enterprise__name", "id")
    return with_timing(qs)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    meeting = get_or_404(Meeting, request, pk)
    rows = _meeting_requests(request, meeting)
    context = {
        "meeting": meeting,
        "rows": rows,
        "figures": meeting_figures(meeting, requests_visible(request.user)),
        "can_add": policy.can_route_requests(request.user),
    }
    return render(request, "engagement/meeting.html", context)


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    meeting = get_or_404(Meeting, request, pk)
    content = minutes_docx(meeting, _meeting_requests(request, meeting), meeting_figures(meeting, requests_visible(request.user)))
    return download_response(content, f"{meeting.title}会议纪要.docx", DOCX, fallback="minutes.docx")


@login_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    if not policy.can_manage_open311_keys(request.user):
        raise DjangoPermissionDenied
    form = KeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = find_enterprise(form.cleaned_data["enterprise"])
            key, raw = open311_key_issue(user=request.user, enterprise=enterprise, name=form.cleaned_data["name"], request=request)
        except ApplicationError as exc:
            form.add_error("enterprise", exc.shown)
        else:
            issued = {"key": key, "raw": raw}
            form = KeyForm()
    rows = Open311Key.objects.select_related("enterprise").order_by("-created_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/keys.html", {"form": form, "page": page, "issued": issued})


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.can_manage_open311_keys(request.user):
        raise DjangoPermissionDenied
    key = Open311Key.objects.filter(pk=pk).first()
    if key is None:
        raise Http404
    open311_key_revoke(user=request.user, key=key, request=request)
    messages.success(request, _("已吊销密钥"))
    return redirect("engagement:keys")
