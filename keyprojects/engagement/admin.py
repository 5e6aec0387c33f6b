"""诉求类别 and 分办规则 in the business configuration site (/config/): province business staff
keep the categories, their resolve limits and which units each region sends them to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record
from keyprojects.core.localized import label_of
from keyprojects.core.localized_admin import LocalizedRelatedFilter, LocalizedTitleAdmin

from .models import RequestCategory, RoutingRule


class _ConfigAdmin(admin.ModelAdmin):
    audit_action = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {f: str(form.cleaned_data.get(f)) for f in form.changed_data}
        audit_record(action=self.audit_action, request=request, obj=obj, changes=changes)


class RequestCategoryAdmin(LocalizedTitleAdmin, _ConfigAdmin):
    audit_action = "request_category.save"
    list_display = ("order", "name", "name_en", "code", "resolve_limit_days", "is_active")
    list_display_links = ("name",)
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")
    fields = ("code", "name", "name_en", "description", "resolve_limit_days", "order", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # requests refer to categories: deactivate instead


class RoutingRuleAdmin(LocalizedTitleAdmin, _ConfigAdmin):
    audit_action = "routing_rule.save"
    list_display = ("category_name", "region", "unit")
    list_filter = (("category", LocalizedRelatedFilter),)
    list_select_related = ("category", "region", "unit")
    localized_foreign_keys = ("category",)
    search_fields = ("unit__name", "region__name")
    raw_id_fields = ("region", "unit")

    @admin.display(description=RoutingRule._meta.get_field("category").verbose_name, ordering="category")
    def category_name(self, obj: RoutingRule) -> str:
        return label_of(obj.category)

    def shown_name(self, obj: RoutingRule) -> str:
        return f"{label_of(obj.category)} · {obj.region} → {obj.unit}"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_manage_config(request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(action="routing_rule.delete", request=request, obj=obj)
        super().delete_model(request, obj)


admin.site.register(RequestCategory, RequestCategoryAdmin)
config_site.register(RequestCategory, RequestCategoryAdmin)
admin.site.register(RoutingRule, RoutingRuleAdmin)
config_site.register(RoutingRule, RoutingRuleAdmin)
