"""Project pages: list (filters, sort, htmx), card, life cycle, create/edit, leaders, export.

Each view reads top to bottom: parse → selector/service → render. Scope comes only from
``visible_to`` / ``get_project_for_user``; anything outside it answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.dashboard import (
    band_of,
    choose_period,
    leader_figures,
    leader_reports_in,
    leaders_total,
    periods_with_facts,
    summary_region,
)
from keyprojects.approvals.views import project_waiting
from keyprojects.approvals.views_needs import open_needs
from keyprojects.attraction.selectors import project_lead_context
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.money import format_month
from keyprojects.dispatch.views_review import project_dispatch_context
from keyprojects.enterprises.models import Enterprise
from keyprojects.regions.models import Region, Unit

from .choices import Category, EventKind, Level, Nature, Stage, year_nature
from .exports import export_leaders, export_projects
from .filters import ProjectFilter
from .forms import ProjectForm, TransitionForm, project_form_class, scope_filter_form, service_message
from .industries import DIVISION_CHOICES, SECTION_CHOICES, division_name
from .models import Project, SponsorLeader
from .selectors import (
    current_year,
    get_project_for_user,
    leader_project_totals,
    leader_projects,
    leaders_visible_to,
    project_history,
    project_list,
    project_list_totals,
    project_rows,
    project_timeline,
)
from .services import (
    can_create_project,
    first_stage_day,
    project_create,
    project_transition,
    project_update,
    stage_actions,
    writable_fields,
)
from .templatetags.project_tags import query_without, wan

PAGE_SIZE = 25
CONFLICT_MESSAGE = "已被他人修改，请核对后重新保存"


def _project_or_404(request: HttpRequest, pk: Any, *, for_edit: bool = False) -> Project:
    try:
        return get_project_for_user(user=request.user, pk=pk, for_edit=for_edit, request=request)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _year_of(f: ProjectFilter) -> int:
    if f.is_bound and f.is_valid() and f.form.cleaned_data.get("year"):
        return int(f.form.cleaned_data["year"])
    return current_year()


def _paginate(request: HttpRequest, qs: QuerySet[Any] | list[Any], count: int | None = None) -> Any:
    paginator = Paginator(qs, PAGE_SIZE)
    if count is not None:
        paginator.__dict__["count"] = count  # already counted with the totals: one query less
    return paginator.get_page(request.GET.get("page"))


def _project_page(request: HttpRequest, qs: QuerySet[Project], count: int) -> Any:
    """A page of projects whose rows are read by id (selectors.project_rows)."""
    page = _paginate(request, qs, count)
    page.object_list = project_rows(projects=qs, window=page.object_list)
    return page


def set_params(request: HttpRequest) -> QueryDict:
    """The query without empty values: a submitted filter form sends every field, and an empty
    ``stage=`` must mean "any stage", not an invalid choice."""
    kept = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _render_list(request: HttpRequest, template: str, context: dict[str, Any], partial: str) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx and not htmx.boosted)
    response = render(request, f"{template}#{partial}" if fragment else template, context)
    if fragment:
        # The address bar shows the filters that are set, not every empty field of the form.
        params = context["params"]
        response["HX-Push-Url"] = f"{request.path}?{params.urlencode()}" if params else request.path
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- list, export --------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """``/``: the home dashboard (analytics); for the three 三权分立 administrators, who never see
    business data, their own tools instead of a dashboard of zeros."""
    from keyprojects.analytics.views import dashboard

    if request.user.is_authenticated and not policy.can_see_business_data(request.user):
        return render(request, "projects/admin_home.html")
    return dashboard(request)


@login_required
@require_GET
def project_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    qs, f = project_list(user=user, params=params)
    year = _year_of(f)
    totals = project_list_totals(projects=qs, year=year)
    page = _project_page(request, qs, totals["n"])
    form = scope_filter_form(f.form, user, Project.objects.visible_to(user))
    nopage = query_without(params, "page")
    context = {
        "params": params,
        "filter": f,
        "form": form,
        "page_obj": page,
        "projects": page.object_list,
        "count": totals["n"],
        "total_investment": totals["total"],
        "plan_total": totals["plan"],
        "ytd_total": totals["ytd"],
        "rate_total": metrics.as_percent(metrics.completion_rate(totals["ytd"], totals["fact_plan"])),
        "points_total": metrics.ahead_points(metrics.completion_rate(totals["ytd"], totals["fact_plan"]), f.period_obj.month)
        if f.period_obj is not None
        else None,
        "figures_period": f.period_obj,
        "as_of": f.as_of,  # period=…: the list of that month (its facts' stage, lists, region …)
        "now_url": _with_query(request.path, query_without(params, "period", "page")),
        "year": year,
        "querystring_nopage": nopage,
        "export_url": f"{reverse('projects:export')}?{nopage}" if nopage else reverse("projects:export"),
        "can_create": can_create_project(user),
        "filter_errors": f.form.errors if f.is_bound else {},
    }
    return _render_list(request, "projects/list.html", context, "results")


@login_required
@require_GET
def project_export(request: HttpRequest) -> HttpResponse:
    params = set_params(request)
    qs, f = project_list(user=request.user, params=params)
    filters = {k: (v if len(v) > 1 else v[0]) for k, v in params.lists() if k != "page"}
    return export_projects(user=request.user, queryset=qs, year=_year_of(f), filters=filters, request=request, period=f.period_obj)


# --- detail, history, transitions ----------------------------------------------------------

ACTION_LABELS = {  # the history's 操作 column
    "create": pgettext_lazy("project history", "创建"),
    "update": pgettext_lazy("project history", "修改"),
    "transition": pgettext_lazy("project history", "阶段变更"),
}
HISTORY_ACTIONS = tuple(ACTION_LABELS)
_FK_MODELS: dict[str, Any] = {
    "region": Region,
    "zone": Unit,
    "responsible_unit": Unit,
    "sponsor_leader": SponsorLeader,
    "owner": Enterprise,
}
_CHOICES: dict[str, dict[str, Any]] = {  # labels, lazy or not: made text when shown (_show)
    "stage": dict(Stage.choices),
    "category": dict(Category.choices),
    "nature": dict(Nature.choices),
    "industry_section": dict(SECTION_CHOICES),
    "industry_division": dict(DIVISION_CHOICES),
}
_YEAR_LABELS = {
    "annual_plan": gettext_lazy("年度计划投资（万元）"),
    "on_province_list": gettext_lazy("省级重点"),
    "on_city_list": gettext_lazy("市级重点"),
    "on_county_list": gettext_lazy("县级重点"),
    "nature": gettext_lazy("建设性质"),
}


def _field_label(name: str) -> str:
    try:
        return str(Project._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a key that is no longer a field is shown as stored
        return name


_MONEY_FIELDS = {"total_investment", "annual_plan"}


def _show(name: str, value: Any, names: dict[tuple[str, str], str]) -> str:
    if value is None or value == "":
        return "—"
    if name in _MONEY_FIELDS:
        return wan(value)
    if isinstance(value, bool) or value in ("True", "False"):
        return _("是") if value in (True, "True") else _("否")
    if name in _CHOICES:
        return str(_CHOICES[name].get(str(value), value))
    if name in _FK_MODELS:
        return names.get((name, str(value)), f"#{value}")
    return str(value)


def _plan_change(change: dict[str, Any]) -> dict[str, str]:
    """A 分月计划 change (``dispatch.services_plans``) as a history row: its twelve months before
    and after, or 默认分布."""

    def months(values: list[Any], own: bool) -> str:
        if not own:
            return _("按默认分布")
        return pgettext("punctuation", "；").join(f"{format_month(m)} {wan(v)}" for m, v in enumerate(values, start=1))

    return {
        "label": _("%(year)s年分月计划") % {"year": change.get("year")},
        "old": months(change.get("before") or [], bool(change.get("before_own"))),
        "new": months(change.get("after") or [], bool(change.get("after_own"))),
    }


def _year_change(entry: dict[str, Any], names: dict[tuple[str, str], str]) -> dict[str, str]:
    """A year entry of a project's change (``services._save_years``) as a history row: each field
    ``[old, new]`` (old None: the year was new), or, as recorded before old values were kept, the
    new value alone (原值 left empty)."""

    def said(k: str, v: Any) -> str:
        return f"{_YEAR_LABELS.get(k, k)}{pgettext('punctuation', '：')}{_show('on' if k.startswith('on_') else k, v, names)}"

    olds, news = [], []
    for k, v in entry.items():
        if k == "year":
            continue
        if isinstance(v, list) and len(v) == 2:
            if v[0] is not None:
                olds.append(said(k, v[0]))
            news.append(said(k, v[1]))
        else:
            news.append(said(k, v))
    comma = pgettext("punctuation", "，")
    return {"label": _("%(year)s年度计划") % {"year": entry.get("year")}, "old": comma.join(olds), "new": comma.join(news)}


def history_rows(project: Project) -> list[dict[str, Any]]:
    """Audit events of the card as rows of (field verbose name, old, new)."""
    events = list(project_history(project=project).filter(action__in=HISTORY_ACTIONS)[:200])
    wanted: dict[str, set[str]] = {}
    for ev in events:
        for name, pair in (ev.changes or {}).items():
            if name in _FK_MODELS and isinstance(pair, list):
                wanted.setdefault(name, set()).update(str(v) for v in pair if v not in (None, ""))
    names: dict[tuple[str, str], str] = {}
    by_model: dict[Any, set[str]] = {}
    for name, ids in wanted.items():
        by_model.setdefault(_FK_MODELS[name], set()).update(ids)
    found = {model: {str(o.pk): str(o) for o in model.objects.filter(pk__in=list(ids))} for model, ids in by_model.items()}
    for name, ids in wanted.items():
        for i in ids:
            if i in found[_FK_MODELS[name]]:
                names[(name, i)] = found[_FK_MODELS[name]][i]
    rows = []
    for ev in events:
        changes = []
        for name, pair in (ev.changes or {}).items():
            if name == "years" and isinstance(pair, list):
                changes.extend(_year_change(y, names) for y in pair if isinstance(y, dict))
            elif name == "monthly_plan" and isinstance(pair, dict) and "after" in pair:
                changes.append(_plan_change(pair))
            elif isinstance(pair, list) and len(pair) == 2:
                if ev.action == "create" and pair[1] in (None, "", False):
                    continue
                changes.append({"label": _field_label(name), "old": _show(name, pair[0], names), "new": _show(name, pair[1], names)})
        rows.append({"event": ev, "action": str(ACTION_LABELS.get(ev.action, ev.action)), "changes": changes})
    return rows


MOVE_DATE_LABELS = {
    Stage.PREPARATION: gettext_lazy("转入前期日期"),
    Stage.CONSTRUCTION: gettext_lazy("实际开工日期"),
    Stage.COMPLETED: gettext_lazy("实际竣工日期"),
    Stage.PRODUCTION: gettext_lazy("投产日期"),
    Stage.EFFECTIVE: gettext_lazy("达效日期"),
    Stage.SUSPENDED: gettext_lazy("停缓建日期"),
    Stage.CANCELLED: gettext_lazy("退库日期"),
    "resume": gettext_lazy("恢复建设日期"),
}


def _move_date_label(project: Project, target: str) -> Any:
    """The label of the date a stage move asks for; "" when the project already knows it."""
    if (target == Stage.CONSTRUCTION and project.actual_start) or (target == Stage.COMPLETED and project.actual_completion):
        return ""
    return MOVE_DATE_LABELS.get(target, "")


def _can_edit(user: Any, project: Project) -> bool:
    return bool(writable_fields(user)) and Project.objects.editable_by(user).filter(pk=project.pk).exists()


def _can_transition(user: Any, can_edit: bool) -> bool:
    return can_edit and policy.can_change_stage(user)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _project_or_404(request, pk))


def _render_detail(request: HttpRequest, project: Project, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The project's page; ``refused``: a stage change the service refused (its target, what was
    typed and the errors per field), shown again at its form with the errors (400)."""
    user = request.user
    project = Project.objects.select_related("region", "zone", "owner", "responsible_unit", "sponsor_leader", "created_by").get(
        pk=project.pk
    )
    can_edit = _can_edit(user, project)
    actions = []
    today = timezone.localdate()
    if _can_transition(user, can_edit):
        first_day = first_stage_day(project)  # no earlier day: a month up to it is closed for the project's region
        for t, label in stage_actions(project):
            again = refused if refused and refused["target"] == t else {}
            actions.append(
                {
                    "target": t,
                    "label": label,
                    "needs_reason": t in (Stage.SUSPENDED, Stage.CANCELLED),
                    # the day the move happened, today by default (the event's date; a start or a
                    # completion sets the project's 实际开工/竣工日期 too, and is not asked when known)
                    "date_label": _move_date_label(project, t),
                    "danger": t == Stage.CANCELLED,
                    "warning": t == Stage.SUSPENDED,
                    "min_date": first_day,
                    "on_date": again.get("on_date", "") if again else f"{today:%Y-%m-%d}",
                    "reason": again.get("reason", ""),
                    "errors": again.get("errors", {}),
                }
            )
    years = list(project.years.all().order_by("-year"))
    for y in years:
        y.level_labels = [str(Level(lvl).label) for lvl in y.levels]  # type: ignore[attr-defined]
        y.nature_label = Nature(year_nature(y.nature, project.nature)).label  # type: ignore[attr-defined]
    context = {
        "project": project,
        "today": today,
        "years": years,
        "timeline": project_timeline(project=project),
        "history": history_rows(project),
        "actions": actions,
        "can_edit": can_edit,
        "event_kinds": dict(EventKind.choices),
        "stages": dict(Stage.choices),
        "industry_division_label": division_name(project.industry_division),
        **project_dispatch_context(user=user, project=project),
        "approvals_waiting": project_waiting(user, project),
        "needs_waiting": open_needs(user, project),
        **project_lead_context(user, project),
    }
    return render(request, "projects/detail.html", context, status=400 if refused else 200)


@login_required
@require_POST
def project_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_or_404(request, pk, for_edit=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新页面后重试"))
        return redirect("projects:detail", pk=project.pk)
    target = form.cleaned_data["to_stage"]
    try:
        project_transition(
            user=user,
            project=project,
            to_stage=target,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            on_date=form.cleaned_data["on_date"],
            request=request,
        )
    except NotFound:
        raise Http404() from None
    except ValidationFailed as exc:
        fields = exc.extra.get("fields", {})
        if "on_date" in fields:  # shown again at the date the user typed, which is kept
            errors = {name: [service_message(m) for m in msgs] for name, msgs in fields.items()}
            typed = {"on_date": request.POST.get("on_date", ""), "reason": request.POST.get("reason", "")}
            return _render_detail(request, project, {"target": target, **typed, "errors": errors})
        details = [service_message(m) for msgs in fields.values() for m in msgs]
        # Translators: between an error message and its details on one line
        messages.error(request, pgettext("error detail", "：").join([exc.shown, *details[:1]]))
    except (TransitionNotAllowed, ConflictError, PermissionDenied) as exc:
        messages.error(request, exc.shown)
    else:
        label = _("恢复建设") if target == "resume" else dict(Stage.choices).get(target, target)
        messages.success(request, _("已变更：%(label)s（当前阶段：%(stage)s）") % {"label": label, "stage": project.stage_label})
    return redirect("projects:detail", pk=project.pk)


# --- create / edit -------------------------------------------------------------------------


def _apply_service_errors(form: ProjectForm, exc: ValidationFailed) -> None:
    fields = exc.extra.get("fields") or {}
    if fields:
        form.add_service_errors(fields)
    else:
        form.add_error(None, exc.shown)


def _conflict_notes(form: ProjectForm, fresh: Project) -> list[dict[str, str]]:
    """Fields where the saved card now differs from what the user typed."""
    notes = []
    for name in form._meta.fields or []:
        if name not in form.cleaned_data:
            continue
        field = Project._meta.get_field(name)
        saved = getattr(fresh, name)
        typed = form.cleaned_data[name]
        if (saved.pk if hasattr(saved, "pk") else saved) != (typed.pk if hasattr(typed, "pk") else typed):
            shown = str(saved) if hasattr(saved, "pk") else _show(name, saved, {})
            notes.append({"label": str(field.verbose_name), "saved": shown})
    return notes


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_create_project(user):
        raise DjangoPermissionDenied("没有新建项目的权限")
    form_class = project_form_class(user)
    year = current_year()
    if request.method == "POST":
        form = form_class(request.POST, user=user, year=year)
        if form.is_valid():
            try:
                project = project_create(user=user, data=form.service_data(), years=form.service_years(), request=request)
            except ValidationFailed as exc:
                _apply_service_errors(form, exc)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None
            else:
                messages.success(request, _("已创建项目“%(name)s”") % {"name": project.name})
                return redirect("projects:detail", pk=project.pk)
    else:
        form = form_class(user=user, year=year)
    return render(request, "projects/form.html", {"form": form, "project": None, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_or_404(request, pk, for_edit=True)
    form_class = project_form_class(user)
    if not form_class._meta.fields:
        raise Http404()
    year = current_year()
    conflict: list[dict[str, str]] | None = None
    if request.method == "POST":
        form = form_class(request.POST, instance=project, user=user, year=year)
        if form.is_valid():
            expected = form.cleaned_data.get("version")
            try:
                project_update(
                    user=user,
                    project=project,
                    expected_version=-1 if expected is None else expected,
                    data=form.service_data(),
                    years=form.service_years(),
                    request=request,
                    reason=form.service_reason(),
                )
            except ValidationFailed as exc:
                _apply_service_errors(form, exc)
            except ConflictError:
                fresh = Project.objects.select_related("region", "zone", "owner", "responsible_unit", "sponsor_leader").get(pk=project.pk)
                conflict = _conflict_notes(form, fresh)
                form.data = form.data.copy()
                form.data["version"] = str(fresh.version)  # the next save is checked against what the user reviewed
                messages.error(request, CONFLICT_MESSAGE)
            except NotFound:
                raise Http404() from None
            else:
                messages.success(request, _("已保存"))
                return redirect("projects:detail", pk=project.pk)
    else:
        form = form_class(instance=project, user=user, year=year)
    return render(request, "projects/form.html", {"form": form, "project": project, "year": year, "conflict": conflict})


# --- sponsor leaders -------------------------------------------------------------------------


def _leaders_in_view(user: Any, following: Iterable[int] | None = None) -> QuerySet[SponsorLeader]:
    """Leaders of the user's regions plus any leader following a project the user can see
    (``following``: their ids when the caller has already read them, one scan of the projects less)."""
    ids: Any = list(following) if following is not None else None
    if ids is None:
        ids = Project.objects.visible_to(user).filter(sponsor_leader__isnull=False).values("sponsor_leader_id")
    return SponsorLeader.objects.filter(Q(pk__in=leaders_visible_to(user=user).values("pk")) | Q(pk__in=ids)).select_related("region")


NO_PROJECTS = {"n": 0, "active": 0, "total": Decimal("0"), "plan": Decimal("0")}


def _leader_search(q: str) -> Q:
    """The leaders' search box: 姓名, 职务 or 所属区划 containing ``q``."""
    return Q(name__icontains=q) | Q(title__icontains=q) | Q(region__name__icontains=q)


def _leader_table(request: HttpRequest) -> dict[str, Any]:
    """Every leader in view (``?q=`` narrows them) with counts and sums over the projects the
    user can see — one grouped pass over the projects for all leaders, never a query or a loop
    over projects per leader — sorted, with the 合计 over all of them: what the page shows a page
    of and what its export writes whole."""
    user = request.user
    year = current_year()
    q = request.GET.get("q", "").strip()
    stats = leader_project_totals(projects=Project.objects.visible_to(user), year=year)
    leaders = _leaders_in_view(user, following=stats)
    if q:
        leaders = leaders.filter(_leader_search(q))
    # 分线作战: each leader's figures and warnings for a reporting period (the summary tables)
    period, periods = _leader_period(request)
    figures = leader_figures(user=user, period=period)
    rows = [{"leader": leader, **stats.get(leader.pk, NO_PROJECTS), "fig": figures.get(leader.pk)} for leader in leaders]
    rows.sort(key=lambda r: (-r["n"], -r["total"], r["leader"].name, r["leader"].pk))
    total = leaders_total((r["fig"] for r in rows if r["fig"]), period) if period else None
    points = total.figures.ahead_points if total else None
    return {
        "rows": rows,
        "q": q,
        "year": year,
        "period": period,
        "periods": periods,
        "sum_n": sum(r["n"] for r in rows),
        "sum_active": sum(r["active"] for r in rows),
        "sum_total": sum((r["total"] for r in rows), Decimal("0")),
        "sum_plan": sum((r["plan"] for r in rows), Decimal("0")),
        "sum_ytd": total.figures.invested_ytd if total else Decimal("0"),
        "sum_rate_pct": total.rate_pct if total else None,
        "sum_points": points,
        "sum_band": band_of(points),
        "sum_phrase": metrics.schedule_phrase(points),
        "sum_warned": total.warned if total else 0,
        "sum_lagging": total.lagging if total else 0,
    }


@login_required
@require_GET
def leader_list(request: HttpRequest) -> HttpResponse:
    table = _leader_table(request)
    page = _paginate(request, table["rows"])
    nopage = query_without(request.GET, "page")
    export_url = reverse("projects:leader_export")
    context = {
        **table,
        "rows": page.object_list,
        "page_obj": page,
        "count": len(table["rows"]),
        "export_url": f"{export_url}?{nopage}" if nopage else export_url,
    }
    return render(request, "projects/leaders.html", context)


@login_required
@require_GET
def leader_export(request: HttpRequest) -> HttpResponse:
    """The whole filtered list of the page (every page) with its 合计 row, as .xlsx."""
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    return export_leaders(user=request.user, table=_leader_table(request), filters=filters, request=request)


@login_required
@require_GET
def leader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    leader = get_object_or_404(_leaders_in_view(user), pk=pk)
    year = current_year()
    qs = leader_projects(user=user, leader=leader)
    totals = project_list_totals(projects=qs, year=year)
    by_stage = {row["stage"]: row["n"] for row in qs.order_by().values("stage").annotate(n=Count("id"))}
    stages = [(label, by_stage[code], code) for code, label in Stage.choices if by_stage.get(code)]
    page = _project_page(request, qs, totals["n"])
    # 分线作战: the leader's figures, each listed project's completion and the warnings of the period
    period, periods = _leader_period(request)
    facts = {}
    warnings: list[Any] = []
    warning_count = 0
    if period is not None:
        from keyprojects.analytics.models import ProjectPeriodFact
        from keyprojects.dispatch.selectors import warnings_for

        facts = {f.project_id: f for f in ProjectPeriodFact.objects.filter(period=period, project__in=[p.pk for p in page.object_list])}
        leader_warnings = warnings_for(user=user, period=period).filter(project__sponsor_leader=leader)
        warning_count = leader_warnings.count()
        warnings = list(leader_warnings.order_by("kind", "project_id")[:LEADER_WARNINGS])
    for p in page.object_list:
        fact = facts.get(p.pk)
        p.fact_rate = metrics.as_percent(metrics.completion_rate(fact.invested_ytd, fact.annual_plan)) if fact else None  # type: ignore[attr-defined]
        p.fact_ytd = fact.invested_ytd if fact else None  # type: ignore[attr-defined]
    # the figures and the month's reports due and in behind them (落后 on carried figures is said to be so)
    fig = leader_figures(user=user, period=period, leader_id=leader.pk).get(leader.pk)
    context = {
        "leader": leader,
        "year": year,
        "page_obj": page,
        "projects": page.object_list,
        "count": totals["n"],
        "total_investment": totals["total"],
        "plan_total": totals["plan"],
        "stages": stages,
        "querystring_nopage": query_without(request.GET, "page"),
        "period": period,
        "periods": periods,
        "fig": fig,
        "reports": leader_reports_in(user=user, period=period, leader_id=leader.pk) if fig else None,
        "warnings": warnings,
        "warning_count": warning_count,
        "warnings_url": f"{reverse('dispatch:warnings')}?period={period.label}" if period else "",
    }
    return render(request, "projects/leader_detail.html", context)


LEADER_WARNINGS = 20  # warnings listed on a leader's page (the rest: the warnings page)


def _leader_period(request: HttpRequest) -> tuple[Any, list[Any]]:
    """The period of the leaders' figures: the latest with figures in the user's scope, or the
    one chosen (``?period=YYYY-MM``), as on the home dashboard."""
    periods = periods_with_facts(region=summary_region(request.user))
    return choose_period(periods, request.GET.get("period")), periods
