"""Admin for the import header synonyms (导入表头同义词): the system administrator adds, changes
and deletes them; other staff may read them (三权分立). Every change is an audit event with the
old and new values (reliability.md 21)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from keyprojects.accounts import policy
from keyprojects.accounts.admin_site import config_site
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.localized_admin import LocalizedTitleAdmin

from .models import HeaderSynonym
from .synonyms import build_table, header_info, lookup

FIELDS = ["header", "field", "note"]


def _may_change(request: HttpRequest) -> bool:
    """Business configuration: province staff (accounts.policy), never an administrator."""
    return policy.can_manage_config(request.user)


@admin.register(HeaderSynonym)
class HeaderSynonymAdmin(LocalizedTitleAdmin):
    list_display = ("header", "field", "builtin", "note", "updated_at")
    list_filter = ("field",)
    search_fields = ("header", "note")
    fields = (*FIELDS, "builtin")
    readonly_fields = ("builtin",)

    def shown_name(self, obj: HeaderSynonym) -> str:
        """The header as written → its field in the page's language (``__str__`` stays Chinese)."""
        return f"{obj.header} → {obj.get_field_display()}"

    @admin.display(description=gettext_lazy("内置识别结果"))
    def builtin(self, obj: HeaderSynonym) -> str:
        """What the built-in table alone makes of this header (so the administrator sees
        whether the synonym adds something or overrides)."""
        if not obj or not obj.header:
            return "—"
        found = lookup(header_info(obj.header), build_table())
        return found or gettext("（不识别）")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_change(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change(request)

    def save_model(self, request: HttpRequest, obj: HeaderSynonym, form: Any, change: bool) -> None:
        old = dict(HeaderSynonym.objects.filter(pk=obj.pk).values(*FIELDS).first() or {}) if change else {}
        super().save_model(request, obj, form, change)
        new = {f: getattr(obj, f) for f in FIELDS}
        message = "修改导入表头同义词" if change else "新增导入表头同义词"
        audit_record(action="config", user=request.user, request=request, obj=obj, changes=diff(old, new), message=message)

    def delete_model(self, request: HttpRequest, obj: HeaderSynonym) -> None:
        gone = {f: [getattr(obj, f), None] for f in FIELDS}
        audit_record(action="config", user=request.user, request=request, obj=obj, changes=gone, message="删除导入表头同义词")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


config_site.register(HeaderSynonym, HeaderSynonymAdmin)
