"""Admin for enterprises. Saves go through enterprises.services (USCC check, version, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from keyprojects.projects.admin import ServiceAdminMixin, VersionedAdminForm

from .models import Enterprise, EnterpriseContact
from .services import ENTERPRISE_FIELDS, enterprise_create, enterprise_update


class EnterpriseContactInline(admin.TabularInline):
    model = EnterpriseContact
    extra = 0
    can_delete = False
    fields = ("name", "title", "phone", "email")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = VersionedAdminForm
    list_display = ("name", "uscc", "region", "industry_section", "legal_representative", "version", "updated_at")
    list_filter = ("industry_section", "region__city_code")
    search_fields = ("name", "uscc")
    list_select_related = ("region",)
    raw_id_fields = ("region",)
    readonly_fields = ("version", "created_at", "updated_at")
    fields = (*ENTERPRISE_FIELDS, "loaded_version", *readonly_fields)
    inlines = (EnterpriseContactInline,)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enterprise]:
        return super().get_queryset(request).filter(pk__in=Enterprise.objects.visible_to(request.user).values("pk"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in ENTERPRISE_FIELDS if f in form.cleaned_data}
        if change:
            current = Enterprise.objects.get(pk=obj.pk)
            loaded = form.cleaned_data.get("loaded_version")
            enterprise_update(
                user=request.user,
                enterprise=current,
                data=data,
                request=request,
                expected_version=current.version if loaded is None else loaded,
            )
            saved = current
        else:
            saved = enterprise_create(user=request.user, data=data, request=request)
        obj.pk, obj.version = saved.pk, saved.version
