"""Putting a service's errors on a Django form (one copy for every app's views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keyprojects.core.errors import ApplicationError, ValidationFailed


def apply_errors(form: Any, exc: ValidationFailed) -> None:
    """Each field error of ``exc`` on its field (unknown fields: on the form); none: its message."""
    fields = exc.extra.get("fields") or {}
    for name, errs in fields.items():
        for e in errs:
            form.add_error(name if name in form.fields else None, e)
    if not fields:
        form.add_error(None, exc.message)


def submit(form: Any, call: Callable[[], Any], *, refused: Callable[[str], None] | None = None) -> bool:
    """Run the service ``call``; its refusal goes onto ``form`` (False), else True. A refusal
    other than invalid input goes to ``refused`` instead when given (e.g. a flash message)."""
    try:
        call()
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        if refused is None:
            form.add_error(None, exc.message)
        else:
            refused(exc.message)
    else:
        return True
    return False
