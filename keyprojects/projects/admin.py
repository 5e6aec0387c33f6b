"""Admin for the project registry. Saves go through the services (validation, optimistic
version check, audit); stages move only on the project page; nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext

from keyprojects.core.errors import ApplicationError, shown

from .models import Project, ProjectEvent, ProjectYear, SponsorLeader
from .services import PROJECT_FIELDS, project_create, project_update


def application_error_text(exc: ApplicationError) -> str:
    """A refusal and its field errors as the page's language says them."""
    fields = exc.extra.get("fields") or {}
    details = "；".join(f"{name}：{'、'.join(shown(m) for m in msgs)}" for name, msgs in fields.items())
    return f"{exc.shown}（{details}）" if details else exc.shown


class ServiceAdminMixin:
    """Turn a service error raised while saving into a message instead of a 500; the admin's
    own transaction has already rolled everything back."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ApplicationError as exc:
            messages.error(request, gettext("未保存：%(reason)s") % {"reason": application_error_text(exc)})
            return HttpResponseRedirect(request.get_full_path())


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the page was loaded with, so a stale admin page cannot overwrite."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version


class ProjectYearInline(admin.TabularInline):
    model = ProjectYear
    extra = 0
    can_delete = False
    fields = ("year", "annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProjectEventInline(admin.TabularInline):
    model = ProjectEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_stage", "to_stage", "reason", "actor")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = VersionedAdminForm
    list_display = (
        "name",
        "project_code",
        "region",
        "owner",
        "category",
        "nature",
        "stage",
        "total_investment",
        "responsible_unit",
        "sponsor_leader",
        "in_statistics",
        "version",
        "updated_at",
    )
    list_filter = ("stage", "category", "nature", "in_statistics", "industry_section", "province_code", "city_code")
    search_fields = ("name", "project_code", "owner__name", "owner__uscc", "location")
    list_select_related = ("region", "owner", "responsible_unit", "sponsor_leader")
    raw_id_fields = ("owner", "region", "zone", "responsible_unit", "sponsor_leader")
    readonly_fields = (
        "stage",
        "stage_before_suspension",
        "version",
        "province_code",
        "city_code",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = (*PROJECT_FIELDS, "loaded_version", *readonly_fields)
    inlines = (ProjectYearInline, ProjectEventInline)
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).filter(pk__in=Project.objects.visible_to(request.user).values("pk"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in PROJECT_FIELDS if f in form.cleaned_data}
        if change:
            current = Project.objects.get(pk=obj.pk)
            loaded = form.cleaned_data.get("loaded_version")
            project_update(
                user=request.user,
                project=current,
                expected_version=current.version if loaded is None else loaded,
                data=data,
                request=request,
                reason="管理后台修改",  # (superusers only; audited like any update)
            )
            saved = current
        else:
            saved = project_create(user=request.user, data=data, request=request)
        obj.pk, obj.version, obj.stage = saved.pk, saved.version, saved.stage


@admin.register(SponsorLeader)
class SponsorLeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "region", "user")
    list_filter = ("region__city_code",)
    search_fields = ("name", "title")
    raw_id_fields = ("region", "user")
    readonly_fields = ("created_at", "updated_at")
