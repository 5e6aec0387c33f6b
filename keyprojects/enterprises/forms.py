"""Enterprise forms: parse and show input; writes go through enterprises.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.projects.forms import ServiceModelForm, with_current
from keyprojects.projects.industries import DIVISION_CHOICES
from keyprojects.projects.selectors import regions_assignable

from .models import Enterprise
from .services import ENTERPRISE_FIELDS


def enterprise_form_fields(user: Any, *, creating: bool) -> list[str]:
    """The fields ``user`` may write (the policy: an enterprise edits only its address,
    representative and industry; a county user never moves one to another region)."""
    if creating and not policy.can_create_enterprise(user):
        return []
    return policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS, creating=creating)


class EnterpriseForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        f = self.fields
        if "region" in f:
            current = self.instance.region_id if self.instance.pk else None
            f["region"].queryset = with_current(regions_assignable(user), current).order_by("code")
            f["region"].label_from_instance = lambda r: ("　" if r.level == "county" else "") + r.name
        if "uscc" in f:
            f["uscc"].widget.attrs.update({"placeholder": "91370102XXXXXXXXXX", "maxlength": 18, "autocomplete": "off"})
            f["uscc"].help_text = _("18位，不使用 I、O、Z、S、V")
        if "industry_division" in f:
            f["industry_division"] = forms.ChoiceField(
                label=str(Enterprise._meta.get_field("industry_division").verbose_name),
                choices=[("", "---------"), *DIVISION_CHOICES],
                required=False,
                initial=self.instance.industry_division if self.instance.pk else "",
            )
        for field in f.values():
            w = field.widget
            if isinstance(w, forms.HiddenInput):
                continue
            w.attrs["class"] = "form-select" if isinstance(w, forms.Select) else "form-control"

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or [] if name in self.cleaned_data}


def enterprise_form_class(user: Any, *, creating: bool) -> type[EnterpriseForm]:
    return forms.modelform_factory(Enterprise, form=EnterpriseForm, fields=enterprise_form_fields(user, creating=creating))  # type: ignore[return-value]
