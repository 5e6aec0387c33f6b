"""Pages of 比武打擂 (rankings), 双考核双评价 (assessment) and 通报 (the bulletin download).
The rankings table and a stored assessment result also download as .xlsx (``exports.py``),
read through the same selectors and the same scope as their pages.

Who sees them: province, city and leader accounts with a province or city region (and the
superuser, on the province). The range is the user's region; a province user may pick one of its
cities. The assessment pages also open to the assessed (a county's or a city's staff and leaders,
a department's staff: ``policy.assessed_key``), who read the published results of the schemes
assessing their own unit — the ranking and their own explanation, nothing unpublished. Any other
account is refused the pages whole (403, the project's 403 page naming the reason); a region,
scheme or period outside the user's range answers 404. Each view reads top to bottom: parse → selector/service →
render. This module exports ``urlpatterns``; ``analytics/urls.py`` includes them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ValidationFailed, shown
from keyprojects.core.xlsx import download_response, xlsx_response
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.dispatch.selectors import latest_period
from keyprojects.regions.models import Region

from .assessment import (
    SchemeAccess,
    assessment_compute,
    scheme_access,
    scheme_items,
    schemes_assessing,
    schemes_visible_to,
    snapshot_tables,
    snapshots_of,
)
from .bulletin import bulletin_data, bulletin_docx, bulletin_filename, bulletin_xlsx
from .corrections import corrections_context
from .exports import assessment_export, rankings_export
from .models import AssessmentScheme, AssessmentSnapshot
from .rankings import INDICATORS, UNIT_KINDS, ranking_table
from .services_assessment import assessment_publish, assessment_snapshot, can_assess, can_publish, period_closed_for, scheme_save
from .services_bulletin import bulletin_setting_save, can_edit_bulletin_setting

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- scope ---------------------------------------------------------------------------------


def report_home(user: Any) -> Region:
    """The region whose rankings and bulletin the user may read; everybody else is refused the
    page (403 with its reason: the role may not open it, not "this does not exist")."""
    region = policy.report_region(user)
    if region is None:
        raise DjangoPermissionDenied(_("排名、考核和通报只对省级、市级工作人员和领导开放。"))
    return region


def report_root(home: Region, code: str | None) -> Region:
    """The home region, or (for a province) one of its cities."""
    if not code or code == home.code:
        return home
    if home.level == "province":
        region = Region.objects.filter(code=code, level="city", province_code=home.code).first()
        if region is not None:
            return region
    raise Http404()


def _period(label: str | None) -> ReportingPeriod | None:
    from keyprojects.dispatch.forms_review import period_from_label

    if label:
        period = period_from_label(label)
        if period is None:
            raise Http404(_("调度期不存在"))
        return period
    return latest_period()


def _period_required(label: str | None) -> ReportingPeriod:
    period = _period(label or "-")
    if period is None:
        raise Http404(_("调度期不存在"))
    return period


def _periods() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.order_by("-year", "-month")[:36])


def _cities(home: Region, user: Any) -> list[Region]:
    if home.level != "province":
        return []
    from keyprojects.analytics.selectors import summaries_for

    codes = summaries_for(user).filter(region__parent_id=home.code).values("region_id").distinct()
    return list(Region.objects.filter(code__in=codes, level="city").order_by("code"))


# --- 比武打擂 --------------------------------------------------------------------------------


def _ranking_filters(request: HttpRequest) -> tuple[Region, Region, str, str]:
    """The range, unit kind and indicator asked for (unknown kinds and indicators fall back to
    区域 and 完成率); 404 for a range the user may not read."""
    home = report_home(request.user)
    root = report_root(home, request.GET.get("region"))
    kind = request.GET.get("kind") or ""
    indicator = request.GET.get("indicator") or ""
    return home, root, kind if kind in UNIT_KINDS else "region", indicator if indicator in INDICATORS else "completion_rate"


@login_required
@require_GET
def rankings_page(request: HttpRequest) -> HttpResponse:
    home, root, kind, indicator = _ranking_filters(request)
    period = _period(request.GET.get("period"))
    context: dict[str, Any] = {
        "home": home,
        "root": root,
        "period": period,
        "periods": _periods(),
        "cities": _cities(home, request.user),
        "kinds": UNIT_KINDS,
        "kind": kind,
        "indicators": INDICATORS,
        "indicator": INDICATORS[indicator],
    }
    if period is not None:
        table = ranking_table(period=period, kind=kind, root=root, indicator=indicator, user=request.user)
        query = {"kind": kind, "indicator": indicator, **({"region": root.code} if root.code != home.code else {})}
        context.update(
            table=table,
            ranking=table.ranking,
            rows=table.rows,
            frozen=table.frozen,
            unit_label=table.unit_label,
            xlsx_url=reverse("analytics:rankings_xlsx", kwargs={"period": period.label}) + "?" + urlencode(query),
            **corrections_context(period=period, region=root, user=request.user),
        )
    return render(request, "analytics/rankings.html", context)


@login_required
@require_GET
def rankings_xlsx_view(request: HttpRequest, period: str) -> HttpResponse:
    """The page's table as .xlsx: same range, unit kind and indicator, the period in the URL."""
    _home, root, kind, indicator = _ranking_filters(request)
    period_obj = _period_required(period)
    content, filename = rankings_export(period=period_obj, kind=kind, root=root, indicator=indicator, user=request.user)
    audit_record(
        action="export",
        user=request.user,
        request=request,
        obj=period_obj,
        changes={
            "kind": "rankings",
            "period": period_obj.label,
            "region": root.code,
            "unit_kind": kind,
            "indicator": indicator,
            "format": "xlsx",
        },
        message=f"导出比武打擂排名：{filename}",
    )
    return xlsx_response(content, filename)


# --- 双考核双评价 ----------------------------------------------------------------------------


def assessment_home(user: Any) -> None:
    """The assessment pages open to the readers of a range (``policy.report_region``) and to the
    assessed (``policy.can_read_own_assessment``: their own published results), as
    ``policy.can_read_assessments`` says; everybody else is refused them whole (403 with the reason)."""
    if not policy.can_read_assessments(user):
        raise DjangoPermissionDenied(_("考核只对省级、市级工作人员、领导和被考核的地区、部门开放。"))


def _scheme_for(user: Any, pk: int) -> SchemeAccess:
    """The scheme and how the user reads it (its range, or one of its assessed units); 404 when
    the user may not read it."""
    assessment_home(user)
    access = scheme_access(user, pk)
    if access is None:
        raise Http404()
    return access


def _own_rows(user: Any) -> list[dict[str, Any]]:
    """The schemes assessing the user's own unit, each with its latest published result and
    the unit's row in it (None when the unit was not among the units of that month)."""
    rows = []
    for scheme, key in schemes_assessing(user):
        latest = snapshots_of(scheme, published_only=True).first()
        units = latest.result["units"] if latest is not None else []
        unit = next((u for u in units if u["key"] == key), None)
        rows.append({"scheme": scheme, "latest": latest, "unit": unit, "ranked": len(units)})
    return rows


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assessment_home(user)
    as_range = policy.report_region(user) is not None
    can_edit = as_range and bool(_scheme_regions(user))
    rows = []
    if as_range:
        visible = schemes_visible_to(user)
        schemes = list(visible if can_edit else visible.filter(is_active=True))
        snapshots = AssessmentSnapshot.objects.filter(scheme__in=schemes).select_related("period")
        latest = {s.scheme_id: s for s in snapshots.order_by("period__year", "period__month")}
        rows = [{"scheme": s, "latest": latest.get(s.pk)} for s in schemes]
    context = {"rows": rows, "own_rows": _own_rows(user), "as_range": as_range, "kinds": dict(UNIT_KINDS), "can_edit": can_edit}
    return render(request, "analytics/assessment.html", context)


@login_required
@require_GET
def assessment_scheme(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    access = _scheme_for(user, pk)
    scheme = access.scheme
    snapshots = list(snapshots_of(scheme, published_only=not access.as_range))
    done = {s.period_id for s in snapshots}
    can_compute = access.as_range and can_assess(user, scheme)
    closed = [p for p in _periods() if p.pk not in done and period_closed_for(period=p, region=scheme.region)] if can_compute else []
    items = scheme_items(scheme.indicators)
    context = {
        "scheme": scheme,
        "items": items,
        "snapshots": snapshots,
        "closed": closed,
        "as_range": access.as_range,
        "can_compute": can_compute,
        "can_edit": access.as_range and policy.can_edit_schemes(user, scheme.region),
        "kind_label": scheme.unit_kind_label,
    }
    return render(request, "analytics/assessment_scheme.html", context)


@login_required
@require_POST
def assessment_compute_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    access = _scheme_for(user, pk)
    if not access.as_range:  # the assessed read published results, nothing more
        raise Http404()
    scheme = access.scheme
    period = _period_required(request.POST.get("period"))
    try:
        snapshot, created = assessment_snapshot(user=user, scheme=scheme, period=period, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.shown)
        return redirect("analytics:assessment_scheme", pk=scheme.pk)
    if created:
        messages.success(request, _("已计算%(p)s考核结果") % {"p": period})
    else:
        messages.info(request, _("%(p)s考核结果已存在，显示的是保存的结果") % {"p": period})
    return redirect("analytics:assessment_result", pk=scheme.pk, period=snapshot.period.label)


def _scheme_regions(user: Any) -> list[tuple[str, str]]:
    """The ranges a user may write schemes for: their province and its cities, or their city."""
    home = report_home(user)
    regions = [home]
    if home.level == "province":
        regions += list(Region.objects.filter(level="city", province_code=home.code).order_by("code"))
    return [(r.code, r.name) for r in regions if policy.can_edit_schemes(user, r)]


def _scheme_edit(request: HttpRequest, scheme: AssessmentScheme | None) -> HttpResponse:
    """The scheme form (new or existing): fields and one row per indicator, saved through
    ``services_assessment.scheme_save`` (validated, audited)."""
    from .forms import IndicatorFormSet, SchemeForm, indicator_initial

    user = request.user
    regions = _scheme_regions(user)
    if not regions:  # the role writes no schemes: 403; another range's scheme: 404
        raise DjangoPermissionDenied(_("只有省级、市级工作人员可以编写考核方案。"))
    if scheme is not None and not policy.can_edit_schemes(user, scheme.region):
        raise Http404()
    if request.method == "POST":
        form = SchemeForm(request.POST, regions=regions)
        rows = IndicatorFormSet(request.POST, prefix="ind")
        if form.is_valid() and rows.is_valid():
            c = form.cleaned_data
            target = scheme or AssessmentScheme()
            if scheme is not None and c.get("version") not in (None, scheme.version):
                form.add_error(None, _("该方案已被他人修改，请刷新后重试"))
            else:
                target.name, target.region_id, target.unit_kind = c["name"], c["region"], c["unit_kind"]
                target.description, target.is_active, target.indicators = c["description"], c["is_active"], rows.indicators()
                try:
                    saved = scheme_save(user=user, scheme=target, request=request)
                except ValidationFailed as exc:
                    for name, errors in (exc.extra or {}).get("fields", {}).items():
                        for error in errors:
                            form.add_error(name if name in form.fields else None, shown(error))
                except ApplicationError as exc:
                    form.add_error(None, exc.shown)
                else:
                    messages.success(request, _("考核方案已保存"))
                    return redirect("analytics:assessment_scheme", pk=saved.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"unit_kind": "region", "is_active": True, "region": regions[0][0]}
        if scheme is not None:
            initial = {
                "name": scheme.name,
                "region": scheme.region_id,
                "unit_kind": scheme.unit_kind,
                "description": scheme.description,
                "is_active": scheme.is_active,
                "version": scheme.version,
            }
        form = SchemeForm(initial=initial, regions=regions)
        rows = IndicatorFormSet(initial=indicator_initial(scheme.indicators if scheme else None), prefix="ind")
        status = 200
    context = {"form": form, "rows": rows, "scheme": scheme}
    return render(request, "analytics/assessment_edit.html", context, status=status)


@login_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    return _scheme_edit(request, None)


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if policy.report_region(request.user) is None:  # the assessed (and every other role) write no schemes
        raise DjangoPermissionDenied(_("只有省级、市级工作人员可以编写考核方案。"))
    access = _scheme_for(request.user, pk)
    if not access.as_range:  # a scheme assessing the user's own city is another range's
        raise Http404()
    return _scheme_edit(request, access.scheme)


def _snapshot_for(user: Any, pk: str, period: str) -> tuple[SchemeAccess, AssessmentSnapshot]:
    """The stored result of a scheme the user reads on a period, and how they read it: the range
    any result, the assessed a published one only (404 otherwise)."""
    access = _scheme_for(user, int(pk))
    period_obj = _period_required(period)
    snapshot = get_object_or_404(snapshots_of(access.scheme, published_only=not access.as_range), period=period_obj)
    snapshot.scheme = access.scheme
    return access, snapshot


@login_required
@require_GET
def assessment_result(request: HttpRequest, pk: str, period: str) -> HttpResponse:
    user = request.user
    access, snapshot = _snapshot_for(user, pk, period)
    tables = snapshot_tables(user=user, snapshot=snapshot, own=access.own)
    fixes = corrections_context(period=snapshot.period, region=snapshot.scheme.region, user=user)
    kwargs = {"pk": snapshot.scheme.pk, "period": snapshot.period.label}
    context = {
        **fixes,
        "corrected_scores": _corrected_scores(snapshot, fixes["corrections"], own=access.own),
        "scheme": snapshot.scheme,
        "snapshot": snapshot,
        "period": snapshot.period,
        "units": tables.units,
        "items": tables.items,
        "as_range": access.as_range,
        "own_unit": next((u for u in tables.units if u["own"]), None),
        # the range reads the scheme already (can_assess would ask again): who computes publishes
        "can_publish": access.as_range and snapshot.published_at is None and policy.can_publish_assessment(user, snapshot.scheme.region),
        "publish_url": reverse("analytics:assessment_publish", kwargs=kwargs),
        "xlsx_url": reverse("analytics:assessment_xlsx", kwargs=kwargs),
    }
    return render(request, "analytics/assessment_result.html", context)


@login_required
@require_POST
def assessment_publish_view(request: HttpRequest, pk: str, period: str) -> HttpResponse:
    """Publish the stored result to the assessed units (once; audited)."""
    user = request.user
    access, snapshot = _snapshot_for(user, pk, period)
    if not access.as_range:
        raise Http404()
    if not can_publish(user, snapshot.scheme):  # a leader reads the range's results, never publishes
        raise DjangoPermissionDenied(_("只有本级省、市业务人员可以发布考核结果。"))
    if assessment_publish(user=user, snapshot=snapshot, request=request):
        messages.success(request, _("已发布%(p)s考核结果，被考核单位现在可以查看") % {"p": snapshot.period})
    else:
        messages.info(request, _("%(p)s考核结果已发布") % {"p": snapshot.period})
    return redirect("analytics:assessment_result", pk=snapshot.scheme.pk, period=snapshot.period.label)


def _corrected_scores(snapshot: AssessmentSnapshot, corrections: list[Any], *, own: str | None = None) -> list[dict[str, Any]]:
    """After corrections made since the snapshot was computed: each unit's stored score beside
    the score on the corrected figures (the snapshot itself never changes); with ``own`` (an
    assessed unit) that unit's row alone, the others' corrected figures being unpublished."""
    if not any(c.decided_at and c.decided_at > snapshot.computed_at for c in corrections):
        return []
    now = {u["key"]: u for u in assessment_compute(scheme=snapshot.scheme, period=snapshot.period)["units"]}
    rows = []
    for u in snapshot.result["units"]:
        if own is not None and u["key"] != own:
            continue
        after = now.get(u["key"], {})
        rows.append(
            {
                "name": u["name"],
                "score": u["score"],
                "rank": u["rank"],
                "corrected_score": after.get("score"),
                "corrected_rank": after.get("rank"),
                "changed": (after.get("score"), after.get("rank")) != (u["score"], u["rank"]),
            }
        )
    return rows


@login_required
@require_GET
def assessment_xlsx_view(request: HttpRequest, pk: str, period: str) -> HttpResponse:
    """The result page's tables as .xlsx (the same snapshot, the same project scope; for an
    assessed unit its own explanation alone)."""
    access, snapshot = _snapshot_for(request.user, pk, period)
    scheme = snapshot.scheme
    content, filename = assessment_export(user=request.user, snapshot=snapshot, own=access.own)
    audit_record(
        action="export",
        user=request.user,
        request=request,
        obj=snapshot,
        changes={"kind": "assessment", "scheme": scheme.pk, "period": snapshot.period.label, "format": "xlsx"},
        message=f"导出考核结果：{filename}",
    )
    return xlsx_response(content, filename)


# --- 通报 ------------------------------------------------------------------------------------


BULLETIN_PAGE_SIZE = 50


class BulletinSettingForm(forms.Form):
    """发文机关, 文号, 主送 and N (``services_bulletin.bulletin_setting_save`` validates)."""

    issuer = forms.CharField(
        label=gettext_lazy("发文机关"), max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    doc_number = forms.CharField(
        label=gettext_lazy("文号"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("可用 {year}、{month}，例如：鲁重点办〔{year}〕{month}号"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    recipients = forms.CharField(
        label=gettext_lazy("主送机关"), max_length=120, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    top_n = forms.IntegerField(
        label=gettext_lazy("每个地区列出的项目数"),
        min_value=1,
        max_value=100,
        initial=10,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _setting_form(root: Region, data: Any = None) -> BulletinSettingForm:
    from .models import BulletinSetting

    setting = BulletinSetting.objects.filter(region=root).first()
    initial = (
        {"issuer": setting.issuer, "doc_number": setting.doc_number, "recipients": setting.recipients, "top_n": setting.top_n}
        | {"version": setting.version}
        if setting
        else {"top_n": 10}
    )
    return BulletinSettingForm(data=data, initial=initial)


def _bulletin_context(request: HttpRequest, home: Region, root: Region, form: BulletinSettingForm | None = None) -> dict[str, Any]:
    period = _period(request.GET.get("period"))
    context: dict[str, Any] = {"home": home, "root": root, "period": period, "periods": _periods(), "cities": _cities(home, request.user)}
    if can_edit_bulletin_setting(request.user, root):
        context["setting_form"] = form or _setting_form(root)
    if period is not None:
        data = bulletin_data(period=period, root=root, user=request.user)
        query = f"?{urlencode({'region': root.code})}" if root.code != home.code else ""
        page = Paginator(data.lagging, BULLETIN_PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        context.update(
            data=data,
            page_obj=page,
            lagging_page=page.object_list,
            querystring_nopage=params.urlencode(),
            frozen=period_closed_for(period=period, region=root),
            **corrections_context(period=period, region=root, user=request.user),
            docx_url=reverse("analytics:bulletin_docx", kwargs={"period": period.label}) + query,
            xlsx_url=reverse("analytics:bulletin_xlsx", kwargs={"period": period.label}) + query,
        )
    return context


@login_required
@require_GET
def bulletin_page(request: HttpRequest) -> HttpResponse:
    """The bulletin as a page: the same sections as the Word document, the lagging projects paged."""
    home = report_home(request.user)
    root = report_root(home, request.GET.get("region"))
    return render(request, "analytics/bulletin.html", _bulletin_context(request, home, root))


@login_required
@require_POST
def bulletin_settings_view(request: HttpRequest) -> HttpResponse:
    """Save 发文机关, 文号, 主送 and N of the range's bulletin (its own staff only; 404 otherwise)."""
    home = report_home(request.user)
    root = report_root(home, request.GET.get("region"))
    if not can_edit_bulletin_setting(request.user, root):
        raise Http404()
    form = _setting_form(root, request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            bulletin_setting_save(
                user=request.user,
                region=root,
                issuer=c["issuer"],
                doc_number=c["doc_number"],
                recipients=c["recipients"],
                top_n=c["top_n"],
                expected_version=c.get("version"),
                request=request,
            )
        except ValidationFailed as exc:
            for name, errors in (exc.extra or {}).get("fields", {}).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, shown(error))
        except ApplicationError as exc:
            form.add_error(None, exc.shown)
        else:
            messages.success(request, _("通报设置已保存"))
            return redirect(reverse("analytics:bulletin") + "?" + request.GET.urlencode())
    return render(request, "analytics/bulletin.html", _bulletin_context(request, home, root, form), status=400)


def _bulletin_download(request: HttpRequest, period: str, ext: str) -> HttpResponse:
    user = request.user
    home = report_home(user)
    root = report_root(home, request.GET.get("region"))
    period_obj = _period_required(period)
    data = bulletin_data(period=period_obj, root=root, user=request.user)
    content = bulletin_docx(data) if ext == "docx" else bulletin_xlsx(data)
    audit_record(
        action="export",
        user=user,
        request=request,
        obj=period_obj,
        changes={"kind": "bulletin", "period": period_obj.label, "region": root.code, "format": ext},
        message=f"下载通报：{data.title}",
    )
    filename = bulletin_filename(data, ext)
    return download_response(content, filename, DOCX, fallback="bulletin") if ext == "docx" else xlsx_response(content, filename)


@login_required
@require_GET
def bulletin_docx_view(request: HttpRequest, period: str) -> HttpResponse:
    return _bulletin_download(request, period, "docx")


@login_required
@require_GET
def bulletin_xlsx_view(request: HttpRequest, period: str) -> HttpResponse:
    return _bulletin_download(request, period, "xlsx")


PERIOD = r"(?P<period>[0-9]{4}-[0-9]{2})"
urlpatterns = [
    path("rankings/", rankings_page, name="rankings"),
    re_path(rf"^rankings/{PERIOD}\.xlsx$", rankings_xlsx_view, name="rankings_xlsx"),
    path("assessment/", assessment_list, name="assessment"),
    path("assessment/new/", assessment_new, name="assessment_new"),
    path("assessment/<int:pk>/", assessment_scheme, name="assessment_scheme"),
    path("assessment/<int:pk>/edit/", assessment_edit, name="assessment_edit"),
    path("assessment/<int:pk>/compute/", assessment_compute_view, name="assessment_compute"),
    re_path(rf"^assessment/(?P<pk>[0-9]+)/{PERIOD}/$", assessment_result, name="assessment_result"),
    re_path(rf"^assessment/(?P<pk>[0-9]+)/{PERIOD}/publish/$", assessment_publish_view, name="assessment_publish"),
    re_path(rf"^assessment/(?P<pk>[0-9]+)/{PERIOD}\.xlsx$", assessment_xlsx_view, name="assessment_xlsx"),
    path("bulletin/", bulletin_page, name="bulletin"),
    path("bulletin/settings/", bulletin_settings_view, name="bulletin_settings"),
    re_path(rf"^bulletin/{PERIOD}\.docx$", bulletin_docx_view, name="bulletin_docx"),
    re_path(rf"^bulletin/{PERIOD}\.xlsx$", bulletin_xlsx_view, name="bulletin_xlsx"),
]
