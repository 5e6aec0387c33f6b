"""Putting a service's errors on a Django form (one copy for every app's views), and decimals in
edit inputs as a person types them (:func:`plain_decimal`, :func:`plain_decimal_inputs`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext

from keyprojects.core.errors import ApplicationError, ValidationFailed, shown

#: A form posted without the version its page was rendered with (a stale or hand-made form).
VERSION_MISSING = gettext_lazy("缺少版本号，请刷新页面后重试")


def version_field(*, required: bool = True) -> forms.IntegerField:
    """The hidden ``version`` an edit form sends back for the optimistic lock (ADR 0006); one
    missing or garbled is refused with :data:`VERSION_MISSING`, never guessed."""
    msg = {"required": VERSION_MISSING, "invalid": VERSION_MISSING}
    return forms.IntegerField(widget=forms.HiddenInput, required=required, error_messages=msg)


#: What an amount field says to a negative figure — plainly, instead of Django's generic
#: "确保该值大于或等于0。" (the projects' forms say 总投资/年度计划投资不能为负数 the same way).
NEGATIVE_AMOUNT = gettext_lazy("金额不能为负数")


def amount_field(label: Any, *, negative: Any = NEGATIVE_AMOUNT, **kwargs: Any) -> forms.DecimalField:
    """A form field for an amount (万元, ≥ 0 unless ``min_value`` says otherwise) whose refusal of
    a figure below the minimum is ``negative`` (default :data:`NEGATIVE_AMOUNT`)."""
    kwargs.setdefault("min_value", Decimal(0))
    error_messages = {"min_value": negative, **kwargs.pop("error_messages", {})}
    return forms.DecimalField(label=label, error_messages=error_messages, **kwargs)


def plain_decimal(value: Any) -> str:
    """A stored Decimal as the user would type it: 120.5000 → "120.5", 10.0000 → "10", None → ""."""
    if value is None or value == "":
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class PlainDecimalInput(forms.NumberInput):
    """A number input that shows a stored Decimal without its padding places (:func:`plain_decimal`:
    ``10``, ``10.5``, never ``10.0000``); what the user typed is shown back as typed."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return plain_decimal(value)
        return super().format_value(value)  # type: ignore[no-any-return]


def plain_decimal_inputs(form: forms.BaseForm) -> None:
    """Every decimal field of ``form`` drawn as a :class:`PlainDecimalInput` (its attributes —
    the CSS class, ``step``, ``min`` — kept): a form's initial 12000.0000 shows as 12000."""
    for field in form.fields.values():
        _plain_widget(field)


def _plain_widget(field: forms.Field) -> None:
    if isinstance(field, forms.DecimalField) and type(field.widget) is forms.NumberInput:
        old = field.widget
        field.widget = PlainDecimalInput(attrs=old.attrs)
        field.widget.is_localized = old.is_localized
        field.widget.is_required = old.is_required


class PlainDecimals:
    """Mixin for a form (put it first among the bases): every decimal input, the fields added in
    ``__init__`` included, shows its value as a person types it (:class:`PlainDecimalInput`), from
    the moment the field is first drawn or read. Every form with an amount uses it (a test walks
    them)."""

    fields: dict[str, forms.Field]

    def __getitem__(self, name: str) -> Any:
        field = self.fields.get(name)
        if field is not None:
            _plain_widget(field)
        return super().__getitem__(name)  # type: ignore[misc]


class VersionedForm(forms.Form):
    """A form with a hidden :func:`version_field`: its error (hidden, so never drawn at the
    field) is repeated as a form error, which the pages show above the fields. Mix it in first
    (``class LeadForm(VersionedForm, forms.ModelForm)``)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "version" in self.errors and VERSION_MISSING not in self.non_field_errors():
            self.add_error(None, VERSION_MISSING)
        return data


def apply_errors(form: Any, exc: ValidationFailed) -> None:
    """Each field error of ``exc`` on its field (unknown fields: on the form); none: its message.
    In the active language where a message is a source string of the catalogue."""
    fields = exc.extra.get("fields") or {}
    for name, errs in fields.items():
        for e in errs:
            form.add_error(name if name in form.fields else None, shown(e))
    if not fields:
        form.add_error(None, exc.shown)


_SENTENCE_END = "。．.！!"


def errors_text(form: Any) -> str:
    """A form's errors as one line for a flash message (a form shown on a page that redirects):
    each field's messages after its label, fields apart — "延期天数（工作日）：确保该值大于或等于1；
    延期理由：这个字段是必填项" — never a bare "。；" between two messages. Form-wide errors come
    first, without a label."""
    # Translators: between two errors of a form on one line
    sep = pgettext("errors on one line", "；")
    general: list[str] = []
    parts: list[str] = []
    for name, errs in form.errors.items():
        text = sep.join(str(e).rstrip(_SENTENCE_END) for e in errs)
        field = form.fields.get(name)
        if field is None or field.widget.is_hidden:
            general.append(text)
        else:
            # Translators: a form field's label and its error, on one line with the others
            parts.append(pgettext("field error", "%(label)s：%(message)s") % {"label": field.label, "message": text})
    return sep.join(general + parts)


def submit(form: Any, call: Callable[[], Any], *, refused: Callable[[str], None] | None = None) -> bool:
    """Run the service ``call``; its refusal goes onto ``form`` (False), else True. A refusal
    other than invalid input goes to ``refused`` instead when given (e.g. a flash message)."""
    try:
        call()
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        if refused is None:
            form.add_error(None, exc.shown)
        else:
            refused(exc.shown)
    else:
        return True
    return False
