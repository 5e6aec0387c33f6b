"""Forms of the review pages (审核、调度看板、预警、问题事项). They parse and show input only;
every write goes through ``services.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals
from keyprojects.core.money import format_period
from keyprojects.regions.models import Region

from .choices import ProblemStatus, WarningKind
from .models import MonthlyReport, ReportingPeriod

SELECT = "form-select form-select-sm"
INPUT = "form-control form-control-sm"
LEVEL_LABELS = {"county": _("县级"), "city": _("市级"), "province": _("省级")}
# Fields of a report a correction may change, in the order the form shows them.
REVISION_FIELDS = ["invested_month", "physical_progress_pct", "physical_progress", "problems", "workers", "next_month_plan"]


def period_choices(blank: str) -> list[tuple[str, str]]:
    periods = ReportingPeriod.objects.order_by("-year", "-month").only("year", "month")[:120]
    return [("", blank), *((p.label, format_period(p)) for p in periods)]


def period_from_label(label: str | None) -> ReportingPeriod | None:
    """``YYYY-MM`` → the existing period, else None (a GET never opens a period)."""
    try:
        year, month = (int(x) for x in (label or "").split("-"))
    except ValueError:
        return None
    return ReportingPeriod.objects.filter(year=year, month=month).first()


def scope_regions(user: Any) -> QuerySet[Region]:
    """Regions under the user's home region (cities and counties of a province, counties of a city)."""
    if policy.is_superuser(user):
        from keyprojects.projects.models import Project

        return Region.objects.filter(level__in=["city", "county"], province_code__in=Project.objects.values("province_code"))
    home = policy.scope_region(user)
    if home is None:
        return Region.objects.none()
    return policy.regions_under(home).exclude(level="province")


def _style(form: forms.Form) -> None:
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        else:
            field.widget.attrs.setdefault("class", SELECT if isinstance(field, forms.ChoiceField) else INPUT)
        field.widget.attrs.setdefault("data-testid", f"field-{name}")


class PeriodSelectForm(forms.Form):
    period = forms.ChoiceField(label=_("调度期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(str(_("全部调度期")))
        _style(self)

    @property
    def selected(self) -> ReportingPeriod | None:
        if self.is_bound and self.is_valid():
            return period_from_label(self.cleaned_data.get("period"))
        return None


# --- review --------------------------------------------------------------------------------


class ReviewQueueFilterForm(PeriodSelectForm):
    """The review queue's filters: the period, a region below the user's (``scope_regions``:
    ``policy.regions_under`` the scope region) and a project name or code."""

    region = forms.ChoiceField(label=_("区域"), required=False)
    q = forms.CharField(label=_("关键字"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部区域")), *((r.code, r.name) for r in scope_regions(user).order_by("code"))]
        _style(self)
        self.fields["q"].widget.attrs.setdefault("placeholder", _("项目名称或代码"))

    @property
    def selected(self) -> ReportingPeriod | None:
        """The period chosen, whatever the other filters say."""
        if not self.is_bound:
            return None
        self.is_valid()
        return period_from_label(getattr(self, "cleaned_data", {}).get("period"))

    def filter(self, qs: QuerySet[MonthlyReport]) -> QuerySet[MonthlyReport]:
        """``qs`` (reports) narrowed to the valid filters (an invalid one is ignored, with its message)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        code = data.get("region")
        if code:
            region = Region.objects.filter(code=code).first()
            if region is not None:
                qs = qs.filter(policy.region_rows_q(region, "project__"))
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(Q(project__name__icontains=text) | Q(project__project_code__icontains=text))
        return qs


class ReviewForm(forms.Form):
    """审核通过 or 退回 (an opinion is required to return)."""

    action = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回"))])
    opinion = forms.CharField(label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "return" and not (data.get("opinion") or "").strip():
            self.add_error("opinion", _("退回须填写意见"))
        return data


class RevisionRequestForm(PlainDecimals, forms.Form):
    """申请更正 of an approved report: a reason and the new values (prefilled with the current ones)."""

    reason = forms.CharField(label=_("更正原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    invested_month = forms.DecimalField(
        label=_("本月完成投资（万元）"), max_digits=18, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    physical_progress_pct = forms.DecimalField(
        label=_("形象进度（%）"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    physical_progress = forms.CharField(label=_("形象进度"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    problems = forms.CharField(label=_("存在问题"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    workers = forms.IntegerField(label=_("在岗工人数"), required=False, min_value=0, max_value=1_000_000)
    next_month_plan = forms.CharField(label=_("下月计划"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, report: MonthlyReport, **kwargs: Any):
        kwargs.setdefault("initial", {f: getattr(report, f) for f in REVISION_FIELDS})
        super().__init__(*args, **kwargs)
        self.report = report
        _style(self)

    def new_values(self) -> dict[str, Any]:
        """The values that differ from the report (the service records exactly these)."""
        out: dict[str, Any] = {}
        for f in REVISION_FIELDS:
            value = self.cleaned_data.get(f)
            current = getattr(self.report, f)
            if f in ("physical_progress", "problems", "next_month_plan"):
                value = value or ""
            if value != current:
                out[f] = "" if value is None else value
        return out


class RevisionDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("同意更正")), ("reject", _("驳回更正"))])
    opinion = forms.CharField(label=_("审定意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("opinion") or "").strip():
            self.add_error("opinion", _("驳回更正须填写意见"))
        return data


# --- warnings and problems -----------------------------------------------------------------


ALL_PERIODS = "all"  # the warnings of every month (the list shows the latest month unless asked)


class WarningFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("调度期"), required=False)
    kind = forms.ChoiceField(label=_("预警类型"), required=False)
    region = forms.ChoiceField(label=_("区域"), required=False)
    q = forms.CharField(label=_("关键字"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(ALL_PERIODS, str(_("全部调度期"))), *period_choices("")[1:]]
        self.fields["kind"].choices = [("", _("全部类型")), *WarningKind.choices]
        self.fields["region"].choices = [("", _("全部区域")), *((r.code, r.name) for r in scope_regions(user).order_by("code"))]
        _style(self)
        self.fields["q"].widget.attrs.setdefault("placeholder", _("项目名称或代码"))

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored and shown with its message)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {k: data[k] for k in ("period", "kind", "region", "q") if data.get(k)}
        if values.get("period") == ALL_PERIODS:
            del values["period"]
        return values


PROBLEM_STATUS_FILTER = [
    ("", _("未解决（待解决和推进中）")),
    *ProblemStatus.choices,
    ("all", _("全部状态")),
]


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=PROBLEM_STATUS_FILTER)
    overdue = forms.BooleanField(label=_("仅看已逾期"), required=False)
    q = forms.CharField(label=_("关键字"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["q"].widget.attrs.setdefault("placeholder", _("项目或问题描述"))

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("status", "overdue", "q") if data.get(k)}


class ProblemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ProblemStatus.choices)
    resolution = forms.CharField(label=_("办理结果"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    back = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ProblemStatus.SOLVED and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("标记已解决须填写办理结果"))
        return data


def is_overdue(due_date: dt.date | None, status: str, today: dt.date) -> bool:
    return bool(due_date and due_date < today and status != ProblemStatus.SOLVED)
