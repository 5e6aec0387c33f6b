"""Forms of the brand selection pages. They parse input only: the services validate (one place)
and their messages are put back at the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals, VersionedForm, plain_decimal_inputs, version_field

from .choices import DEFAULT_MAX_SELECTED, DEFAULT_REWARD_CEILING, Category
from .services import APPLICATION_FIELDS

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every input; amounts and scores as a person types them (10, 10.5)."""
    plain_decimal_inputs(form)
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.HiddenInput | forms.DateInput):
            continue
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select form-select-sm" if isinstance(w, forms.Select) else "form-control form-control-sm"
        w.attrs.setdefault("class", css)


class RoundForm(PlainDecimals, VersionedForm):
    version = version_field(required=False)  # required when editing
    region = forms.ModelChoiceField(label=_("组织地区"), queryset=None)  # type: ignore[arg-type]
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099)
    name = forms.CharField(label=_("批次名称"), max_length=100, initial="第一批“泉城好品”品牌遴选")
    opens_on = forms.DateField(label=_("申报开始日期"), widget=DATE)
    closes_on = forms.DateField(label=_("申报截止日期"), widget=DATE)
    max_selected = forms.IntegerField(label=_("入选上限（个）"), min_value=1, max_value=10000, initial=DEFAULT_MAX_SELECTED)
    reward_ceiling = forms.DecimalField(
        label=_("奖励上限（万元/家）"), max_digits=18, decimal_places=4, min_value=0, initial=DEFAULT_REWARD_CEILING
    )
    note = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # region and year stay
            self.fields["version"].required = True
            del self.fields["region"]
            del self.fields["year"]
        else:
            regions = policy.regions_below(user).filter(level__in=["province", "city"]).order_by("code")
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        _style(self)


class ApplicationForm(VersionedForm):
    version = version_field(required=False)  # required when editing
    enterprise = forms.ModelChoiceField(label=_("申报企业"), queryset=None, required=False)  # type: ignore[arg-type]
    category = forms.ChoiceField(label=_("申报类别"), choices=Category.choices)
    brand_name = forms.CharField(label=_("品牌名称"), max_length=100)
    trademark_no = forms.CharField(label=_("注册商标号"), max_length=32, required=False)
    trademark_valid_until = forms.DateField(label=_("商标有效期至"), widget=DATE, required=False)
    years_in_city = forms.IntegerField(label=_("在济经营年限（年）"), min_value=0, max_value=500, initial=0)
    has_valid_trademark = forms.BooleanField(label=_("拥有有效注册商标"), required=False)
    is_cultivation_enterprise = forms.BooleanField(label=_("属于省级或济南市高端品牌培育入选企业"), required=False)
    has_quality_system = forms.BooleanField(label=_("建立质量管理和监测体系"), required=False)
    is_advanced = forms.BooleanField(label=_("生产技术先进（产品类）或服务模式创新（服务类）"), required=False)
    in_haopin_shandong = forms.BooleanField(label=_("该产品（服务）已入选“好品山东”"), required=False)
    description = forms.CharField(label=_("品牌简介"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("申报材料（PDF或图片，可选）"), required=False)

    def __init__(self, *args: Any, user: Any, editing: bool = False, round: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from keyprojects.enterprises.models import Enterprise

        if editing or policy.is_applying_for_own_enterprise(user):
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].required = True
            qs = Enterprise.objects.visible_to(user).order_by("name")
            if round is not None:  # the enterprises that may apply: those in the round's region
                code = round.region_id
                qs = qs.filter(Q(region_id=code) | Q(region__city_code=code) | Q(region__province_code=code))
            self.fields["enterprise"].queryset = qs  # type: ignore[attr-defined]
        if editing:
            self.fields["version"].required = True
        _style(self)

    def data_for_service(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in APPLICATION_FIELDS}


class StepForm(PlainDecimals, VersionedForm):
    """A POSTed step with the version the page showed (its inputs styled: the score's and the
    reward's are drawn from the form)."""

    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ReviewForm(StepForm):
    decision = forms.ChoiceField(choices=[("pass", _("初审通过")), ("return", _("退回"))])
    note = forms.CharField(label=_("初审意见"), max_length=500, required=False)


class ScoreForm(StepForm):
    score = forms.DecimalField(label=_("评审得分"), max_digits=5, decimal_places=2, min_value=0, max_value=100)


class DecideForm(StepForm):
    decision = forms.ChoiceField(choices=[("select", _("入选")), ("reject", _("未入选"))])
    reward_amount = forms.DecimalField(label=_("奖励金额（万元）"), max_digits=18, decimal_places=4, min_value=0, required=False)
    note = forms.CharField(label=_("认定意见"), max_length=500, required=False)


class RoundStepForm(StepForm):
    to_status = forms.CharField(max_length=12)
    #: Closing the applications before the published window ends must be confirmed (the
    #: confirmation page says until when the window runs and how many are still drafts).
    confirm = forms.BooleanField(required=False)
