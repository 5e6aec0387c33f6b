"""The 双考核双评价 scheme editor: the scheme's fields and one row per indicator (use it or not,
weight, direction, scoring rule and its parameters), validated at the field with Chinese
messages. The rows become the scheme's ``indicators`` list, which
``assessment.normalise_indicators`` checks once more when the service saves it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.core.forms import PlainDecimals

from .assessment import DEFAULT_INDICATORS, DEFAULT_LAST_POINTS, DIRECTIONS, RULES, direction_refused, natural_direction
from .models import AssessedKind, assessed_kind_label
from .rankings import INDICATORS

CONTROL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    region = forms.ChoiceField(label=_("考核范围"), widget=forms.Select(attrs={"class": "form-select"}))
    unit_kind = forms.ChoiceField(label=_("考核对象"), choices=AssessedKind.choices, widget=forms.Select(attrs={"class": "form-select"}))
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))
    is_active = forms.BooleanField(
        label=_("启用"), required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        # the region kind named as its units are: 市 for a province's scheme, 区县（市） for a city's
        # (models.assessed_kind_label); the chosen range, else the first one offered
        from keyprojects.regions.models import Region

        chosen = (self.data.get("region") if self.is_bound else None) or self.initial.get("region") or (regions[0][0] if regions else None)
        levels = dict(Region.objects.filter(code__in=[c for c, _n in regions]).values_list("code", "level"))
        level = levels.get(str(chosen)) if chosen else None
        self.fields["unit_kind"].choices = [(k, assessed_kind_label(k, region_level=level)) for k in AssessedKind.values]
        if len(set(levels.values())) > 1:
            self.fields["unit_kind"].help_text = _("按区域考核：省级方案考核各市，市级方案考核各区县（市）")


class IndicatorRowForm(PlainDecimals, forms.Form):
    """One indicator of the scheme. Unused rows are ignored; a used row needs a weight and the
    parameters of its rule."""

    indicator = forms.CharField(widget=forms.HiddenInput)
    used = forms.BooleanField(label=_("采用"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    weight = forms.DecimalField(
        label=_("权重"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**CONTROL, "step": "any"}),
    )
    direction = forms.ChoiceField(label=_("方向"), choices=list(DIRECTIONS.items()), initial="up", widget=forms.Select(attrs=SELECT))
    rule = forms.ChoiceField(label=_("计分规则"), choices=list(RULES.items()), initial="linear", widget=forms.Select(attrs=SELECT))
    floor = forms.DecimalField(
        label=_("起点（0分）"), required=False, max_digits=8, decimal_places=2, widget=forms.NumberInput(attrs={**CONTROL, "step": "any"})
    )
    target = forms.DecimalField(
        label=_("目标（100分）"), required=False, max_digits=8, decimal_places=2, widget=forms.NumberInput(attrs={**CONTROL, "step": "any"})
    )
    last_points = forms.DecimalField(
        label=_("末位得分"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**CONTROL, "step": "any"}),
    )

    @property
    def label(self) -> Any:
        key = self.initial.get("indicator") or self.data.get(self.add_prefix("indicator"))
        return INDICATORS[key].label if key in INDICATORS else key

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("indicator") not in INDICATORS:
            raise forms.ValidationError(_("未知的指标"))
        if not data.get("used"):
            return data
        refused = direction_refused(data["indicator"], data.get("direction") or "up")
        if refused is not None:
            self.add_error("direction", refused.shown)
        if data.get("weight") is None:
            self.add_error("weight", _("请填写权重"))
        if data.get("rule") == "linear":
            floor, target = data.get("floor"), data.get("target")
            if floor is None:
                self.add_error("floor", _("请填写起点"))
            if target is None:
                self.add_error("target", _("请填写目标值"))
            if floor is not None and target is not None:
                if data.get("direction") == "up" and target <= floor:
                    self.add_error("target", _("越高越好：目标值应大于起点"))
                if data.get("direction") == "down" and target >= floor:
                    self.add_error("target", _("越低越好：目标值应小于起点"))
        return data

    def item(self) -> dict[str, Any]:
        d = self.cleaned_data
        item: dict[str, Any] = {"indicator": d["indicator"], "weight": str(d["weight"]), "rule": d["rule"], "direction": d["direction"]}
        if d["rule"] == "linear":
            item.update(floor=str(d["floor"]), target=str(d["target"]))
        else:
            item["last_points"] = str(d["last_points"] if d.get("last_points") is not None else DEFAULT_LAST_POINTS)
        return item


class BaseIndicatorFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        used = [f for f in self.forms if f.cleaned_data.get("used")]
        if not used:
            raise forms.ValidationError(_("请至少采用一个指标"))
        total = sum((f.cleaned_data["weight"] for f in used), Decimal(0))
        if total != 100:
            raise forms.ValidationError(_("采用指标的权重合计应为100（现为%(t)s）") % {"t": f"{total.normalize():f}"})

    def indicators(self) -> list[dict[str, Any]]:
        return [f.item() for f in self.forms if f.cleaned_data.get("used")]


IndicatorFormSet = forms.formset_factory(
    IndicatorRowForm, formset=BaseIndicatorFormSet, extra=0, max_num=len(INDICATORS), absolute_max=len(INDICATORS)
)


def indicator_initial(indicators: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One row per indicator of ``rankings.INDICATORS``: the scheme's values where it uses the
    indicator, else the default scheme's as a suggestion (not used)."""
    current = {i["indicator"]: i for i in (indicators or [])}
    defaults = {i["indicator"]: i for i in DEFAULT_INDICATORS}
    rows = []
    for key in INDICATORS:
        src = current.get(key) or defaults.get(key) or {"weight": "", "rule": "rank"}
        rows.append(
            {
                "indicator": key,
                "used": key in current if indicators is not None else key in defaults,
                "weight": src.get("weight"),
                "direction": src.get("direction") or natural_direction(key),
                "rule": src.get("rule", "linear"),
                "floor": src.get("floor"),
                "target": src.get("target"),
                "last_points": src.get("last_points", DEFAULT_LAST_POINTS if src.get("rule") == "rank" else None),
            }
        )
    return rows
