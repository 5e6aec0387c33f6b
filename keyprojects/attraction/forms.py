"""Forms of the 招商引资 pages; choice lists come from what the user may reach, the services
validate (one place)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals, VersionedForm, amount_field, version_field
from keyprojects.core.localized import LocalizedModelChoiceField
from keyprojects.partnership.choices import CommitmentKind, Party

from .models import Activity, Lead
from .services import ACTIVITY_FIELDS, LEAD_FIELDS

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
AMOUNT = {"max_digits": 16, "decimal_places": 4}  # amount_field: ≥ 0, "金额不能为负数"


def _style(form: forms.BaseForm) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, (forms.HiddenInput, forms.CheckboxInput)):
            continue
        if isinstance(w, forms.DateInput):
            w.attrs.setdefault("type", "date")
            w.format = "%Y-%m-%d"
        css = "form-select form-select-sm" if isinstance(w, forms.Select) else "form-control form-control-sm"
        w.attrs.setdefault("class", css)


def _reach(form: forms.BaseForm, user: Any) -> None:
    from keyprojects.projects.selectors import leaders_assignable, units_assignable

    fields = form.fields
    if "region" in fields:
        forced, _defaults = policy.lead_placement(user)
        if "region" in forced:
            del fields["region"]
        else:
            fields["region"].queryset = policy.regions_below(user)  # type: ignore[attr-defined]
    if "unit" in fields:
        if "unit" in policy.lead_placement(user)[0]:
            del fields["unit"]
        else:
            fields["unit"].queryset = units_assignable(user)  # type: ignore[attr-defined]
    if "leader" in fields:
        fields["leader"].queryset = leaders_assignable(user)  # type: ignore[attr-defined]


class LeadForm(PlainDecimals, VersionedForm, forms.ModelForm):
    version = version_field(required=False)  # required when editing

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        widgets = {"obtained_on": DATE, "content": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"chain": LocalizedModelChoiceField}  # 产业链 named in the page's language

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _reach(self, user)
        self.fields["source_activity"].queryset = Activity.objects.visible_to(user).order_by("-held_on")  # type: ignore[attr-defined]
        self.fields["obtained_on"].required = False
        self.fields["version"].required = self.instance.pk is not None
        if self.instance.agreement_id and "region" in self.fields:  # the service refuses a move too
            self.fields["region"].disabled = True
            self.fields["region"].help_text = _("线索已签约，所属区域以协议的签约地为准")
        _style(self)

    def _post_clean(self) -> None:  # the service validates the model
        pass


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {"held_on": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _reach(self, user)
        _style(self)

    def _post_clean(self) -> None:
        pass


class StepForm(VersionedForm):
    version = version_field()
    on_date = forms.DateField(label=_("日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明/反馈意见"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DropForm(StepForm):
    note = forms.CharField(label=_("终止原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(PlainDecimals, VersionedForm):
    version = version_field()
    enterprise = forms.ModelChoiceField(label=_("签约企业"), queryset=None, help_text=_("投资方或其在本地设立的项目公司，须已在企业库登记"))  # type: ignore[arg-type]
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    amount = amount_field(_("签约额（万元）"), **AMOUNT)
    title = forms.CharField(label=_("协议名称"), required=False, max_length=200)
    signatory_name = forms.CharField(
        label=_("政府签约单位"), required=False, max_length=100, help_text=_("未指定责任单位时填写，默认为本区域人民政府")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.projects.selectors import owners_assignable

        self.fields["enterprise"].queryset = owners_assignable(user).order_by("name")  # type: ignore[attr-defined]
        _style(self)


class CommitmentForm(PlainDecimals, forms.Form):
    party = forms.ChoiceField(label=_("承诺方"), choices=[("", "—"), *Party.choices], required=False)
    kind = forms.ChoiceField(label=_("承诺类别"), choices=[("", "—"), *CommitmentKind.choices], required=False)
    description = forms.CharField(label=_("承诺内容"), max_length=500, required=False)
    target_value = amount_field(_("目标值"), required=False, negative=_("目标值不能为负数"), **AMOUNT)
    measure = forms.CharField(label=_("计量单位"), max_length=20, required=False)
    due_on = forms.DateField(label=_("履约期限"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def commitment(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not d.get("description"):
            return None
        return {k: v for k, v in d.items() if v not in (None, "")}


CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=3, max_num=10)


class LandForm(PlainDecimals, VersionedForm):
    version = version_field()
    landed_on = forms.DateField(label=_("落地日期"), required=False, widget=DATE)
    project = forms.ModelChoiceField(
        label=_("关联已有项目"),
        queryset=None,
        required=False,
        help_text=_("不选择则按线索和协议在项目库新建项目"),  # type: ignore[arg-type]
    )
    annual_plan = amount_field(
        _("当年计划投资（万元）"), required=False, help_text=_("项目从落地次月起调度；12月落地的计入次年计划"), **AMOUNT
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.projects.models import Project

        ids = list(Project.objects.editable_by(user).filter(lead__isnull=True).order_by("-id").values_list("pk", flat=True)[:300])
        self.fields["project"].queryset = Project.objects.filter(pk__in=ids).order_by("-id")  # type: ignore[attr-defined]
        _style(self)


class FundForm(PlainDecimals, forms.Form):
    """Enter 到资 (it waits for somebody else's confirmation) or, with ``replaces``, a correction
    of a confirmed entry (a new figure and the reason; the old one is voided when it is confirmed)."""

    arrived_on = forms.DateField(label=_("到资日期"), widget=DATE)
    arrived_amount = amount_field(_("到资额（万元）"), **AMOUNT)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=500)

    def __init__(self, *args: Any, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("更正到资须说明原因")
        _style(self)


class FundDecideForm(VersionedForm):
    """A confirmer's decision on a 到资 entry: confirm (note optional) or return (reason required)."""

    version = version_field()
    note = forms.CharField(label=_("确认意见/退回理由"), required=False, max_length=500)
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("return", _("退回"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FundVoidForm(VersionedForm):
    """Ask for a confirmed 到资 entry to be voided (冲销), with the reason."""

    version = version_field()
    reason = forms.CharField(label=_("冲销原因"), max_length=500, error_messages={"required": _("冲销须说明原因")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FundWithdrawForm(VersionedForm):
    """The enterer withdraws her own 到资 entry while it waits (note optional)."""

    version = version_field()
    note = forms.CharField(label=_("撤回说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FunnelForm(forms.Form):
    by = forms.ChoiceField(label=_("分组"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import GROUPS

        self.fields["by"].choices = [(k, v) for k, v in GROUPS.items()]
        _style(self)
