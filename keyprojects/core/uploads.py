"""Documents people attach to a record (a commitment's 佐证材料, a brand application's 申报材料):
a PDF or an image, at most 10 MB, its type read from the file's first bytes (never from its name
or the browser's word for it), stored under a random name. One rule for every such upload."""

from __future__ import annotations

import uuid
from typing import Any

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
    return content_type


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
