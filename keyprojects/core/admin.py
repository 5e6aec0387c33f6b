"""The working-day calendar's overrides in the business configuration site (/config/): province
business staff record holidays and make-up working days of years the official package does not
know (every change an audit event, through ``services_calendar``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site

from .models import CalendarOverride
from .services_calendar import calendar_override_delete, calendar_override_set


class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "name", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("day", "kind", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("day",) if obj is not None else ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_edit_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_edit_calendar(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_edit_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_edit_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_edit_calendar(request.user)

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        saved = calendar_override_set(user=request.user, day=obj.day, kind=obj.kind, name=obj.name, request=request)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(user=request.user, day=obj.day, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


admin.site.register(CalendarOverride, CalendarOverrideAdmin)
config_site.register(CalendarOverride, CalendarOverrideAdmin)
