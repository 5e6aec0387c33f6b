"""会商会办 pages: the meetings in scope with their decisions, recording a meeting, marking a
decision done (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import PermissionDenied, ValidationFailed, shown

from .forms import ConsultationForm
from .models import Consultation, ConsultationTopic
from .services_consultations import consultation_hold, topic_mark_done
from .views import _guard


@login_required
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    qs = (
        Consultation.objects.visible_to(request.user)
        .select_related("region")
        .prefetch_related("units_present", "topics__project", "topics__need", "topics__owner_unit")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    user_unit = getattr(request.user, "unit_id", None)
    can_hold = policy.can_hold_consultation(request.user)
    for c in page:
        for t in c.topics.all():
            t.can_mark = (
                t.done_on is None and not policy.is_read_only(request.user) and (can_hold or (user_unit and t.owner_unit_id == user_unit))
            )  # type: ignore[attr-defined]
    return render(request, "approvals/consultations.html", {"page": page, "can_hold": can_hold})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if not policy.can_hold_consultation(request.user):
        raise DjangoPermissionDenied
    form = ConsultationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        topic = {"need": d["need"].pk, "decision": d["decision"], "owner_unit": d["owner_unit"].pk if d["owner_unit"] else None,
                 "due_on": d["due_on"], "escalate": d["escalate"]}  # fmt: skip
        try:
            consultation_hold(
                user=request.user,
                held_on=d["held_on"],
                convener=d["convener"],
                unit_ids=[u.pk for u in d["units_present"]],
                summary=d["summary"],
                topics=[topic],
                request=request,
            )
        except ValidationFailed as exc:
            for name, errs in exc.extra.get("fields", {}).items():
                field = name.split(".")[-1]
                for e in errs:
                    form.add_error(field if field in form.fields else None, shown(e))
        else:
            messages.success(request, _("已记录会商"))
            return redirect("approvals:consultations")
    return render(request, "approvals/consultation_form.html", {"form": form})


@login_required
@require_POST
def topic_done(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    visible = Consultation.objects.visible_to(request.user).values("pk")
    topic = ConsultationTopic.objects.filter(pk=pk, consultation__in=visible).select_related("consultation").first()
    if topic is None:
        raise Http404
    try:
        topic_mark_done(user=request.user, topic=topic, request=request)
    except (PermissionDenied, ValidationFailed) as exc:
        messages.error(request, exc.shown)
    else:
        messages.success(request, _("已标记落实"))
    return redirect("approvals:consultations")
