"""The 审批事项 catalogue in the business configuration site (/config/): province business staff
keep the items, their responsible departments and legal time limits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record
from keyprojects.core.localized import forget_english_names
from keyprojects.core.localized_admin import LocalizedTitleAdmin

from .models import ApprovalItem


class ApprovalItemAdmin(LocalizedTitleAdmin):
    list_display = ("order", "name", "name_en", "department_name", "department_unit", "legal_limit_days", "is_active")
    list_display_links = ("name",)
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "department_name", "department_name_en")
    fields = (
        "code", "name", "name_en", "department_name", "department_name_en", "department_unit", "legal_limit_days", "order", "is_active",
    )  # fmt: skip
    raw_id_fields = ("department_unit",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # projects refer to items: deactivate instead

    def save_model(self, request: HttpRequest, obj: ApprovalItem, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_english_names("approvals.ApprovalItem", ("name", "department_name"))  # the warnings say them again
        changes = {f: str(form.cleaned_data.get(f)) for f in form.changed_data}
        audit_record(action="approval.catalogue_save", request=request, obj=obj, changes=changes)


admin.site.register(ApprovalItem, ApprovalItemAdmin)
config_site.register(ApprovalItem, ApprovalItemAdmin)
