"""Admin for the dispatch settings (调度设置), in the business configuration site (/config/):
province business staff change them; administrators do not (三权分立, issue 11). A change is saved with the optimistic version check and
written to the audit log as old → new values (reliability.md 21)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ConflictError
from keyprojects.core.models import save_versioned

from .models import DispatchConfig

CONFIG_FIELDS = [
    "fill_start_day",
    "fill_end_day",
    "behind_points",
    "progress_index_floor",
    "zero_months",
    "slip_factor",
    "review_chain",
    "plan_spread",
]
LEVELS = ("county", "city", "province")


def _may_change(request: HttpRequest) -> bool:
    return policy.can_manage_config(request.user)


class DispatchConfigForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DispatchConfig
        fields = CONFIG_FIELDS

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "loaded_version" in self.fields:
            self.fields["loaded_version"].initial = self.instance.version

    def clean_review_chain(self) -> Any:
        chain = self.cleaned_data.get("review_chain")
        if not isinstance(chain, dict) or not chain:
            raise forms.ValidationError(_("审核链须为按清单级别（county/city/province）列出审核层级的对象"))
        for level, steps in chain.items():
            if level not in LEVELS or not isinstance(steps, list) or not steps or any(s not in LEVELS for s in steps):
                raise forms.ValidationError(_("审核链“%(level)s”无效：层级只能是 county、city、province，且至少一级") % {"level": level})
        return chain

    def clean_plan_spread(self) -> Any:
        spread = self.cleaned_data.get("plan_spread")
        try:
            weights = [Decimal(str(w)) for w in spread]  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - anything that is not a list of numbers
            raise forms.ValidationError(_("分月权重须为12个数字")) from None
        if len(weights) != 12 or any(w < 0 for w in weights) or sum(weights) == 0:
            raise forms.ValidationError(_("分月权重须为12个非负数字，且不能全为0"))
        return spread


@admin.register(DispatchConfig)
class DispatchConfigAdmin(admin.ModelAdmin):
    form = DispatchConfigForm
    list_display = ("__str__", "fill_start_day", "fill_end_day", "behind_points", "zero_months", "version", "updated_at")
    readonly_fields = ("version", "updated_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        extra = ["loaded_version"] if _may_change(request) else []
        return [*CONFIG_FIELDS, *extra, "version", "updated_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_change(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row (pk=1), created on first use

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        DispatchConfig.get()  # the one row always exists, so the list links to it
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc.shown})
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: DispatchConfig, form: Any, change: bool) -> None:
        current = DispatchConfig.objects.get(pk=obj.pk)
        old = {f: getattr(current, f) for f in CONFIG_FIELDS}
        new = {f: getattr(obj, f) for f in CONFIG_FIELDS}
        loaded = form.cleaned_data.get("loaded_version")
        save_versioned(obj, expected_version=current.version if loaded is None else loaded, fields=CONFIG_FIELDS)
        audit_record(action="config", user=request.user, request=request, obj=obj, changes=diff(old, new), message="修改调度设置")


config_site.register(DispatchConfig, DispatchConfigAdmin)
