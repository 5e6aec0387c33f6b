"""One error hierarchy with stable codes (architecture.md §5).

Services raise these; the API renders them as ``{"code", "message", "extra"}`` (``message`` in
Chinese, as written) and views show ``shown`` to the user: a message written as a source string of
the catalogue (marked with ``gettext_noop`` where it is written) in the active language, any other
as written. ``extra`` carries field-level messages for forms. A message with values (a status,
a date, a cap) is a :class:`Message`: the Chinese text filled in, which says itself again in the
active language.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop


class Message(str):
    """A message filled in from a source string of the catalogue: ``template`` (marked with
    ``gettext_noop`` where it is written, ``%(name)s`` values) with ``values``. As a ``str`` it is
    the Chinese text (what the API answers and the log keeps); :attr:`shown` says it in the active
    language. A value that is a lazy label (a choice's ``label``, ``gettext_lazy``) is said in
    each language; names, figures and dates stay as written."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        if values:
            with translation.override("zh-hans"):
                text = template % {k: str(v) for k, v in values.items()}
        else:
            text = template
        self = super().__new__(cls, text)
        self.template = template
        self.values = values
        return self

    @property
    def shown(self) -> str:
        words = gettext(self.template)
        return words % {k: str(v) for k, v in self.values.items()} if self.values else words


def shown(message: str) -> str:
    """``message`` (a service's refusal or a field's error) as users read it: a :class:`Message`
    said again, a source string of the catalogue in the active language, any other as written."""
    if isinstance(message, Message):
        return message.shown
    return gettext(message) if message else message


def listed(words: Any) -> Any:
    """``words`` (names as written, or lazy names said in each language) joined by the separator
    of the language a message is said in (、 in Chinese, ", " in English): a lazy text for a
    :class:`Message`'s values."""
    from django.utils.functional import lazy
    from django.utils.translation import pgettext

    names = list(words)  # said when the message is (a lazy name, as a row's ``display_name_lazy``, in its language)
    return lazy(lambda: pgettext("list separator", "、").join(str(w) for w in names), str)()


class ApplicationError(Exception):
    code = "error"
    status = 400
    default_message = gettext_noop("操作失败")

    def __init__(
        self, message: str | None = None, *, code: str | None = None, extra: dict[str, Any] | None = None, status: int | None = None
    ):
        self.message = message if isinstance(message, Message) else str(message or self.default_message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}
        super().__init__(self.message)

    @property
    def shown(self) -> str:
        """``message`` in the active language when it is a source string of the catalogue (in
        Chinese, or when it is not one: as written)."""
        return shown(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class ValidationFailed(ApplicationError):
    """Input does not pass validation; ``extra["fields"]`` maps field → list of messages."""

    code = "invalid"
    default_message = gettext_noop("输入有误，请检查标注的字段")

    @classmethod
    def from_django(cls, exc: Any) -> ValidationFailed:
        if hasattr(exc, "error_dict"):
            fields = {k: [_django_text(e) for e in v] for k, v in exc.error_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in getattr(exc, "messages", [str(exc)])]}
        codes = {e.code for errors in getattr(exc, "error_dict", {}).values() for e in errors}
        if codes and codes <= {"unique", "unique_together"}:
            return Duplicate(extra={"fields": fields})
        return cls(extra={"fields": fields})


def _django_text(error: Any) -> str:
    """One Django ``ValidationError``'s text (a :class:`Message` kept as it is)."""
    message = getattr(error, "message", None)
    if isinstance(message, Message) and not getattr(error, "params", None):
        return message
    return next(iter(error), "")


class Duplicate(ValidationFailed):
    """Only uniqueness failed (a USCC or 项目代码 already registered): a conflict with data that
    exists (409), not malformed input; ``extra.fields`` names the field."""

    code = "duplicate"
    status = 409
    default_message = gettext_noop("已存在相同的记录，请核对")


class ConflictError(ApplicationError):
    """Optimistic lock failure: somebody saved the object after this user loaded it."""

    code = "conflict"
    status = 409
    default_message = gettext_noop("已被他人修改，请核对后重新保存")


class NotFound(ApplicationError):
    """Missing or outside the user's scope (we never tell which)."""

    code = "not_found"
    status = 404
    default_message = gettext_noop("对象不存在或无权访问")


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = gettext_noop("没有执行该操作的权限")


class TransitionNotAllowed(ApplicationError):
    """The object's current state does not allow the step (409: the request itself is fine)."""

    code = "transition_not_allowed"
    status = 409
    default_message = gettext_noop("当前阶段不允许该操作")


class DatabaseBusy(ApplicationError):
    code = "busy"
    status = 503
    default_message = gettext_noop("系统繁忙，请稍后重试（您的输入未丢失）")
