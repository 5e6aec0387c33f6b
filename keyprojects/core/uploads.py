"""Documents people attach to a record (a commitment's 佐证材料, a brand application's 申报材料):
a PDF or an image, at most 10 MB, its type read from the file's first bytes (never from its name
or the browser's word for it), stored under a random name. One rule for every such upload.

A stored file lives exactly as long as the transaction that stored it: if that transaction
(or the savepoint around the store) rolls back, for whatever reason and however late, the file
is deleted again (:func:`kept_if_committed`), so a failed save never leaves a file behind."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext_lazy, gettext_noop

from .errors import Message, ValidationFailed

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_document(head: bytes) -> str | None:
    """The content type of a document from its first bytes (one of :data:`DOCUMENT_TYPES`), or None."""
    from keyprojects.dispatch.services import sniff_image_type

    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return sniff_image_type(head)


def store_document(file_field: Any, upload: Any, *, field: str, label: str) -> str:
    """Check ``upload`` and save it into ``file_field`` (a FieldFile, not saving its instance);
    its content type. A refusal names ``field`` and says ``label`` (a source string of the
    catalogue, e.g. 佐证材料: said in the page's language)."""

    def refuse(template: str, **values: Any) -> ValidationFailed:
        return ValidationFailed(extra={"fields": {field: [Message(template, label=gettext_lazy(label), **values)]}})

    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise refuse(gettext_noop("%(label)s为空文件"))
    if size > DOCUMENT_MAX_BYTES:
        raise refuse(gettext_noop("%(label)s不能超过%(mb)sMB"), mb=DOCUMENT_MAX_BYTES // 1024 // 1024)
    upload.seek(0)
    content_type = sniff_document(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise refuse(gettext_noop("%(label)s只能是PDF、JPEG、PNG或WebP文件"))
    file_field.save(f"{uuid.uuid4().hex}.{DOCUMENT_TYPES[content_type]}", upload, save=False)
    kept_if_committed(file_field.storage, file_field.name)
    return content_type


class _KeptIfCommitted:
    """The on-commit callback of a stored file. Django runs it when the transaction commits (at
    once outside a transaction) and drops it unrun when the transaction or the savepoint it was
    registered in rolls back; dropped unrun, it deletes the file."""

    __slots__ = ("kept", "name", "storage")

    def __init__(self, storage: Any, name: str) -> None:
        self.storage, self.name, self.kept = storage, name, False

    def __call__(self) -> None:
        self.kept = True

    def __del__(self) -> None:
        if not self.kept:
            with contextlib.suppress(Exception):  # a finaliser must not raise (the file is only left over)
                self.storage.delete(self.name)


def kept_if_committed(storage: Any, name: str | None) -> None:
    """Delete the file ``name`` just saved in ``storage`` again unless the current transaction
    commits: one rule for every file stored beside a row (documents, site photos)."""
    if name:
        transaction.on_commit(_KeptIfCommitted(storage, name))


def delete_when_committed(storage: Any, name: str | None) -> None:
    """Delete the file ``name`` once the current transaction commits (a row that no longer
    refers to it: deleted, or given another file); a rollback keeps it."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def document_response(stored: Any, content_type: str, *, filename: str = "") -> FileResponse:
    """A stored document (a FieldFile saved by :func:`store_document`) for a user the caller has
    already let see it: shown in the browser when its type is known, else downloaded, under
    ``filename`` (the name it was uploaded with) when the record keeps one, else its stored name;
    never sniffed again by the browser, cached by the user's browser only."""
    response = FileResponse(
        stored.open("rb"), content_type=content_type or "application/octet-stream", as_attachment=not content_type, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    return response
