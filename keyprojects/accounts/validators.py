"""Password rules from 等保 practice (reliability.md 16)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator:
    """Django's rule with a Chinese message (Django 5.2's zh_Hans catalogue misses this msgid)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少需要%(n)d个字符"),
                code="password_too_short",
                params={"n": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("密码至少%(n)d个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类"), code="password_classes", params={"n": self.min_classes}
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """A new password may not repeat one of the last ``history`` passwords."""

    def __init__(self, history: int = 5):
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        recent = user.password_history.all()[: self.history]
        if any(check_password(password, h.password) for h in recent) or (user.password and check_password(password, user.password)):
            raise ValidationError(_("不能使用最近%(n)d次用过的密码"), code="password_reused", params={"n": self.history})

    def get_help_text(self) -> str:
        return _("不能与最近%(n)d次的密码相同。") % {"n": self.history}
