"""The 政企合作 settings (到期前提醒天数) in the business configuration site (/config/): province
business staff. Agreements, commitments and 一企一策 records are business data written only
through the services (audit, versions, four eyes), so they are not in any admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ConflictError
from keyprojects.core.models import save_versioned

from .models import PartnershipConfig

FIELDS = ["alert_days"]


class PartnershipConfigForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PartnershipConfig
        fields = FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alert_days"].max_value = 365
        self.fields["alert_days"].widget.attrs["max"] = 365
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version

    def clean_alert_days(self) -> int:
        value = self.cleaned_data["alert_days"]
        if value is None or not 0 <= value <= 365:
            raise forms.ValidationError(gettext("提醒天数应在0到365之间"))
        return int(value)


class PartnershipConfigAdmin(admin.ModelAdmin):
    form = PartnershipConfigForm
    list_display = ("__str__", "alert_days", "version", "updated_at")
    readonly_fields = ("version", "updated_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*FIELDS, "loaded_version"] if obj is not None else list(FIELDS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user) and not PartnershipConfig.objects.exists()  # one row

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": exc.shown})
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: PartnershipConfig, form: Any, change: bool) -> None:
        current = PartnershipConfig.objects.filter(pk=obj.pk).first() if obj.pk else None
        if current is None:
            obj.pk = 1
            obj.save()
            audit_record(
                action="config",
                user=request.user,
                request=request,
                obj=obj,
                changes={"alert_days": obj.alert_days},
                message="修改政企合作设置",
            )
            return
        old = {f: getattr(current, f) for f in FIELDS}
        loaded = form.cleaned_data.get("loaded_version")
        save_versioned(obj, expected_version=current.version if loaded is None else loaded, fields=FIELDS)
        audit_record(
            action="config",
            user=request.user,
            request=request,
            obj=obj,
            changes=diff(old, {f: getattr(obj, f) for f in FIELDS}),
            message="修改政企合作设置",
        )


config_site.register(PartnershipConfig, PartnershipConfigAdmin)
