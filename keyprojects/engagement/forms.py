"""Forms of 政企服务 pages. They parse input only; the services decide and validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import version_field
from keyprojects.core.localized import LocalizedModelChoiceField
from keyprojects.core.uploads import DOCUMENT_MAX_BYTES
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from .choices import MAX_ATTACHMENTS, STAFF_SOURCES, MeetingLevel, Rating, RequestStatus, Source
from .models import Meeting, RequestCategory

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class _FilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several documents in one file input (a list, maybe empty); the services check each
    (:mod:`keyprojects.core.uploads`) and how many."""

    def __init__(self, **kwargs: Any):
        accept = "application/pdf,image/jpeg,image/png,image/webp"
        kwargs.setdefault("widget", _FilesInput(attrs={**_TEXT, "accept": accept}))
        super().__init__(required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in (super(FilesField, self).clean(d, initial) for d in items if d) if f]


def _files_help() -> str:
    return gettext("PDF、JPEG、PNG或WebP文件，每个不超过%(mb)sMB，最多%(n)s个") % {
        "mb": DOCUMENT_MAX_BYTES // 1024 // 1024,
        "n": MAX_ATTACHMENTS,
    }


def _files_field() -> FilesField:
    return FilesField(label=_("附件（可选）"), help_text=lazy(_files_help, str)())


class RequestForm(forms.Form):
    """Raise a request: what every raiser fills in (an enterprise contact on a phone as well)."""

    category = LocalizedModelChoiceField(
        label=_("诉求类别"), queryset=RequestCategory.objects.none(), empty_label=_("请选择"), widget=forms.Select(attrs=_SELECT)
    )
    title = forms.CharField(label=_("诉求标题"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(label=_("诉求内容"), max_length=4000, widget=forms.Textarea(attrs={**_TEXT, "rows": 5}))
    project = forms.ModelChoiceField(
        label=_("关联项目（可选）"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("不关联项目"),
        widget=forms.Select(attrs=_SELECT),
    )
    contact_name = forms.CharField(
        label=pgettext_lazy("the person to contact about a request", "联系人"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
    )
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=32, required=False, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "tel"})
    )
    address_string = forms.CharField(label=_("地点"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT))
    attachments = _files_field()

    def __init__(self, *args: Any, projects: QuerySet[Project] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RequestCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["project"].queryset = projects if projects is not None else Project.objects.none()  # type: ignore[attr-defined]


class StaffRequestForm(RequestForm):
    """Staff raise a request on an enterprise's behalf: which enterprise, how it came in, and the
    meeting it was raised at."""

    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none(), widget=forms.Select(attrs=_SELECT))
    source = forms.ChoiceField(label=_("来源"), choices=[(s.value, s.label) for s in STAFF_SOURCES], widget=forms.Select(attrs=_SELECT))
    meeting = forms.ModelChoiceField(
        label=_("交流会（会议来源时）"), queryset=Meeting.objects.none(), required=False, widget=forms.Select(attrs=_SELECT)
    )
    field_order = ["enterprise", "source", "meeting", "category", "title", "description", "project"]

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], meetings: QuerySet[Meeting], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.filter(owner__in=enterprises.values("pk"))  # type: ignore[attr-defined]


class RequestFilter(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={**_TEXT, "placeholder": _("编号、标题、企业")}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *RequestStatus.choices])
    category = LocalizedModelChoiceField(label=_("类别"), required=False, queryset=RequestCategory.objects.all(), empty_label=_("全部类别"))
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Source.choices])
    overdue = forms.BooleanField(label=_("仅超期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("status", "category", "source"):
            self.fields[name].widget.attrs.update(_SELECT)


class NoteForm(forms.Form):
    version = version_field()
    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.TextInput(attrs={**_TEXT, "placeholder": _("受理说明（可不填）")})
    )


class ReplyForm(forms.Form):
    version = version_field()
    reply = forms.CharField(label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={**_TEXT, "rows": 4}))
    attachments = _files_field()


class RateForm(forms.Form):
    version = version_field()
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("评价说明（不满意时必填）"), max_length=500, required=False, widget=forms.TextInput(attrs=_TEXT))


def _units(near: Any = None) -> QuerySet[Unit]:
    """Active units; with ``near`` (a request) only those that can handle it (the policy's
    units near the request's region: its own, its city's and the province's)."""
    if near is not None:
        return policy.units_near(near.region)
    return Unit.objects.filter(is_active=True).select_related("region")


class RouteForm(forms.Form):
    version = version_field()
    units = forms.ModelMultipleChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs=_SELECT))
    reason = forms.CharField(label=_("分办说明"), max_length=300, required=False, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: Any, near: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(near)  # type: ignore[attr-defined]


class RerouteForm(forms.Form):
    version = version_field()
    from_unit = forms.ModelChoiceField(label=_("原承办单位"), queryset=Unit.objects.none(), widget=forms.Select(attrs=_SELECT))
    to_unit = forms.ModelChoiceField(label=_("改派至"), queryset=Unit.objects.none(), widget=forms.Select(attrs=_SELECT))
    reason = forms.CharField(label=_("改派理由"), max_length=300, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: Any, current: QuerySet[Unit] | None = None, near: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = current if current is not None else _units()  # type: ignore[attr-defined]
        self.fields["to_unit"].queryset = _units(near)  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    version = version_field()
    right_unit = forms.ModelChoiceField(label=_("应由哪个单位办理"), queryset=Unit.objects.none(), widget=forms.Select(attrs=_SELECT))
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: Any, near: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["right_unit"].queryset = _units(near)  # type: ignore[attr-defined]


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延期天数（工作日）"), min_value=1, max_value=60, widget=forms.NumberInput(attrs=_TEXT))
    reason = forms.CharField(label=_("延期理由"), max_length=500, widget=forms.TextInput(attrs=_TEXT))


class DecisionForm(forms.Form):
    version = version_field()
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", pgettext_lazy("extension decision", "批准延期")), ("0", pgettext_lazy("extension decision", "不予延期"))],
        coerce=lambda v: v == "1",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False, widget=forms.TextInput(attrs=_TEXT))


class MetricsForm(forms.Form):
    start = forms.DateField(
        label=_("提出日期自"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d"))


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "held_on", "place", "chair", "level", "enterprises", "units_present", "summary"]
        widgets = {
            "title": forms.TextInput(attrs=_TEXT),
            "held_on": forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d"),
            "place": forms.TextInput(attrs=_TEXT),
            "chair": forms.TextInput(attrs=_TEXT),
            "level": forms.Select(attrs=_SELECT, choices=MeetingLevel.choices),
            "enterprises": forms.SelectMultiple(attrs={**_SELECT, "size": 10}),
            "units_present": forms.SelectMultiple(attrs={**_SELECT, "size": 8}),
            "summary": forms.Textarea(attrs={**_TEXT, "rows": 4}),
        }

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = enterprises  # type: ignore[attr-defined]
        units = policy.unit_choices(user) if user is not None else _units()
        self.fields["units_present"].queryset = units  # type: ignore[attr-defined]


class KeyForm(forms.Form):
    enterprise = forms.CharField(label=_("企业（ID 或统一社会信用代码）"), max_length=18, widget=forms.TextInput(attrs=_TEXT))
    name = forms.CharField(label=_("用途"), max_length=100, required=False, widget=forms.TextInput(attrs=_TEXT))
