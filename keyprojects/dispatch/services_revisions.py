"""月调度 corrections of approved reports: a reason and the new values, decided one level above
the report's final approver by someone other than who asked (four eyes); a correction of a
closed month is recorded as such. Same conventions as ``services``."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.models import save_versioned
from keyprojects.projects.models import Project

from . import rules
from .choices import ReportStatus, RevisionStatus, StepAction
from .models import MonthlyReport, ReportRevision, ReportStep
from .services import REPORT_FIELDS, _apply, _can_fill, _derive, _full_clean, _revision_value, figures_changed, is_frozen

# --- corrections ---------------------------------------------------------------------------


@transaction.atomic
def revision_request(*, user: Any, report: MonthlyReport, reason: str, new_values: dict[str, Any], request: Any = None) -> ReportRevision:
    """Ask to correct an approved report; the level above its last approver decides."""
    report = MonthlyReport.objects.select_related("project", "period").get(pk=report.pk)
    if not _can_fill(user, report.project) and not Project.objects.editable_by(user).filter(pk=report.project_id).exists():
        raise NotFound()
    if report.status != ReportStatus.APPROVED:
        raise ApplicationError(gettext_noop("只有已审定的月报需要申请更正；未审定的可直接修改"), code="not_approved", status=409)
    if not (reason or "").strip():
        raise ValidationFailed(gettext_noop("请填写更正原因"), extra={"fields": {"reason": [gettext_noop("请填写更正原因")]}})
    for f in REPORT_FIELDS:
        # null clears a value only where the report may have none (形象进度%, 在岗工人数)
        if f in new_values and new_values[f] is None and not MonthlyReport._meta.get_field(f).null:
            raise ValidationFailed(extra={"fields": {f: [gettext_noop("该项不能为空")]}})
    probe = MonthlyReport(project=report.project, period=report.period)
    for f in REPORT_FIELDS:
        setattr(probe, f, getattr(report, f))
    _apply(probe, new_values)
    new = {f: getattr(probe, f) for f in REPORT_FIELDS if f in new_values and getattr(probe, f) != getattr(report, f)}
    if not new:
        raise ValidationFailed(gettext_noop("更正内容与原值相同"))
    last = report.review_levels[-1] if report.review_levels else "county"
    try:
        with transaction.atomic():
            rev = ReportRevision.objects.create(
                report=report,
                reason=reason.strip(),
                old_values={k: _revision_value(getattr(report, k)) for k in new},
                new_values={k: _revision_value(v) for k, v in new.items()},
                approval_level=rules.next_level(last),
                requested_by=user,
            )
    except IntegrityError:
        raise ApplicationError(gettext_noop("该月报已有待审定的更正申请"), code="revision_pending", status=409) from None
    ReportStep.objects.create(report=report, action=StepAction.REVISE, level=user.role, opinion=reason, actor=user)
    audit_record(action="revise", user=user, request=request, obj=report, changes=diff(rev.old_values, rev.new_values), message=reason)
    return rev


@transaction.atomic
def revision_decide(*, user: Any, revision: ReportRevision, approve: bool, opinion: str = "", request: Any = None) -> ReportRevision:
    revision = ReportRevision.objects.select_related("report__project", "report__period").get(pk=revision.pk)
    report = revision.report
    if not Project.objects.editable_by(user).filter(pk=report.project_id).exists():
        raise NotFound()
    if not policy.can_review(user, revision.approval_level):
        raise PermissionDenied(gettext_noop("更正须由上一级审定"))
    if revision.status != RevisionStatus.PENDING:
        raise ApplicationError(gettext_noop("该更正已处理"), code="revision_decided", status=409)
    if revision.requested_by_id is not None and revision.requested_by_id == getattr(user, "pk", None):
        raise PermissionDenied(gettext_noop("不能审定自己申请的更正（四眼原则），请由另一位审核人审定"))  # issue 10 §1
    revision.status = RevisionStatus.APPROVED if approve else RevisionStatus.REJECTED
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.decision_opinion = (opinion or "").strip()
    # a correction of a closed month is recorded as such (已更正): the pages list it beside the
    # corrected figures, the bulletin can be reissued as 更正版 (issue 10 §4)
    revision.after_close = approve and is_frozen(project=report.project, period=report.period)
    revision.save(update_fields=["status", "decided_by", "decided_at", "decision_opinion", "after_close"])
    if approve:
        _apply(report, dict(revision.new_values))
        _derive(report)
        _full_clean(report)
        save_versioned(report, expected_version=report.version, fields=[*REPORT_FIELDS, "invested_ytd", "invested_to_date"])
    ReportStep.objects.create(
        report=report,
        action=StepAction.REVISION_APPROVE if approve else StepAction.REVISION_REJECT,
        level=revision.approval_level,
        opinion=revision.decision_opinion,
        actor=user,
    )
    audit_record(
        action="revision_approve" if approve else "revision_reject",
        user=user,
        request=request,
        obj=report,
        changes={**diff(revision.old_values, revision.new_values), "after_close": revision.after_close} if approve else {},
        message=revision.decision_opinion,
    )
    if approve:
        figures_changed(report=report, correction=revision.after_close)
    return revision
