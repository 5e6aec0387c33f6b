"""Forms of the agreement and 一企一策 pages. They parse input only: the services validate the
models (one place) and their messages are put back at the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals, VersionedForm, version_field
from keyprojects.regions.models import Unit

from .choices import CLAIMABLE_RESULTS, CommitmentKind, CommitmentStatus, Party

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.HiddenInput | forms.DateInput | forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select form-select-sm" if isinstance(w, forms.Select) else "form-control form-control-sm"
        w.attrs.setdefault("class", css)


def _units(user: Any) -> Any:
    home = policy.home_region(user)
    qs = Unit.objects.filter(is_active=True)
    if home is not None and not policy.is_superuser(user):
        qs = qs.filter(region__in=policy.regions_under(home).values("code")) | qs.filter(region__code=home.province_code)
    return qs.select_related("region").order_by("region_id", "name")


class AgreementForm(PlainDecimals, VersionedForm):
    version = version_field(required=False)  # required when editing
    title = forms.CharField(label=_("协议名称"), max_length=200)
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None)  # type: ignore[arg-type]
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=None)  # type: ignore[arg-type]
    signatory_unit = forms.ModelChoiceField(label=_("政府签约单位"), queryset=None, required=False)  # type: ignore[arg-type]
    signatory_name = forms.CharField(label=_("签约单位名称（未选单位时填写）"), max_length=100, required=False)
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    amount = forms.DecimalField(label=_("协议金额（万元）"), max_digits=18, decimal_places=4, min_value=0)
    note = forms.CharField(label=_("备注"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.enterprises.models import Enterprise

        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["region"].queryset = policy.regions_below(user).order_by("code")  # type: ignore[attr-defined]
        self.fields["signatory_unit"].queryset = _units(user)  # type: ignore[attr-defined]
        if editing:
            self.fields["version"].required = True
            del self.fields["enterprise"]
            del self.fields["region"]
        _style(self)


class CommitmentForm(PlainDecimals, forms.Form):
    party = forms.ChoiceField(label=_("承诺方"), choices=[("", "---------"), *Party.choices])
    kind = forms.ChoiceField(label=_("承诺类别"), choices=[("", "---------"), *CommitmentKind.choices])
    description = forms.CharField(label=_("承诺内容"), max_length=500)
    target_value = forms.DecimalField(label=_("目标值"), max_digits=16, decimal_places=4, min_value=0, required=False)
    measure = forms.CharField(label=_("计量单位"), max_length=20, required=False)
    due_on = forms.DateField(label=_("履约期限"), widget=DATE)
    owner_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = _units(user)  # type: ignore[attr-defined]
        _style(self)

    def data_for_service(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in ("party", "kind", "description", "target_value", "measure", "due_on", "owner_unit")}


class BaseCommitmentFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "user": self.user}


CommitmentFormSet = forms.formset_factory(CommitmentForm, formset=BaseCommitmentFormSet, extra=2, max_num=30, validate_max=True)


class ClaimForm(PlainDecimals, VersionedForm):
    version = version_field()
    result = forms.ChoiceField(label=_("履约结果"), choices=[(v, CommitmentStatus(v).label) for v in CLAIMABLE_RESULTS])
    achieved_value = forms.DecimalField(label=_("实际完成值"), max_digits=16, decimal_places=4, min_value=0, required=False)
    claimed_on = forms.DateField(label=_("履约日期"), widget=DATE, required=False)
    evidence_text = forms.CharField(label=_("佐证说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label=_("佐证材料（PDF/图片，≤10MB）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ConfirmForm(VersionedForm):
    version = version_field()
    decision = forms.ChoiceField(choices=[("accept", _("确认")), ("return", _("退回"))])
    note = forms.CharField(label=_("确认意见"), max_length=500, required=False)


class LiaisonForm(VersionedForm):
    version = version_field(required=False)  # none: the enterprise has no 包联 official yet
    official = forms.ModelChoiceField(label=_("包联干部"), queryset=None)  # type: ignore[arg-type]
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    since = forms.DateField(label=_("包联起始日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.accounts.models import User

        qs = User.objects.filter(policy.liaison_candidates_q())
        home = policy.home_region(user)
        if home is not None and not policy.is_superuser(user):
            codes = policy.regions_under(home).values("code")
            qs = qs.filter(region__in=codes) | qs.filter(unit__region__in=codes)
        self.fields["official"].queryset = qs.order_by("username")  # type: ignore[attr-defined]
        self.fields["official"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username}{pgettext('punctuation', '（')}{u.scope_label}{pgettext('punctuation', '）')}"
        )  # type: ignore[attr-defined]
        _style(self)


class MeasureForm(VersionedForm):
    measure = forms.CharField(label=_("帮扶措施"), max_length=500)
    unit = forms.ModelChoiceField(label=_("帮扶单位"), queryset=None, required=False)  # type: ignore[arg-type]
    by_whom = forms.CharField(label=_("帮扶人"), max_length=100, required=False)
    taken_on = forms.DateField(label=_("实施日期"), widget=DATE)
    result = forms.CharField(label=_("帮扶成效"), max_length=1000, required=False)
    version = version_field()  # editing only

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)  # type: ignore[attr-defined]
        if not editing:
            del self.fields["version"]
        _style(self)


class GrantForm(PlainDecimals, forms.Form):
    name = forms.CharField(label=_("政策名称"), max_length=200)
    amount = forms.DecimalField(label=_("兑现金额（万元）"), max_digits=18, decimal_places=4, min_value=0)
    granted_on = forms.DateField(label=_("兑现日期"), widget=DATE)
    unit = forms.ModelChoiceField(label=_("兑现单位"), queryset=None, required=False)  # type: ignore[arg-type]
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)  # type: ignore[attr-defined]
        _style(self)
