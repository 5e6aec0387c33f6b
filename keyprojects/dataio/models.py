"""Import batches: one row per uploaded (or command-line) spreadsheet, with what it would do or did.

A web upload is parsed and validated into a *preview* batch that keeps the file's bytes until
the user confirms (or the preview expires); a large upload is first stored as a *pending* batch
whose preview runs in the background (``services_jobs``) and then becomes that preview batch;
the confirmed import re-runs everything from those bytes inside one transaction and marks the
batch *imported*. A file whose SHA-256 was imported once is refused the second time (a partial unique index: one imported batch per hash).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.core.models import TimeStampedModel
from keyprojects.core.scope import NOTHING, ScopedQuerySet


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("校验中")  # a large upload stored as it arrived, its preview running as a job
    PREVIEW = "preview", _("待确认")  # parsed and validated without errors; waiting for "确认导入"
    IMPORTED = "imported", _("已导入")  # written in one transaction (terminal)
    FAILED = "failed", _("未通过")  # errors found (in the preview or at confirmation); nothing written


class ImportSource(models.TextChoices):
    WEB = "web", _("网页上传")  # uploaded on /dataio/
    CLI = "cli", _("命令行")  # manage.py import_projects


class ImportBatchQuerySet(ScopedQuerySet):
    """A batch is seen by the person who uploaded it (and the superuser)."""

    def _visible_q(self, user: Any) -> Q:
        return Q(uploaded_by=user) if user.pk else NOTHING


class ImportBatch(TimeStampedModel):
    sha256 = models.CharField(_("文件SHA-256"), max_length=64, db_index=True)
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    # The upload kept between preview and confirmation; emptied once imported, failed or expired.
    content = models.BinaryField(_("文件内容"), null=True, blank=True, editable=False)
    source = models.CharField(_("来源"), max_length=8, choices=ImportSource.choices, default=ImportSource.WEB)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("默认区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("未注明所属区域的行使用此区域"),
    )
    # the period asked for (--period, the upload form); re-used as is when a preview is confirmed
    period_year = models.PositiveSmallIntegerField(_("指定调度期（年）"), null=True, blank=True)
    period_month = models.PositiveSmallIntegerField(_("指定调度期（月）"), null=True, blank=True)
    period_found = models.CharField(_("调度期"), max_length=7, blank=True, help_text=_("YYYY-MM：指定的或从文件标题、表头识别的"))
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEW, db_index=True)
    rows = models.PositiveIntegerField(_("项目行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增项目"), default=0)
    updated_count = models.PositiveIntegerField(_("更新项目"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化项目"), default=0)
    reports_created = models.PositiveIntegerField(_("新增月报"), default=0)
    reports_updated = models.PositiveIntegerField(_("更新月报"), default=0)
    enterprises_created = models.PositiveIntegerField(_("新增企业"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("警告数"), default=0)
    errors = models.JSONField(_("错误清单"), default=list, blank=True)
    warnings = models.JSONField(_("警告清单"), default=list, blank=True)
    totals = models.JSONField(_("合计"), default=dict, blank=True)
    sample = models.JSONField(_("前若干行"), default=list, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        constraints = [
            # the same file is imported once (reliability.md 6); previews and failures may repeat
            models.UniqueConstraint(fields=["sha256"], condition=Q(status="imported"), name="import_batch_sha256_imported_once"),
            models.CheckConstraint(
                condition=Q(period_month__isnull=True) | Q(period_month__gte=1, period_month__lte=12), name="import_batch_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def period_requested(self) -> tuple[int, int] | None:
        if self.period_year and self.period_month:
            return (self.period_year, self.period_month)
        return None

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.PREVIEW and not self.error_count and self.content is not None


def _field_label(field: str) -> str:
    """A canonical field's header in the active language, with the field's key."""
    from .types import FIELD_LABELS

    return gettext("%(header)s（%(field)s）") % {"header": gettext(FIELD_LABELS.get(field, field)), "field": field}


def _field_choices() -> list[tuple[str, Any]]:
    from .types import CANONICAL_FIELDS

    return [(f, lazy(_field_label, str)(f)) for f in CANONICAL_FIELDS]


class HeaderSynonym(TimeStampedModel):
    """A column header taught by the system administrator (导入表头同义词): the header as a
    file writes it → the canonical field (types.py). It is added to the built-in table of
    ``synonyms.py`` and wins over it; the unit and period in the header are still read
    ("投资盘子（亿元）" → total_investment, ×10,000)."""

    header = models.CharField(_("表头"), max_length=100, unique=True, help_text=_("文件中的列名，如“投资盘子（亿元）”"))
    field = models.CharField(_("对应字段"), max_length=32, choices=_field_choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["header"]
        verbose_name = _("导入表头同义词")
        verbose_name_plural = _("导入表头同义词")

    def __str__(self) -> str:
        from .types import FIELD_LABELS

        return f"{self.header} → {FIELD_LABELS.get(self.field, self.field)}（{self.field}）"  # Chinese, as stored in the logs

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .synonyms import header_info

        self.header = (self.header or "").strip()
        if not header_info(self.header).key:
            raise ValidationError({"header": "表头去掉单位和空格后为空，请填写列名本身"})
