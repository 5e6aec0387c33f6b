"""月调度 site photos of a report: attach (JPEG/PNG/WebP by content, at most 5 MB) and remove,
while the report can still be edited. Same rules of scope, frozen months and audit as the other
dispatch services (``services``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import Message, NotFound, ValidationFailed
from keyprojects.core.uploads import delete_when_committed, kept_if_committed

from .models import MonthlyReport, ReportPhoto
from .services import NotEditable, PeriodClosed, _can_fill, is_frozen

# --- photos --------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PER_REPORT = 20
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or the browser's claim)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def report_photo_add(*, user: Any, report: MonthlyReport, file: Any, caption: str = "", request: Any = None) -> ReportPhoto:
    """Attach a site photo (JPEG/PNG/WebP by content, at most 5 MB) to an editable report."""
    import uuid

    report = MonthlyReport.objects.select_related("project", "period").get(pk=report.pk)
    if not _can_fill(user, report.project):
        raise NotFound()
    if is_frozen(project=report.project, period=report.period):
        raise PeriodClosed()
    if not report.is_editable:
        raise NotEditable()
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ValidationFailed(extra={"fields": {"caption": [gettext_noop("照片说明不能超过100字")]}})
    size = int(getattr(file, "size", 0) or 0)
    if size <= 0:
        raise ValidationFailed(extra={"fields": {"image": [gettext_noop("请选择要上传的照片")]}})
    if size > PHOTO_MAX_BYTES:
        raise ValidationFailed(extra={"fields": {"image": [gettext_noop("照片不能超过5MB")]}})
    file.seek(0)
    content_type = sniff_image_type(file.read(16))
    file.seek(0)
    if content_type is None:
        raise ValidationFailed(extra={"fields": {"image": [gettext_noop("只能上传JPEG、PNG或WebP格式的照片")]}})
    if ReportPhoto.objects.filter(report=report).count() >= PHOTO_MAX_PER_REPORT:
        raise ValidationFailed(extra={"fields": {"image": [Message(gettext_noop("每份月报最多上传%(n)s张照片"), n=PHOTO_MAX_PER_REPORT)]}})
    photo = ReportPhoto(report=report, content_type=content_type, size=size, caption=caption, uploaded_by=user)
    photo.image.save(f"{uuid.uuid4().hex}.{PHOTO_EXTENSIONS[content_type]}", file, save=False)
    kept_if_committed(photo.image.storage, photo.image.name)  # a rollback takes the file with the row
    photo.save()
    audit_record(
        action="create",
        user=user,
        request=request,
        obj=photo,
        changes={"report": [None, report.pk], "content_type": [None, content_type], "size": [None, size], "caption": [None, caption]},
    )
    return photo


@transaction.atomic
def report_photo_delete(*, user: Any, photo: ReportPhoto, request: Any = None) -> None:
    """Remove a site photo from a report that can still be edited (draft or returned, period
    open), by whoever may fill it. The row goes with the transaction; the file once it commits
    (a rollback keeps both)."""
    found = ReportPhoto.objects.select_related("report__project", "report__period").filter(pk=photo.pk).first()
    if found is None:
        raise NotFound()
    photo, report = found, found.report
    if not _can_fill(user, report.project):
        raise NotFound()
    if is_frozen(project=report.project, period=report.period):
        raise PeriodClosed()
    if not report.is_editable:
        raise NotEditable()
    storage, name = photo.image.storage, photo.image.name
    audit_record(
        action="delete",
        user=user,
        request=request,
        obj=photo,
        changes={
            "report": [report.pk, None],
            "content_type": [photo.content_type, None],
            "size": [photo.size, None],
            "caption": [photo.caption, None],
        },
    )
    photo.delete()
    delete_when_committed(storage, name)
