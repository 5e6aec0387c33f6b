"""Admin for 双考核双评价 in the business configuration site (/config/): province business staff
configure schemes, administrators do not (issue 11) (every change is an audit
event with the old and new values, through ``services_assessment``); snapshots are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts.admin_site import config_site
from keyprojects.core.errors import Message, shown

from .models import AssessmentScheme, AssessmentSnapshot
from .rankings import INDICATORS
from .services_assessment import can_manage_schemes, scheme_delete, scheme_save


def _indicator_help() -> str:
    """How the ``indicators`` JSON is written, in the page's language (the indicators' labels too)."""
    listed = pgettext("punctuation", "、").join(
        gettext("%(key)s（%(label)s）") % {"key": k, "label": v.label} for k, v in INDICATORS.items()
    )
    return gettext(
        "JSON 列表，每项一个指标，例如："
        '[{"indicator": "completion_rate", "weight": 60, "rule": "linear", "floor": 0, "target": 50}, '
        '{"indicator": "on_time_rate", "weight": 40, "rule": "rank", "last_points": 60}]。'
        "rule=linear：达到 floor 及以下得0分、target 及以上得100分，之间线性（比率按百分数，序时进度按百分点）；"
        "rule=rank：第一名100分、末位 last_points 分，之间等差。可选指标：%(indicators)s"
    ) % {"indicators": listed}


INDICATOR_HELP = lazy(_indicator_help, str)()
REGION_HELP = _("省：考核各市（或省直部门）；市：考核各县（市、区）、市直部门或功能区")


class SchemeForm(forms.ModelForm):
    class Meta:
        model = AssessmentScheme
        fields = ["name", "unit_kind", "region", "indicators", "description", "is_active"]
        help_texts = {"indicators": INDICATOR_HELP, "region": REGION_HELP}
        widgets = {"indicators": forms.Textarea(attrs={"rows": 8, "cols": 100})}

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's own check refuses with a :class:`~keyprojects.core.errors.Message` (its
        Chinese text for the service and the API): said here in the page's language."""
        if hasattr(errors, "error_dict"):
            said = {
                name: [ValidationError(shown(e.message), code=e.code) if isinstance(e.message, Message) else e for e in found]
                for name, found in errors.error_dict.items()
            }
            errors = ValidationError(said)
        super()._update_errors(errors)


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    form = SchemeForm
    list_display = ("name", "unit_kind", "region", "is_active", "version", "updated_at")
    list_filter = ("unit_kind", "is_active")
    search_fields = ("name",)

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "region":
            from keyprojects.regions.models import Region

            kwargs["queryset"] = Region.objects.filter(level__in=["province", "city"]).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_schemes(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_schemes(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_schemes(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_schemes(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.snapshots.exists():
            return False  # results refer to it: deactivate instead
        return can_manage_schemes(request.user)

    def save_model(self, request: HttpRequest, obj: AssessmentScheme, form: Any, change: bool) -> None:
        scheme_save(user=request.user, scheme=obj, request=request)

    def delete_model(self, request: HttpRequest, obj: AssessmentScheme) -> None:
        scheme_delete(user=request.user, scheme=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AssessmentSnapshot)
class AssessmentSnapshotAdmin(admin.ModelAdmin):
    list_display = ("scheme", "period", "computed_at", "computed_by", "published_at", "digest")
    list_filter = ("scheme",)
    readonly_fields = ("scheme", "period", "result", "digest", "computed_at", "computed_by", "published_at", "published_by")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_schemes(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_schemes(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


config_site.register(AssessmentScheme, AssessmentSchemeAdmin)
config_site.register(AssessmentSnapshot, AssessmentSnapshotAdmin)
