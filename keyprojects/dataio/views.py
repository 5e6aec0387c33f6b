"""The import pages: upload → preview with every error and warning → 确认导入 → result.

Each view reads top to bottom: permission → service → render. Nothing is written before the
user confirms a preview without errors; the confirmation re-runs the whole import from the
stored file inside one transaction (``dataio.services.import_confirm``); a large file
(``services_jobs.is_large``) is confirmed in the background with its progress on a page, and a
large upload (``is_large_upload``) is previewed in the background the same way, its job page
leading to the preview once done.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, NotFound
from keyprojects.core.jobs import job_live
from keyprojects.core.models import Job, JobStatus
from keyprojects.core.xlsx import Column, build_xlsx, xlsx_response

from . import issue_text
from .importer.plan import PHASE_CHECK, PHASE_PARSE, PHASE_READ, PHASE_REFRESH, PHASE_WRITE
from .models import ImportBatch, ImportStatus
from .services import batch_issue_rows, can_import, import_confirm, import_default_region, import_preview, parse_period
from .services_jobs import (
    JOB_KINDS,
    PREVIEW_JOB,
    import_job_current,
    import_job_start,
    is_large,
    is_large_upload,
    job_title_shown,
    preview_job_settle,
    preview_job_start,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT = 10
# a job's phase is stored as the importer reports it (``importer.plan``); shown in the page's language
PHASE_LABELS = {
    PHASE_READ: pgettext_lazy("import phase", "读取文件"),
    PHASE_PARSE: pgettext_lazy("import phase", "解析"),
    PHASE_CHECK: pgettext_lazy("import phase", "校验"),
    PHASE_WRITE: pgettext_lazy("import phase", "写入"),
    PHASE_REFRESH: pgettext_lazy("import phase", "刷新汇总"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("支持 .xlsx、.xls、.ods、.csv；项目清单或月调度表均可"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.ods,.csv"}),
    )
    period = forms.CharField(
        label=_("调度期"),
        required=False,
        max_length=7,
        help_text=_("文件标题或表头未注明月份时填写，如 2024-06"),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "YYYY-MM", "inputmode": "numeric"}),
    )
    sheet = forms.CharField(
        label=_("工作表"),
        required=False,
        max_length=100,
        help_text=_("留空则导入所有能识别表头的工作表"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("文件不能超过%(n)sMB") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024})
        return f

    def clean_period(self) -> str:
        value = (self.cleaned_data.get("period") or "").strip()
        if value:
            try:
                parse_period(value)
            except ApplicationError as exc:
                raise forms.ValidationError(issue_text.shown(exc.message)) from None
        return value


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise DjangoPermissionDenied(gettext("您没有导入项目的权限"))


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.visible_to(request.user).select_related("uploaded_by", "region").filter(pk=pk).first()
    if batch is None:
        raise Http404()
    return batch


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload → the preview page; a large file (``is_large_upload``) → its preview job's page."""
    _require_importer(request)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        fields = {
            "user": request.user,
            "data": f.read(),
            "filename": f.name,
            "period": form.cleaned_data["period"] or None,
            "sheet": form.cleaned_data["sheet"] or None,
        }
        try:
            if is_large_upload(f.size):
                batch, job = preview_job_start(**fields)
                return redirect("dataio:import_job", pk=batch.pk, job=job.pk)
            batch = import_preview(**fields, request=request)
        except ApplicationError as exc:
            form.add_error(None, issue_text.shown(exc.message))
        else:
            return redirect("dataio:import_batch", pk=batch.pk)
    return _upload_page(request, form)


def _upload_page(request: HttpRequest, form: UploadForm) -> HttpResponse:
    recent = (
        ImportBatch.objects.visible_to(request.user).select_related("uploaded_by").defer("content", "errors", "warnings", "sample")[:RECENT]
    )
    region = import_default_region(request.user)
    return render(
        request,
        "dataio/import.html",
        {
            "form": form,
            "recent": recent,
            "own_region": region.name if region is not None else "",
            "own_region_is_province": region is not None and region.level == "province",
        },
    )


@login_required
@require_GET
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (status 待确认/未通过) or the result (已导入) of one upload."""
    batch = _batch_or_404(request, pk)
    if batch.status == ImportStatus.PENDING:
        running = preview_job_settle(batch)
        if running is None:  # its job failed or died: the batch now says why
            batch = _batch_or_404(request, pk)
    else:
        running = import_job_current(batch) if batch.status == ImportStatus.PREVIEW else None
    if running is not None:
        return redirect("dataio:import_job", pk=batch.pk, job=running.pk)
    errors = issue_text.issues_shown(batch.errors or [])  # in the active language (stored in Chinese)
    context = {
        "batch": batch,
        "file_errors": [e for e in errors if not e.get("row")],
        "row_errors": [e for e in errors if e.get("row")],
        "warnings": issue_text.issues_shown(batch.warnings or []),
        "sample": issue_text.sample_shown(batch.sample or []),
        "more_errors": batch.error_count - len(errors),
        "more_warnings": batch.warning_count - len(batch.warnings or []),
        "can_confirm": batch.can_confirm and can_import(request.user),
        "is_preview": batch.status == ImportStatus.PREVIEW,
        "is_imported": batch.status == ImportStatus.IMPORTED,
    }
    return render(request, "dataio/import_batch.html", context)


@login_required
@require_POST
def import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = _batch_or_404(request, pk)
    if is_large(batch):
        try:
            job = import_job_start(user=request.user, batch=batch, request=request)
        except NotFound:
            raise Http404() from None
        except ApplicationError as exc:
            messages.error(request, issue_text.shown(exc.message))
            return redirect("dataio:import_batch", pk=batch.pk)
        return redirect("dataio:import_job", pk=batch.pk, job=job.pk)
    try:
        outcome = import_confirm(user=request.user, batch=batch, request=request)
    except NotFound:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, issue_text.shown(exc.message))
        return redirect("dataio:import_batch", pk=batch.pk)
    if outcome.errors:
        messages.error(
            request,
            gettext("导入未通过：发现 %(n)s 个错误，数据库未做任何修改。请下载错误清单，修改文件后重新上传。") % {"n": len(outcome.errors)},
        )
    else:
        counts = {"c": outcome.created, "u": outcome.updated, "rc": outcome.reports_created, "ru": outcome.reports_updated}
        messages.success(request, gettext("导入完成：新增项目 %(c)s 个，更新 %(u)s 个；新增月报 %(rc)s 份，更新 %(ru)s 份。") % counts)
    return redirect("dataio:import_batch", pk=batch.pk)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """The progress of a large confirmation or upload preview (whoever sees the batch may watch
    it): phase and percentage, then the counts or why nothing was written. htmx polls the status
    block every second; without scripts the page's 刷新进度 link does the same. A finished
    preview leads to the preview page (a redirect; for htmx, ``HX-Redirect``)."""
    batch = _batch_or_404(request, pk)
    row = Job.objects.select_related("started_by").filter(pk=job, kind__in=JOB_KINDS, key=str(batch.pk)).first()
    if row is None:
        raise Http404()
    job_live(row)
    is_preview_job = row.kind == PREVIEW_JOB
    batch_url = reverse("dataio:import_batch", kwargs={"pk": batch.pk})
    htmx = bool(getattr(request, "htmx", False))
    if is_preview_job and row.status == JobStatus.DONE and not htmx:
        return redirect(batch_url)
    if is_preview_job and not row.running and batch.status == ImportStatus.PENDING:
        preview_job_settle(batch)  # a failed preview: the batch says why and keeps no bytes
    context = {
        "batch": batch,
        "job": row,
        "title": job_title_shown(row.title),
        "phase": PHASE_LABELS.get(row.phase, row.phase),
        "result": row.result or {},
        "job_url": reverse("dataio:import_job", kwargs={"pk": batch.pk, "job": row.pk}),
        "is_preview_job": is_preview_job,
    }
    template = "dataio/import_job_status.html" if htmx else "dataio/import_job.html"
    response = render(request, template, context)
    if is_preview_job and row.status == JobStatus.DONE:
        response["HX-Redirect"] = batch_url
    return response


ISSUE_COLUMNS = [  # (catalogue source strings: the uploader's own error list is said in the request's language)
    Column(gettext_noop("类型"), width=8),
    Column(gettext_noop("工作表"), width=14),
    Column(gettext_noop("行号"), width=8),
    Column(gettext_noop("列"), width=22),
    Column(gettext_noop("值"), width=28),
    Column(gettext_noop("问题"), width=70),
]
ISSUE_KINDS = {"错误": gettext_noop("错误"), "警告": gettext_noop("警告")}


@login_required
@require_GET
def import_issues_download(request: HttpRequest, pk: int) -> HttpResponse:
    """下载错误清单: every error, then every warning, located as in Excel — in the request's
    language (the issues as the preview says them: ``issue_text.shown``; in Chinese as stored).
    Not an exported 清单 (those are Chinese in any language): the uploader's own to-do list."""
    batch = _batch_or_404(request, pk)
    columns = [replace(c, header=gettext(c.header)) for c in ISSUE_COLUMNS]
    rows = [(gettext(ISSUE_KINDS.get(k, k)), *rest, issue_text.shown(m)) for k, *rest, m in batch_issue_rows(batch)]
    title = gettext("导入问题清单：%(file)s") % {"file": batch.filename}
    content, n = build_xlsx(title=title, columns=columns, rows=rows, sheet=gettext("问题清单"))
    audit_record(action="export", user=request.user, request=request, obj=batch, changes={"kind": "import_issues", "rows": n})
    stem = batch.filename.rsplit(".", 1)[0] or gettext("导入")
    name = gettext("错误清单")
    return xlsx_response(content, f"{stem}-{name}.xlsx")


urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/<int:pk>/", import_batch, name="import_batch"),
    path("import/<int:pk>/confirm/", import_confirm_view, name="import_confirm"),
    path("import/<int:pk>/job/<int:job>/", import_job, name="import_job"),
    path("import/<int:pk>/issues.xlsx", import_issues_download, name="import_issues"),
]
