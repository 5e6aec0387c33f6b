"""招商引资 configuration in the business configuration site (/config/): province business staff
keep the industry chains and their 链长, the stages' service checklists and stalled-lead days."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record
from keyprojects.core.localized_admin import LocalizedTitleAdmin

from .models import IndustryChain, ServiceItem, StageStandard


class _ConfigAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_configure_attraction(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_configure_attraction(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_configure_attraction(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_configure_attraction(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # leads refer to them: deactivate instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {f: str(form.cleaned_data.get(f)) for f in form.changed_data}
        audit_record(action=f"attraction.{type(obj).__name__.lower()}_save", request=request, obj=obj, changes=changes)


class IndustryChainAdmin(LocalizedTitleAdmin, _ConfigAdmin):
    list_display = ("order", "name", "name_en", "chain_leader", "is_active")
    list_display_links = ("name",)
    search_fields = ("name", "name_en")
    fields = ("name", "name_en", "chain_leader", "description", "order", "is_active")
    raw_id_fields = ("chain_leader",)


class StageStandardAdmin(_ConfigAdmin):
    list_display = ("stage", "stall_days", "description")
    fields = ("stage", "stall_days", "description")


class ServiceItemAdmin(LocalizedTitleAdmin, _ConfigAdmin):
    list_display = ("stage", "order", "name", "name_en", "required", "is_active")
    list_display_links = ("name",)
    list_filter = ("stage", "required", "is_active")
    search_fields = ("name", "name_en")
    fields = ("stage", "name", "name_en", "required", "order", "is_active")

    def shown_name(self, obj: ServiceItem) -> str:
        return f"{obj.get_stage_display()} · {obj.display_name}"


for model, model_admin in ((IndustryChain, IndustryChainAdmin), (StageStandard, StageStandardAdmin), (ServiceItem, ServiceItemAdmin)):
    admin.site.register(model, model_admin)
    config_site.register(model, model_admin)
