"""Catalogue rows in the business configuration site (/config/) named in the page's language.

The pages of a 诉求类别, 审批事项, 产业链 or 阶段服务事项 (and of a 分办规则, which names its
category) title the row, its breadcrumb and its history with the row's English name in the English
UI (:mod:`keyprojects.core.localized`; the Chinese where it has none), and a choice or a list
filter of catalogue rows is labelled the same way. The row's own ``name`` column and field stay the
stored Chinese: that is the data being edited, beside its ``name_en``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Field, ForeignKey
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from .localized import LocalizedModelChoiceField, label_of

#: Django's own message (its catalogue says it in the page's language).
HISTORY_TITLE = "Change history: %s"


class _Named:
    """A row's key and the name a page gives it (what Django's list checkbox reads of a row)."""

    def __init__(self, pk: Any, name: str) -> None:
        self.pk, self.name = pk, name

    def __str__(self) -> str:
        return self.name


class LocalizedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a catalogue row, its choices labelled in the page's language."""

    def field_choices(self, field: Field[Any, Any], request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[Any, str]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        rows = field.related_model._default_manager.complex_filter(field.get_limit_choices_to())  # type: ignore[union-attr]
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, label_of(row)) for row in rows]


class LocalizedTitleAdmin(admin.ModelAdmin):
    """Titles a row's change form and history with :meth:`shown_name`; its foreign keys to
    catalogue rows (``localized_foreign_keys``) are chosen by their names in the page's language."""

    change_form_template = "admin/localized_change_form.html"
    object_history_template = "admin/localized_object_history.html"
    localized_foreign_keys: tuple[str, ...] = ()

    def shown_name(self, obj: Any) -> str:
        return label_of(obj)

    def action_checkbox(self, obj: Any) -> str:
        """The list's checkbox, its label naming the row as the page does."""
        return super().action_checkbox(_Named(obj.pk, self.shown_name(obj)))

    def _shown(self, request: HttpRequest, object_id: str | None) -> str | None:
        obj = self.get_object(request, unquote(object_id)) if object_id is not None else None
        return self.shown_name(obj) if obj is not None else None

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        shown = self._shown(request, object_id)
        if shown is not None:
            extra_context = {"subtitle": shown, "shown_name": shown, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        shown = self._shown(request, object_id)
        if shown is not None:
            extra_context = {"title": gettext(HISTORY_TITLE) % shown, "shown_name": shown, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.localized_foreign_keys:
            kwargs.setdefault("form_class", LocalizedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
