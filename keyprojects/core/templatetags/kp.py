"""Template filters available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A user's display name: full name, else username; "系统" when there is none (imports,
    demo data, commands)."""
    if user is None:
        return _("系统")
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or _("系统")
