"""“泉城好品” brand selection pages: the rounds, a round with its applications (search, filters,
pagination, export), preparing and running a round, the application form of an enterprise
contact (or staff on its behalf), an application's page with the preliminary review, the score
and the decision (four eyes), and the published list of selected brands (ADR 0019)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ValidationFailed, shown
from keyprojects.core.forms import apply_errors, submit
from keyprojects.core.paging import paged
from keyprojects.core.scope import get_or_404
from keyprojects.core.uploads import document_response
from keyprojects.core.xlsx import xlsx_response

from . import exports
from .choices import DECLARATIONS, EDITABLE, ROUND_STEPS, ApplicationStatus, Category, RoundStatus
from .forms import ApplicationForm, DecideForm, ReviewForm, RoundForm, RoundStepForm, ScoreForm, StepForm
from .models import BrandApplication, SelectionRound
from .selectors import (
    applications_search,
    as_shown,
    published_years,
    round_counts,
    rounds_visible,
    selected_brands,
    status_choices,
)
from .services import (
    ROUND_FIELDS,
    application_create,
    application_decide,
    application_review,
    application_score,
    application_submit,
    application_update,
    closes_early,
    round_advance,
    round_create,
    round_update,
)

PAGE_SIZE = 25
#: The button of each round step.
STEP_LABELS = {
    RoundStatus.OPEN: gettext_noop("开始申报"),
    RoundStatus.REVIEWING: gettext_noop("截止申报，进入评审"),
    RoundStatus.DECIDED: gettext_noop("认定完成"),
    RoundStatus.PUBLISHED: gettext_noop("公布入选名单"),
}
REOPEN_LABEL = gettext_noop("重新评审")


def guard(request: HttpRequest) -> None:
    if not policy.can_see_brands(request.user):
        raise DjangoPermissionDenied


def _own_application(user: Any, rnd: SelectionRound) -> BrandApplication | None:
    if not policy.is_applying_for_own_enterprise(user):
        return None
    return BrandApplication.objects.filter(round=rnd, enterprise_id=user.enterprise_id).first()


def _may_apply(user: Any, rnd: SelectionRound) -> bool:
    """Whether the round's page offers the application form (an enterprise that applied is
    offered its application instead)."""
    if rnd.status != RoundStatus.OPEN or not policy.can_enter_brand_application(user):
        return False
    if policy.is_applying_for_own_enterprise(user):
        return _own_application(user, rnd) is None and rnd.region_id in {
            user.enterprise.region_id,
            user.enterprise.region.city_code,
            user.enterprise.region.province_code,
        }
    return True


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    guard(request)
    rounds = list(rounds_visible(request.user))
    for r in rounds:
        r.may_apply = _may_apply(request.user, r)  # type: ignore[attr-defined]
        r.own_application = _own_application(request.user, r)  # type: ignore[attr-defined]
    return render(request, "brands/rounds.html", {"rounds": rounds, "can_manage": policy.can_manage_brand_rounds(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    guard(request)
    if not policy.can_manage_brand_rounds(request.user):
        raise DjangoPermissionDenied
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None, user=request.user, initial={"year": today.year, "region": getattr(request.user, "region_id", None)}
    )
    if request.method == "POST" and form.is_valid():
        d = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        created: list[SelectionRound] = []
        if submit(form, lambda: created.append(round_create(actor=request.user, request=request, **d))):
            messages.success(request, gettext("批次已创建"))
            return redirect("brands:round", pk=created[0].pk)
    return render(request, "brands/round_form.html", {"form": form, "round": None})


def _round_editable(user: Any, rnd: SelectionRound) -> bool:
    return (
        rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
        and policy.can_manage_brand_rounds(user, rnd.region)
        and SelectionRound.objects.editable_by(user).filter(pk=rnd.pk).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round while it is prepared or open (the reward ceiling only while prepared)."""
    guard(request)
    rnd: SelectionRound = get_or_404(SelectionRound, request, pk)
    if not _round_editable(request.user, rnd):
        raise DjangoPermissionDenied
    initial = {"version": rnd.version, **{f: getattr(rnd, f) for f in ROUND_FIELDS}}
    form = RoundForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if rnd.status != RoundStatus.DRAFT:
        form.fields["reward_ceiling"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {f: d[f] for f in ROUND_FIELDS if f in d}

        def call() -> None:
            round_update(actor=request.user, round=rnd, expected_version=d["version"], data=data, request=request)

        if submit(form, call):
            messages.success(request, gettext("已保存"))
            return redirect("brands:round", pk=rnd.pk)
    return render(request, "brands/round_form.html", {"form": form, "round": rnd})


def _list_params(request: HttpRequest) -> dict[str, str]:
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "status": request.GET.get("status", "").strip()[:12],
        "category": request.GET.get("category", "").strip()[:10],
    }


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    rnd: SelectionRound = get_or_404(SelectionRound, request, pk)
    user = request.user
    params = _list_params(request)
    listing = paged(request, applications_search(user, rnd, **params), PAGE_SIZE)
    as_shown(user, listing["page_obj"])
    nopage = listing["querystring_nopage"]
    manages = SelectionRound.objects.editable_by(user).filter(pk=rnd.pk).exists() and policy.can_manage_brand_rounds(user, rnd.region)
    context = {
        **params,
        **listing,
        "round": rnd,
        "counts": round_counts(user, rnd),
        "statuses": status_choices(user, rnd),
        "categories": Category.choices,
        "export_url": reverse("brands:export", args=[rnd.pk]) + (f"?{nopage}" if nopage else ""),
        "editable": _round_editable(user, rnd),
        "steps": [
            (s, REOPEN_LABEL if rnd.status == RoundStatus.DECIDED and s == RoundStatus.REVIEWING else STEP_LABELS[s])
            for s in ROUND_STEPS.get(rnd.status, ())
        ]
        if manages
        else [],
        "may_apply": _may_apply(user, rnd),
        "own": _own_application(user, rnd),
    }
    return render(request, "brands/round.html", context)


@login_required
@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    rnd: SelectionRound = get_or_404(SelectionRound, request, pk)
    rows = applications_search(request.user, rnd, **_list_params(request))
    content = exports.applications_xlsx(rnd, rows, user=request.user)
    return xlsx_response(content, f"泉城好品申报-{rnd.year}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_POST
def round_step(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    rnd: SelectionRound = get_or_404(SelectionRound, request, pk)
    form = RoundStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("提交的内容不完整，请刷新页面后重试"))
        return redirect("brands:round", pk=rnd.pk)
    d = form.cleaned_data
    if closes_early(rnd, d["to_status"]) and not d["confirm"]:
        return _confirm_close(request, rnd, d["version"])
    try:
        round_advance(
            actor=request.user,
            round=rnd,
            expected_version=d["version"],
            to_status=d["to_status"],
            early_close_confirmed=d["confirm"],
            request=request,
        )
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    else:
        messages.success(request, gettext("批次状态已更新"))
    return redirect("brands:round", pk=rnd.pk)


def _confirm_close(request: HttpRequest, rnd: SelectionRound, version: int) -> HttpResponse:
    """The confirmation of an early close: the window's last day, the days left, and how many
    applications are still drafts or returned and not resubmitted (they can no longer be
    submitted once the round is closed). Nothing is changed until it is confirmed."""
    by_status = dict(rnd.applications.filter(status__in=EDITABLE).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    context = {
        "round": rnd,
        "version": version,
        "to_status": RoundStatus.REVIEWING,
        "days_left": (rnd.closes_on - timezone.localdate()).days,
        "drafts": by_status.get(ApplicationStatus.DRAFT, 0),
        "returned": by_status.get(ApplicationStatus.RETURNED, 0),
    }
    return render(request, "brands/round_close_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A new application to round ``pk``: an enterprise contact for its own enterprise (one that
    applied already is sent to its application; a form it sends is refused), staff on an enterprise's behalf."""
    guard(request)
    rnd: SelectionRound = get_or_404(SelectionRound, request, pk)
    if not policy.can_enter_brand_application(request.user):
        raise DjangoPermissionDenied
    own = _own_application(request.user, rnd)
    if own is not None and request.method != "POST":
        return redirect("brands:application", pk=own.pk)
    # A form sent after the enterprise's application was started (a second tab, a colleague) goes on
    # to the service, which refuses it beside the field, and the page keeps what was typed.
    if rnd.status != RoundStatus.OPEN:
        messages.error(request, gettext("该批次不在申报期内"))
        return redirect("brands:round", pk=rnd.pk)
    form = ApplicationForm(request.POST or None, request.FILES or None, user=request.user, round=rnd)
    if request.method == "POST" and form.is_valid():
        created: list[BrandApplication] = []

        def call() -> None:
            created.append(
                application_create(
                    actor=request.user,
                    round=rnd,
                    enterprise=form.cleaned_data.get("enterprise"),
                    data=form.data_for_service(),
                    attachment=form.cleaned_data.get("attachment"),
                    request=request,
                )
            )

        if submit(form, call):
            messages.success(request, gettext("申报已保存为草稿，确认无误后请提交"))
            return redirect("brands:application", pk=created[0].pk)
    return render(request, "brands/application_form.html", {"form": form, "round": rnd, "application": None})


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    app: BrandApplication = get_or_404(BrandApplication, request, pk)
    if not BrandApplication.objects.editable_by(request.user).filter(pk=app.pk).exists():
        raise DjangoPermissionDenied
    initial = {"version": app.version, **{f: getattr(app, f) for f in ApplicationForm.base_fields if hasattr(app, f) and f != "attachment"}}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call() -> None:
            application_update(
                actor=request.user,
                application=app,
                expected_version=d["version"],
                data=form.data_for_service(),
                attachment=d.get("attachment"),
                request=request,
            )

        if submit(form, call):
            messages.success(request, gettext("已保存"))
            return redirect("brands:application", pk=app.pk)
    return render(request, "brands/application_form.html", {"form": form, "round": app.round, "application": app})


def _detail_context(request: HttpRequest, app: BrandApplication, **forms: Any) -> dict[str, Any]:
    user = request.user
    editable = app.status in EDITABLE and BrandApplication.objects.editable_by(user).filter(pk=app.pk).exists()
    reviewing = app.status == ApplicationStatus.SUBMITTED and app.round.status in (RoundStatus.OPEN, RoundStatus.REVIEWING)
    scoring = app.status in (ApplicationStatus.PASSED, ApplicationStatus.SCORED) and app.round.status == RoundStatus.REVIEWING
    deciding = app.status == ApplicationStatus.SCORED and app.round.status == RoundStatus.REVIEWING
    can_review = reviewing and policy.can_review_brand(user, app)
    can_score = scoring and policy.can_score_brand(user, app)
    can_decide = deciding and policy.can_decide_brand(user, app)
    initial = {"version": app.version}
    (shown,) = as_shown(user, [app])
    return {
        "application": shown,
        "round": app.round,
        "declarations": [(text, getattr(app, field)) for field, text in DECLARATIONS],
        "editable": editable,
        "can_submit": editable and app.round.status == RoundStatus.OPEN,
        "review_form": forms.get("review_form") or (ReviewForm(initial=initial) if can_review else None),
        "score_form": forms.get("score_form") or (ScoreForm(initial={**initial, "score": app.score}) if can_score else None),
        "decide_form": forms.get("decide_form")
        or (DecideForm(initial={**initial, "reward_amount": app.reward_cap}) if can_decide else None),
        "four_eyes_note": (reviewing and not can_review) or (deciding and not can_decide),
        "submit_errors": forms.get("submit_errors"),
    }


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    app: BrandApplication = get_or_404(BrandApplication, request, pk)
    return render(request, "brands/application.html", _detail_context(request, app))


def _step(
    request: HttpRequest, pk: int, form_class: type[StepForm], key: str, run: Callable[[BrandApplication, dict[str, Any]], Any], done: str
) -> HttpResponse:
    guard(request)
    app: BrandApplication = get_or_404(BrandApplication, request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(app, form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("brands:application", pk=app.pk)
        else:
            messages.success(request, gettext(done))
            return redirect("brands:application", pk=app.pk)
    app.refresh_from_db()
    return render(request, "brands/application.html", _detail_context(request, app, **{key: form}), status=400)


@login_required
@require_POST
def application_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    app: BrandApplication = get_or_404(BrandApplication, request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("提交的内容不完整，请刷新页面后重试"))
        return redirect("brands:application", pk=app.pk)
    try:
        application_submit(actor=request.user, application=app, expected_version=form.cleaned_data["version"], request=request)
    except ValidationFailed as exc:
        fields = exc.extra.get("fields") or {}
        labels = {f.name: str(f.verbose_name) for f in BrandApplication._meta.fields}
        errors = [(labels.get(k, ""), shown(m)) for k, msgs in fields.items() for m in msgs] or [("", exc.shown)]
        return render(request, "brands/application.html", _detail_context(request, app, submit_errors=errors), status=400)
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    else:
        messages.success(request, gettext("申报已提交，等待初审"))
    return redirect("brands:application", pk=app.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    def run(app: BrandApplication, d: dict[str, Any]) -> Any:
        return application_review(
            actor=request.user,
            application=app,
            expected_version=d["version"],
            passed=d["decision"] == "pass",
            note=d["note"],
            request=request,
        )

    return _step(request, pk, ReviewForm, "review_form", run, gettext_noop("初审意见已保存"))


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    def run(app: BrandApplication, d: dict[str, Any]) -> Any:
        return application_score(actor=request.user, application=app, expected_version=d["version"], score=d["score"], request=request)

    return _step(request, pk, ScoreForm, "score_form", run, gettext_noop("评分已保存"))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def run(app: BrandApplication, d: dict[str, Any]) -> Any:
        return application_decide(
            actor=request.user,
            application=app,
            expected_version=d["version"],
            select=d["decision"] == "select",
            reward_amount=d["reward_amount"],
            note=d["note"],
            request=request,
        )

    return _step(request, pk, DecideForm, "decide_form", run, gettext_noop("认定结果已保存"))


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An application's material, for users who see the application."""
    guard(request)
    app: BrandApplication = get_or_404(BrandApplication, request, pk)
    if not app.attachment:
        raise Http404()
    return document_response(app.attachment, app.attachment_content_type)


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """The published “泉城好品” (selected brands of published rounds)."""
    if not policy.can_see_brand_results(request.user):
        raise DjangoPermissionDenied
    year = request.GET.get("year", "").strip()[:4]
    category = request.GET.get("category", "").strip()[:10]
    rows = selected_brands(request.user, year=year, category=category)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.results_xlsx(rows), f"泉城好品入选名单-{timezone.localdate():%Y%m%d}.xlsx")
    nopage_params = {k: v for k, v in (("year", year), ("category", category)) if v}
    from urllib.parse import urlencode

    context = {
        **paged(request, rows, 50),
        "year": year,
        "category": category,
        "years": published_years(request.user),
        "categories": Category.choices,
        "export_url": reverse("brands:results") + "?" + urlencode({**nopage_params, "format": "xlsx"}),
    }
    return render(request, "brands/results.html", context)
