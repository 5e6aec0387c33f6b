"""Configured vocabulary shown in the active language.

Catalogue rows — 诉求类别, 审批事项 and their 责任部门, 产业链, 阶段服务事项 — are data that
administrators (under /config/) or seeds create, not source strings of the translation catalogue.
Each keeps its Chinese name (what is stored elsewhere, audited, exported and answered by the API,
and what ``__str__`` says) and an optional English one beside it (``name_en``; blank: the Chinese
is shown). What a page shows is asked here, once:

* a model: :class:`LocalizedName` gives ``display_name`` (and :func:`localized` any other
  ``<field>``/``<field>_en`` pair, as an item's 责任部门);
* rows read with ``values()``: :func:`in_language` on the two columns;
* a form's or a filter's choices: :class:`LocalizedModelChoiceField`,
  :class:`LocalizedModelMultipleChoiceField`, :class:`LocalizedModelChoiceFilter`;
* a refusal's value (:class:`~keyprojects.core.errors.Message`): ``display_name_lazy``, said in
  the language the message is read in;
* a name a stored Chinese text quotes (a warning's message: ``core.sentences``): a slot whose
  ``show`` is :func:`said_again`, from one cached map of the catalogue's Chinese names to their
  English (:func:`english_names`: no query per row).

Spreadsheets are written in Chinese whatever the UI's language (:func:`core.xlsx.in_chinese`), so
``display_name`` says the Chinese there by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: The language whose UI shows the ``*_en`` names.
ENGLISH = "en"

ENGLISH_HELP = _("英文界面显示的名称；留空时显示中文名称")


def english_active() -> bool:
    """Whether the active language is English (``en``, ``en-gb`` …); Chinese otherwise and with
    translations deactivated."""
    language = get_language() or ""
    return language == ENGLISH or language.startswith(ENGLISH + "-")


def in_language(zh: str, en: str | None) -> str:
    """The name to show: ``en`` in an English UI when there is one, else ``zh``."""
    if en and english_active():
        return en
    return zh


def localized(obj: Any, field: str = "name") -> str:
    """``obj.<field>`` in the active language (its ``<field>_en`` when English is active and set)."""
    return in_language(getattr(obj, field) or "", getattr(obj, f"{field}_en", ""))


def english_field(verbose_name: Any, *, max_length: int, help_text: Any = ENGLISH_HELP) -> models.CharField:
    """The optional English beside a catalogue row's Chinese name (blank: the Chinese is shown)."""
    return models.CharField(verbose_name, max_length=max_length, blank=True, default="", help_text=help_text)


#: How long a process keeps a catalogue's map of Chinese names to English (the /config/ pages
#: forget it at once when they save a row: :func:`forget_english_names`).
ENGLISH_NAMES_SECONDS = 300


def _names_key(model: str, field: str) -> str:
    return f"localized:{model.lower()}:{field}"


def english_names(model: str, field: str = "name") -> dict[str, str]:
    """``model``'s (``"app.Model"``) rows: their Chinese ``field`` → its English (rows with one),
    read once and kept in the cache."""
    key = _names_key(model, field)
    found: dict[str, str] | None = cache.get(key)
    if found is None:
        rows = apps.get_model(model)._default_manager.exclude(**{f"{field}_en": ""}).values_list(field, f"{field}_en")
        found = dict(rows.order_by())
        cache.set(key, found, ENGLISH_NAMES_SECONDS)
    return found


def forget_english_names(model: str, fields: tuple[str, ...] = ("name",)) -> None:
    """Drop the cached maps of ``model`` (after its rows changed)."""
    cache.delete_many([_names_key(model, f) for f in fields])


def said_again(model: str, field: str = "name") -> Callable[[str], str]:
    """A stored Chinese name of ``model``'s catalogue said in the active language (a name no row
    has, as a unit's, stays as written): the ``show`` of a sentence's slot."""

    def show(text: str) -> str:
        return in_language(text, english_names(model, field).get(text)) if english_active() else text

    return show


class LocalizedName:
    """A catalogue model with a Chinese ``name`` and an optional English ``name_en``."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        """The name in the active language (the Chinese when no English is set)."""
        return localized(self, "name")

    @property
    def display_name_lazy(self) -> Any:
        """:attr:`display_name` as a lazy text, said in the language it is read in (a value of a
        :class:`~keyprojects.core.errors.Message`: Chinese in the API, the page's on a page)."""
        return lazy(lambda: self.display_name, str)()


def label_of(obj: Any) -> str:
    """A choice's label: the row's name in the active language."""
    name = getattr(obj, "display_name", None)
    return str(name) if name is not None else str(obj)


class LocalizedModelChoiceField(forms.ModelChoiceField):
    """A choice of catalogue rows labelled in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        return label_of(obj)


class LocalizedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several catalogue rows, labelled in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        return label_of(obj)


class LocalizedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A list filter on a catalogue row, its choices labelled in the active language."""

    field_class = LocalizedModelChoiceField
