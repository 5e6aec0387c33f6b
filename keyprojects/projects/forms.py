"""Forms for the project pages. They only parse and show input: writes go through services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.errors import shown
from keyprojects.core.forms import PlainDecimals
from keyprojects.core.validators import validate_phone
from keyprojects.enterprises.models import Enterprise
from keyprojects.regions.models import Region, Unit

from .choices import Category, Level, Nature, Stage
from .industries import SECTION_CHOICES
from .models import Project, ProjectYear, SponsorLeader
from .selectors import leaders_assignable, regions_assignable, units_assignable
from .services import writable_fields

YEAR_FIELDS = ["annual_plan", "on_province_list", "on_city_list", "on_county_list"]


# --- scope helpers for choice lists -------------------------------------------------------


def with_current(qs: QuerySet[Any], current: Any) -> QuerySet[Any]:
    """Keep an already-set value selectable even if it lies outside today's scope list."""
    if current is None:
        return qs
    widened = qs.model._default_manager.filter(Q(pk__in=qs.values("pk")) | Q(pk=current))
    widened.query.select_related = qs.query.select_related
    return widened  # type: ignore[no-any-return]


# --- the list filter form ------------------------------------------------------------------


class SelectOrList(forms.Select):
    """A single select that still reads repeated parameters (``stage=a&stage=b``)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


def _pointed_to(choices: QuerySet[Any], visible: QuerySet[Project], field: str, *, wide: bool) -> QuerySet[Any]:
    """The rows of ``choices`` that some project of ``visible`` points to through ``field``.

    A province-wide scope holds nearly every project: asking each unit or leader for one project
    in scope (EXISTS, through the foreign-key index; it stops at the first) costs a few hundred
    index probes, where listing the scope (IN) reads every project row. A city or county scope is
    small, and listing it is the cheaper way (EXISTS would walk the out-of-scope projects of
    every unit)."""
    if wide:
        return choices.filter(Exists(visible.filter(**{field: OuterRef("pk")})))
    return choices.filter(pk__in=visible.values(f"{field}_id"))


def scope_filter_form(form: forms.Form, user: Any, visible: QuerySet[Project]) -> forms.Form:
    """Dress the ProjectFilter form for the list page: choices limited to the user's scope,
    Bootstrap classes, Chinese labels."""
    fields = form.fields
    home = policy.scope_region(user)
    if policy.is_superuser(user):
        regions = Region.objects.filter(province_code__in=visible.values("province_code")).exclude(level="province")
    elif home is not None:
        regions = policy.regions_under(home)
    else:
        regions = Region.objects.filter(code__in=visible.values("region_id"))
    region_choices = [("", _("全部区域"))] + [
        (r.code, ("　" if r.level == "county" else "") + r.name) for r in regions.order_by("code").only("code", "name", "level")
    ]
    fields["region"].widget = forms.Select(choices=region_choices)
    fields["region"].label = _("所属区域")
    fields["level"].widget = forms.Select(choices=[("", _("全部级别")), *Level.choices])
    fields["stage"].widget = SelectOrList(choices=[("", _("全部阶段")), *Stage.choices])
    fields["nature"].widget = forms.Select(choices=[("", _("全部性质")), *Nature.choices])
    fields["category"].widget = forms.Select(choices=[("", _("全部类别")), *Category.choices])
    fields["industry_section"].widget = forms.Select(choices=[("", _("全部行业")), *SECTION_CHOICES])
    wide = policy.is_superuser(user) or bool(home is not None and home.level == "province")
    fields["responsible_unit"].queryset = _pointed_to(Unit.objects.all(), visible, "responsible_unit", wide=wide)
    fields["responsible_unit"].empty_label = _("全部责任单位")
    fields["sponsor_leader"].queryset = _pointed_to(SponsorLeader.objects.all(), visible, "sponsor_leader", wide=wide)
    fields["sponsor_leader"].empty_label = _("全部包保领导")
    fields["in_statistics"].widget = forms.Select(choices=[("", _("纳统：全部")), ("true", _("已纳统")), ("false", _("未纳统"))])
    fields["in_statistics"].label = _("纳统")
    fields["year"].widget = forms.NumberInput(attrs={"min": 2000, "max": 2100, "placeholder": _("年度")})
    fields["q"].widget = forms.TextInput(attrs={"placeholder": _("项目名称、代码、建设单位、地点"), "type": "search"})
    fields["sort"].widget = forms.HiddenInput()
    if "lag" in fields:  # the list page's 与序时进度比较 (ProjectListFilter)
        from .filters import LAG_CHOICES

        fields["lag"].widget = forms.Select(choices=[("", _("进度：全部")), *LAG_CHOICES])
        fields["period"].widget = forms.HiddenInput()
    for name, field in fields.items():
        w = field.widget
        if isinstance(w, forms.HiddenInput):
            continue
        w.attrs["class"] = "form-select form-select-sm" if isinstance(w, forms.Select) else "form-control form-control-sm"
        w.attrs.setdefault("aria-label", str(field.label or name))
    return form


# --- create / edit -------------------------------------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only parses input. Model validation and the write happen in the
    service, so ``_post_clean`` must not copy values onto the instance (the service compares
    the instance before and after to write the audit diff)."""

    # Rules of a single field that the form checks with the others, so that a bad value is
    # reported together with the form's own errors instead of only once they are fixed (the
    # service checks them again). The same functions as the model's validators, never a copy.
    FIELD_RULES = (validate_phone,)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field (version, plan_year, …)
                continue
            field.validators += [v for v in getattr(model_field, "validators", ()) if v in self.FIELD_RULES and v not in field.validators]

    def _post_clean(self) -> None:
        pass

    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        for name, messages in fields.items():
            target = name if name in self.fields else None
            for m in map(service_message, messages):
                # Translators: between a field's name and its error message on one line
                self.add_error(
                    target, m if target else pgettext("error detail", "：").join([self._label(name), m]) if name != "__all__" else m
                )

    def _label(self, name: str) -> str:
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - unknown keys are shown as they are
            return name


def service_message(message: str) -> str:
    """A service's message about a field in the active language: a total investment changed
    tenfold said again from its figures (``dispatch.rules.TOTAL_JUMP``), a source string of the
    catalogue translated, any other as written (in Chinese: as written)."""
    from keyprojects.dispatch.rules import TOTAL_JUMP

    said = TOTAL_JUMP.say(message)
    return said if said is not None else shown(message)


def _amount_validators(message: str) -> list[Any]:
    return [MinValueValidator(Decimal("0"), message=message)]


class ProjectForm(PlainDecimals, ServiceModelForm):
    """Project card fields the user may write plus this year's plan. Built per user by
    :func:`project_form_class`; fields outside ``writable_fields(user)`` do not exist here, so
    posting them does nothing (reliability.md 13)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    plan_year = forms.IntegerField(widget=forms.HiddenInput, required=False, validators=[MinValueValidator(2000), MaxValueValidator(2100)])

    class Meta:
        model = Project
        fields: list[str] = []
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, year: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.year = year
        instance: Project = self.instance
        self.fields["version"].initial = instance.version if instance.pk else None
        self.fields["plan_year"].initial = year
        f = self.fields
        if "region" in f:
            f["region"].queryset = with_current(regions_assignable(user), instance.region_id if instance.pk else None)
            f["region"].label_from_instance = lambda r: ("　" if r.level == "county" else "") + r.name
            f["region"].queryset = f["region"].queryset.order_by("code")
        if "zone" in f:
            f["zone"].queryset = with_current(units_assignable(user).filter(kind="zone"), instance.zone_id)
        if "responsible_unit" in f:
            f["responsible_unit"].queryset = with_current(units_assignable(user), instance.responsible_unit_id)
        if "sponsor_leader" in f:
            f["sponsor_leader"].queryset = with_current(leaders_assignable(user), instance.sponsor_leader_id)
        if "owner" in f:
            f["owner"].queryset = with_current(Enterprise.objects.visible_to(user), instance.owner_id).order_by("name")
        if "nature" in f:  # the project's nature is the current year's (ADR 0004): its year row states the same
            f["nature"].help_text = gettext("即%(year)s年清单上的建设性质；往年的见项目页“历年清单与年度计划”") % {"year": year}
        if "project_code" in f:
            f["project_code"].widget.attrs["placeholder"] = "2403-370102-04-01-123456"
        if "total_investment" in f:
            f["total_investment"].validators += _amount_validators(_("总投资不能为负数"))
            if instance.pk:  # (a tenfold change of the total needs a written reason: dispatch.rules.total_investment_jump)
                f["total_investment_reason"] = forms.CharField(
                    label=_("总投资调整原因"),
                    required=False,
                    max_length=300,
                    help_text=_("总投资变化达到10倍及以上时必填（防止把元当作万元）"),
                )
        for name, message, lo, hi in (
            ("latitude", _("纬度应在 -90 到 90 之间"), -90, 90),
            ("longitude", _("经度应在 -180 到 180 之间"), -180, 180),
        ):
            if name in f:
                f[name].validators += [MinValueValidator(lo, message=message), MaxValueValidator(hi, message=message)]
        if self.has_year_plan:
            plan = instance.years.filter(year=year).first() if instance.pk else None
            f["annual_plan"] = forms.DecimalField(
                label=gettext("%(year)s年度计划投资（万元）") % {"year": year},
                max_digits=18,
                decimal_places=4,
                required=False,
                initial=plan.annual_plan if plan else None,
                validators=_amount_validators(_("年度计划投资不能为负数")),
            )
            for level, label in Level.choices:
                f[f"on_{level}_list"] = forms.BooleanField(
                    label=gettext("%(year)s年列入%(level)s重点项目清单") % {"year": year, "level": label},
                    required=False,
                    initial=getattr(plan, f"on_{level}_list", False),
                )
        for field in f.values():
            w = field.widget
            if isinstance(w, forms.HiddenInput):
                continue
            if isinstance(w, forms.CheckboxInput):
                w.attrs["class"] = "form-check-input"
            elif isinstance(w, forms.Select):
                w.attrs["class"] = "form-select"
            else:
                w.attrs["class"] = "form-control"

    @property
    def has_year_plan(self) -> bool:
        return policy.can_write_years(self.user)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def service_years(self) -> list[dict[str, Any]]:
        if not self.has_year_plan:
            return []
        year = self.cleaned_data.get("plan_year") or self.year
        entry: dict[str, Any] = {"year": year, **{k: self.cleaned_data.get(k) or False for k in YEAR_FIELDS[1:]}}
        plan = self.cleaned_data.get("annual_plan")
        entry["annual_plan"] = plan if plan is not None else Decimal("0")
        existing = self.instance.pk and ProjectYear.objects.filter(project=self.instance, year=year).exists()
        if not existing and plan is None and not any(entry[k] for k in YEAR_FIELDS[1:]):
            return []  # nothing typed for the year: do not create an empty plan row
        return [entry]

    @property
    def card_fields(self) -> list[Any]:
        extra = ["total_investment_reason"] if "total_investment_reason" in self.fields else []
        return [self[n] for n in [*self._meta.fields, *extra] if n in self.fields]

    def service_reason(self) -> str:
        """The reason given for a tenfold change of the total investment."""
        return str(self.cleaned_data.get("total_investment_reason") or "")

    @property
    def year_fields(self) -> list[Any]:
        return [self[n] for n in YEAR_FIELDS if n in self.fields]


def project_form_class(user: Any) -> type[ProjectForm]:
    return forms.modelform_factory(Project, form=ProjectForm, fields=writable_fields(user))  # type: ignore[return-value]


class TransitionForm(forms.Form):
    to_stage = forms.CharField(max_length=16)
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False)
    # 实际开工/竣工日期 when the move records one (blank: today)
    on_date = forms.DateField(required=False)
