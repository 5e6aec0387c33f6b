from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals, plain_decimal_inputs
from keyprojects.core.localized import LocalizedModelChoiceField, LocalizedModelMultipleChoiceField
from keyprojects.regions.models import Unit

from .choices import ApprovalStatus, Code, FactorKind, NeedStatus
from .models import ApprovalItem, FactorNeed, ProjectApproval

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class ApprovalForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProjectApproval
        fields = ["status", "applied_on", "accepted_on", "completed_on", "approval_number", "handling_unit", "note"]
        widgets = {"applied_on": DATE, "accepted_on": DATE, "completed_on": DATE}

    def __init__(self, *args: Any, writable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in writable:
                del self.fields[name]
        if "handling_unit" in self.fields:
            self.fields["handling_unit"].queryset = Unit.objects.filter(is_active=True).order_by("region_id", "name")  # type: ignore[attr-defined]
        for f in self.fields.values():
            if not isinstance(f.widget, (forms.HiddenInput, forms.DateInput)):
                css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
                f.widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:  # the service validates the model (one place)
        pass


class ItemsForm(forms.Form):
    items = LocalizedModelMultipleChoiceField(
        label=_("适用的审批事项"), queryset=ApprovalItem.objects.filter(is_active=True), required=False, widget=forms.CheckboxSelectMultiple
    )


class ApprovalFilter(forms.Form):
    q = forms.CharField(label=_("关键字"), required=False, max_length=100, widget=forms.SearchInput)
    item = LocalizedModelChoiceField(label=_("审批事项"), queryset=ApprovalItem.objects.all(), required=False, empty_label=_("全部事项"))
    status = forms.ChoiceField(label=_("办理状态"), choices=[("", _("全部状态")), *ApprovalStatus.choices], required=False)
    code = forms.ChoiceField(label=_("红黄码"), choices=[("", _("全部")), *Code.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": _("项目名称、项目代码或事项名称")})


class CompareForm(forms.Form):
    item = LocalizedModelChoiceField(label=_("审批事项"), queryset=ApprovalItem.objects.all())
    before_start = forms.DateField(label=_("前期起"), widget=DATE)
    before_end = forms.DateField(label=_("前期止"), widget=DATE)
    after_start = forms.DateField(label=_("后期起"), widget=DATE)
    after_end = forms.DateField(label=_("后期止"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for a, b in (("before_start", "before_end"), ("after_start", "after_end")):
            if data.get(a) and data.get(b) and data[a] > data[b]:
                self.add_error(b, _("结束日期不能早于开始日期"))
        return data


class NeedForm(PlainDecimals, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FactorNeed
        fields = [
            "kind",
            "subtype",
            "quantity",
            "secured",
            "financial_guidance",
            "owner_unit",
            "due_on",
            "status",
            "description",
            "resolution",
        ]
        widgets = {"due_on": DATE}

    def __init__(self, *args: Any, writable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in writable:
                del self.fields[name]
        if "owner_unit" in self.fields:
            self.fields["owner_unit"].queryset = Unit.objects.filter(is_active=True).order_by("region_id", "name")  # type: ignore[attr-defined]
        plain_decimal_inputs(self)  # 需求量, 已保障量 as typed: 12000, not 12000.0000
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(f.widget, (forms.HiddenInput, forms.DateInput)):
                css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
                f.widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:  # the service validates the model (one place)
        pass


class NeedFilter(forms.Form):
    q = forms.CharField(label=_("关键字"), required=False, max_length=100, widget=forms.SearchInput)
    kind = forms.ChoiceField(label=_("要素类别"), choices=[("", _("全部类别")), *FactorKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("保障状态"),
        choices=[("", _("全部状态")), ("open", _("未保障（待保障、保障中）")), ("overdue", _("逾期（超过保障时限）")), *NeedStatus.choices],
        required=False,
    )
    region = forms.RegexField(label=_("行政区划代码"), regex=r"^[0-9]{6}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if not isinstance(f.widget, forms.HiddenInput):
                f.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": _("项目名称、项目代码或责任单位")})


class ConsultationForm(forms.Form):
    """A meeting with one topic (a factor need of the user's scope)."""

    held_on = forms.DateField(label=_("会商日期"), widget=DATE)
    convener = forms.CharField(label=_("召集人"), max_length=100)
    units_present = forms.ModelMultipleChoiceField(label=_("参会单位"), queryset=Unit.objects.none(), required=False)
    summary = forms.CharField(label=_("会议纪要"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    need = forms.ModelChoiceField(label=_("要素需求"), queryset=FactorNeed.objects.none())
    decision = forms.CharField(label=_("会商意见"), max_length=1000)
    owner_unit = forms.ModelChoiceField(label=_("落实单位"), queryset=Unit.objects.none(), required=False)
    due_on = forms.DateField(label=_("落实时限"), widget=DATE, required=False)
    escalate = forms.BooleanField(label=_("提级会商（提交上一级）"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = policy.unit_choices(user)
        self.fields["units_present"].queryset = units  # type: ignore[attr-defined]
        self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]
        needs = FactorNeed.objects.visible_to(user).filter(status__in=["pending", "in_progress"]).select_related("project")
        self.fields["need"].queryset = needs  # type: ignore[attr-defined]
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(f.widget, forms.DateInput):
                css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
                f.widget.attrs.setdefault("class", css)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("四张清单文件"), help_text=_("“导出四张清单”得到的工作簿（.xlsx/.xls/.ods），每张清单一个工作表"))
    dry_run = forms.BooleanField(label=_("只校验，不写入（试运行）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm", "accept": ".xlsx,.xls,.ods"})
        self.fields["dry_run"].widget.attrs["class"] = "form-check-input"
