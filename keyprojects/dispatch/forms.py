"""Forms for the dispatch filling pages. They only parse and show input: the services validate
and write (amounts go to them as typed, so their Chinese messages appear at the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from keyprojects.core.errors import shown
from keyprojects.core.forms import plain_decimal as plain  # a stored Decimal as the user types it
from keyprojects.projects.selectors import units_assignable
from keyprojects.regions.models import Unit

from .models import MonthlyReport

REPORT_INPUTS = [
    "invested_month",
    "no_activity",
    "no_activity_reason",
    "physical_progress",
    "physical_progress_pct",
    "workers",
    "problems",
    "next_month_plan",
]
GRID_INPUTS = ["invested_month", "physical_progress_pct", "problems"]


def _attrs(**kw: Any) -> dict[str, Any]:
    return {"class": "form-control", **kw}


class ServiceErrorsMixin:
    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        """Place a service's ``extra["fields"]`` at the fields (in the page's language); unknown keys at the top."""
        for name, msgs in fields.items():
            for msg in msgs:
                self.add_error(name if name in self.fields else None, shown(msg))  # type: ignore[attr-defined]


class ReportForm(ServiceErrorsMixin, forms.Form):
    """One project's monthly report. Amounts stay text: the service parses "1,200.5" and "35%"."""

    invested_month = forms.CharField(
        label=_("本月完成投资（万元）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs=_attrs(inputmode="decimal", autocomplete="off", placeholder="0")),
    )
    no_activity = forms.BooleanField(label=_("本月无进展"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    no_activity_reason = forms.CharField(label=_("无进展原因"), required=False, max_length=200, widget=forms.TextInput(attrs=_attrs()))
    physical_progress = forms.CharField(label=_("形象进度"), required=False, max_length=2000, widget=forms.Textarea(attrs=_attrs(rows=3)))
    physical_progress_pct = forms.CharField(
        label=_("形象进度（%）"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs=_attrs(inputmode="decimal", autocomplete="off")),
    )
    workers = forms.IntegerField(
        label=_("在岗工人数"), required=False, min_value=0, max_value=1_000_000, widget=forms.NumberInput(attrs=_attrs(min="0"))
    )
    problems = forms.CharField(label=_("存在问题"), required=False, max_length=2000, widget=forms.Textarea(attrs=_attrs(rows=3)))
    next_month_plan = forms.CharField(label=_("下月计划"), required=False, max_length=2000, widget=forms.Textarea(attrs=_attrs(rows=3)))
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, report: MonthlyReport | None) -> dict[str, Any]:
        if report is None:
            return {"version": 0}
        data: dict[str, Any] = {f: getattr(report, f) for f in REPORT_INPUTS}
        data["invested_month"] = plain(report.invested_month)
        data["physical_progress_pct"] = plain(report.physical_progress_pct)
        data["version"] = report.version
        return data

    def service_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        data = {f: cd.get(f) for f in REPORT_INPUTS}
        for f in ("invested_month", "physical_progress_pct", "no_activity_reason", "physical_progress", "problems", "next_month_plan"):
            data[f] = (data[f] or "").strip()
        data["no_activity"] = bool(cd.get("no_activity"))
        if data["workers"] is None:
            data["workers"] = ""
        return data


class GridRowForm(ServiceErrorsMixin, forms.Form):
    """One row of the bulk grid: the three columns typed there and the row's version."""

    invested_month = forms.CharField(required=False, max_length=30)
    physical_progress_pct = forms.CharField(required=False, max_length=10)
    problems = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(min_value=0, required=False)

    def service_data(self) -> dict[str, Any]:
        return {f: (self.cleaned_data.get(f) or "").strip() for f in GRID_INPUTS}


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("现场照片"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG、PNG或WebP格式，每张不超过5MB"),
    )
    caption = forms.CharField(label=_("说明"), required=False, max_length=100, widget=forms.TextInput(attrs=_attrs()))


class ProblemForm(ServiceErrorsMixin, forms.Form):
    """Turn a 存在问题 into a tracked item with a responsible unit and a due date."""

    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs=_attrs(rows=2)))
    responsible_unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("（未指定）"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = forms.DateField(label=_("办结时限"), required=False, widget=forms.DateInput(attrs=_attrs(type="date"), format="%Y-%m-%d"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units: QuerySet[Unit] = units_assignable(user)
        self.fields["responsible_unit"].queryset = units.order_by("region_id", "kind", "name")  # type: ignore[attr-defined]
