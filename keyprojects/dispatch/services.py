"""月调度 workflow: fill → submit → review (chain per list level) → approve, or return with an
opinion; corrections of approved reports; month close; warnings. Problems:
``services_problems``; corrections: ``services_revisions``; the close in the background:
``services_close``.

Every function owns its transaction, checks scope, and writes audit records. Views, API,
importers and commands call these and nothing else writes dispatch tables.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy, gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ApplicationError, Message, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.models import attname, save_versioned
from keyprojects.core.money import format_period
from keyprojects.projects.models import Project

from . import rules, warning_text
from .choices import FlagSeverity, PeriodStatus, ReportStatus, StepAction
from .models import (
    DispatchConfig,
    MonthlyReport,
    PeriodClosure,
    ReportFlag,
    ReportingPeriod,
    ReportStep,
)
from .selectors import (
    closed_region_codes,
    cumulative_before,
    fill_window,
    is_frozen_in,
    period_openable,
    period_range_message,
    previous_reports,
    project_top_level,
    report_fillers,
)

REPORT_FIELDS = [
    "invested_month",
    "no_activity",
    "no_activity_reason",
    "physical_progress",
    "physical_progress_pct",
    "workers",
    "problems",
    "next_month_plan",
]
REVIEW_ROLES = policy.REVIEW_LEVELS  # the review levels, bottom up (accounts.policy)


class PeriodClosed(ApplicationError):
    """A write to a month that is closed: the request is fine, the month's state forbids it (409)."""

    code = "period_closed"
    status = 409
    default_message = gettext_noop("本期已关账，数据不能再修改")


class AlreadySubmitted(ApplicationError):
    code = "already_submitted"
    status = 409
    default_message = gettext_noop("该月报已提交，请勿重复提交")


class NotEditable(ApplicationError):
    code = "not_editable"
    status = 409
    default_message = gettext_noop("该月报已提交或已审定，不能直接修改")


# --- periods -------------------------------------------------------------------------------


def period_get_or_open(*, year: int, month: int) -> ReportingPeriod:
    """The period (year, month), created with the configured fill window when first needed: by a
    write (a save, a submit, an import), never by a page view. Only a month from the configured
    first year to the current month is opened (selectors.period_openable)."""
    found = ReportingPeriod.objects.filter(year=year, month=month).first()
    if found is not None:
        return found
    if not period_openable(year, month):
        message = period_range_message()
        raise ValidationFailed(message, extra={"fields": {"period": [message]}})
    start, end = fill_window(year, month)
    try:
        with transaction.atomic():
            period, _ = ReportingPeriod.objects.get_or_create(year=year, month=month, defaults={"fill_start": start, "fill_end": end})
    except IntegrityError:
        period = ReportingPeriod.objects.get(year=year, month=month)
    return period


def is_frozen(*, project: Project, period: ReportingPeriod) -> bool:
    return is_frozen_in(period, project, closed_region_codes(period))


user_review_level = policy.review_level


def review_chain_for(project: Project, year: int, *, fillers: Collection[Any] = ()) -> list[str]:
    """The review levels of ``project``'s report in ``year``: the configured chain, each level
    staffed by someone other than the report's ``fillers`` (:func:`staffed_chain`)."""
    city_level = not project.city_code or project.region_id == project.city_code
    return staffed_chain(
        configured_chain_for(project, year),
        county_code=None if city_level else project.region_id,
        city_code=project.city_code or None,
        province_code=project.province_code,
        fillers=fillers,
    )


def configured_chain_for(project: Project, year: int) -> list[str]:
    """The configured review levels of ``project``'s report in ``year``, before staffing."""
    city_level = not project.city_code or project.region_id == project.city_code
    return review_chain_from(top_level=project_top_level(project, year), city_level=city_level, config=DispatchConfig.get())


def staffed_chain(
    chain: list[str],
    *,
    county_code: str | None,
    city_code: str | None,
    province_code: str | None,
    fillers: Collection[Any],
    reviewers: Collection[tuple[str, str]] | None = None,
) -> list[str]:
    """Four eyes on the chain (issue 10): a level where only the fillers may review (a county
    with one account) hands its step to the level above (``rules.staffed_chain`` with the
    levels ``policy.staffed_review_levels`` finds staffed). ``reviewers`` is
    ``policy.staffed_reviewers(exclude=fillers)``, read once for many chains (an import)."""
    staffed = policy.staffed_review_levels(
        county_code=county_code, city_code=city_code, province_code=province_code, exclude=fillers, staffed=reviewers
    )
    return rules.staffed_chain(chain, staffed=staffed)


def review_chain_from(*, top_level: str, city_level: bool, config: DispatchConfig) -> list[str]:
    """The review levels of a report (``rules.review_chain`` with the configured chains)."""
    return rules.review_chain(top_level=top_level, city_level=city_level, chains=config.review_chain)


# --- filling -------------------------------------------------------------------------------


def _can_fill(user: Any, project: Project) -> bool:
    """Owner contacts, county/city/province and department staff with the project in scope."""
    return policy.can_fill(user, project)


def _decimal(value: Any, field: str, unit: str = "万元") -> Decimal:
    """A non-negative number typed by a filler; messages name the field's own unit."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        d = Decimal("NaN")  # not a number: refused below
    if not d.is_finite():
        raise ValidationFailed(extra={"fields": {field: [Message(gettext_noop("请输入数字（单位：%(unit)s）"), unit=gettext_lazy(unit))]}})
    if d < 0:
        raise ValidationFailed(extra={"fields": {field: ["金额不能为负数" if unit == "万元" else "不能为负数"]}})  # both catalogue strings
    return d.quantize(Decimal("0.0001"))


def _whole(value: Any, field: str, unit: str) -> int:
    """A non-negative whole number (在岗工人数, unit 人)."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        d = Decimal("NaN")  # not a number: refused below
    if not d.is_finite() or d != d.to_integral_value():
        raise ValidationFailed(extra={"fields": {field: [Message(gettext_noop("请输入整数（单位：%(unit)s）"), unit=gettext_lazy(unit))]}})
    if d < 0:
        raise ValidationFailed(extra={"fields": {field: [gettext_noop("不能为负数")]}})
    return int(d)


def _revision_value(value: Any) -> Any:
    """A report value as a correction stores it (JSON): null stays null (a cleared value),
    booleans and whole numbers stay themselves, decimals become their exact text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _derive(report: MonthlyReport) -> None:
    """1-N月累计 and 开工至今累计 the report states: the counted months before it plus its own
    (``rules.derive``); never typed."""
    ytd_before, total_before = cumulative_before(project=report.project, period=report.period)
    c = rules.derive(
        invested_month=report.invested_month,
        ytd_before=ytd_before,
        total_before=total_before,
        invested_before=report.project.invested_before,
    )
    report.invested_ytd, report.invested_to_date = c.ytd, c.to_date


def _apply(report: MonthlyReport, data: dict[str, Any]) -> None:
    for f in REPORT_FIELDS:
        if f not in data:
            continue
        v = data[f]
        if f == "invested_month":
            v = _decimal(v if v not in (None, "") else 0, f)
        elif f == "physical_progress_pct" and v not in (None, ""):
            v = _decimal(str(v).rstrip("%"), f, unit="%").quantize(Decimal("0.01"))
            if v > 100:
                raise ValidationFailed(extra={"fields": {f: ["形象进度百分比应在0到100之间"]}})
        elif f == "workers" and v not in (None, ""):
            v = _whole(v, f, unit=gettext_noop("人"))
        elif v == "" and f in ("physical_progress_pct", "workers"):
            v = None
        setattr(report, f, v)
    errors = rules.no_activity_errors(
        no_activity=report.no_activity, invested_month=report.invested_month, reason=report.no_activity_reason or ""
    )
    if errors:
        raise ValidationFailed(extra={"fields": {k: [v] for k, v in errors.items()}})


def _full_clean(report: MonthlyReport) -> None:
    try:
        report.full_clean(exclude=["project", "period", "submitted_by", "approved_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    if report.invested_ytd < report.invested_month or report.invested_to_date < report.invested_ytd:
        raise ValidationFailed(extra={"fields": {"invested_month": [gettext_noop("累计数不一致，请检查以前月份的数据")]}})


@transaction.atomic
def report_save(
    *, user: Any, project: Project, period: ReportingPeriod, data: dict[str, Any], expected_version: int | None = None, request: Any = None
) -> MonthlyReport:
    """Create or update the draft of ``project``'s report for ``period`` (one row per pair)."""
    if not _can_fill(user, project):
        raise NotFound()
    if is_frozen(project=project, period=period):
        raise PeriodClosed()
    report = MonthlyReport.objects.filter(project=project, period=period).first()
    created = report is None
    if report is None:
        report = MonthlyReport(project=project, period=period)
    elif not report.is_editable:
        raise NotEditable()
    before = {f: getattr(report, f) for f in REPORT_FIELDS}
    _apply(report, data)
    if "warning_reasons" in data:
        report.warning_reasons = warning_reasons_clean(data["warning_reasons"])
    _derive(report)
    _full_clean(report)
    if created:
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # a second tab or a retry created it first: one row, and the user is told
            from keyprojects.core.errors import ConflictError

            raise ConflictError(gettext_noop("该月报已由他人（或另一窗口）创建，请刷新后再修改")) from None
    else:
        version = report.version if expected_version is None else expected_version
        save_versioned(report, expected_version=version, fields=[*REPORT_FIELDS, "warning_reasons", "invested_ytd", "invested_to_date"])
    ReportStep.objects.create(report=report, action=StepAction.SAVE, actor=user)
    changes = diff({} if created else before, {f: getattr(report, f) for f in REPORT_FIELDS})
    audit_record(action="create" if created else "update", user=user, request=request, obj=report, changes=changes)
    return report


# --- checks --------------------------------------------------------------------------------


def report_checks_from(
    *,
    report: rules.CheckedFigures,
    period: rules.CheckedPeriod,
    project: rules.CheckedProject,
    prev_ytd: Decimal | None,
    history: Sequence[Decimal],
    config: DispatchConfig,
    prev_pct: Decimal | None = None,
) -> list[tuple[str, str, str]]:
    """``rules.report_checks`` with the configured unit-slip factor."""
    return rules.report_checks(
        report=report,
        period=period,
        project=project,
        prev_ytd=prev_ytd,
        history=history,
        slip_factor=config.slip_factor,
        prev_pct=prev_pct,
    )


def report_checks(report: MonthlyReport) -> list[tuple[str, str, str]]:
    """(code, severity, Chinese message) for the checks of domain.md §3: :func:`report_checks_from`
    with the previous counted month's 1-N月累计 and the recent counted history read from the
    database (drafts and returned reports count nowhere)."""
    earlier = previous_reports(project=report.project, period=report.period).filter(status__in=rules.COUNTED)
    prev_ytd = earlier.filter(period__year=report.period.year).values_list("invested_ytd", flat=True).first()
    history = list(earlier.filter(invested_month__gt=0).values_list("invested_month", flat=True)[: rules.USUAL_WINDOW])
    prev_pct = earlier.filter(physical_progress_pct__isnull=False).values_list("physical_progress_pct", flat=True).first()
    return report_checks_from(
        report=report,
        period=report.period,
        project=report.project,
        prev_ytd=prev_ytd,
        history=history,
        config=DispatchConfig.get(),
        prev_pct=prev_pct,
    )


def warning_reasons_clean(value: Any) -> dict[str, str]:
    """The filler's reasons per check warning (code → text) as stored: trimmed, empty ones
    dropped, at most 500 characters each."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(extra={"fields": {"warning_reasons": [gettext_noop("校验提示说明格式有误")]}})
    out: dict[str, str] = {}
    for code, text in value.items():
        text = str(text or "").strip()
        if len(text) > 500:
            raise ValidationFailed(extra={"fields": {"warning_reasons": [gettext_noop("每条说明不能超过500字")]}})
        if text and len(str(code)) <= 40:
            out[str(code)] = text
    return out


def unexplained_warnings(checks: Sequence[tuple[str, str, str]], reasons: dict[str, str]) -> list[tuple[str, str, str]]:
    """The check warnings of ``checks`` without a written reason in ``reasons``."""
    return [c for c in checks if c[1] == FlagSeverity.WARNING and not reasons.get(c[0])]


# --- workflow ------------------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *, user: Any, report: MonthlyReport, expected_version: int | None = None, reasons: dict[str, Any] | None = None, request: Any = None
) -> MonthlyReport:
    """Submit a draft or returned report. Hard check errors block (ValidationFailed with the
    list under ``extra["checks"]``); each warning needs a written reason (``reasons``, code →
    text, over those saved with the draft) or the submission is refused the same way with
    ``extra["reasons_required"]``; the warnings and their reasons are stored for the reviewer."""
    report = MonthlyReport.objects.select_related("project", "period").get(pk=report.pk)
    if not _can_fill(user, report.project):
        raise NotFound()
    if is_frozen(project=report.project, period=report.period):
        raise PeriodClosed()
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise AlreadySubmitted()
    version = report.version if expected_version is None else expected_version
    _derive(report)
    checks = report_checks(report)
    errors = [c for c in checks if c[1] == FlagSeverity.ERROR]
    listed = [{"code": c, "severity": s, "message": m} for c, s, m in checks]
    if errors:
        raise ValidationFailed(warning_text.CHECKS_FAILED + "；".join(m for _, _, m in errors), extra={"checks": listed})
    given = {**(report.warning_reasons or {}), **warning_reasons_clean(reasons)}
    unexplained = unexplained_warnings(checks, given)
    if unexplained:
        message = warning_text.reasons_required([m for _, _, m in unexplained])
        raise ValidationFailed(
            message,
            extra={
                "checks": listed,
                "reasons_required": [c for c, _, _ in unexplained],
                "fields": {"warning_reasons": [message]},
            },
        )
    report.warning_reasons = {c: given[c] for c, s, _ in checks if s == FlagSeverity.WARNING}
    levels = review_chain_for(report.project, report.period.year, fillers=report_fillers(report) | {user.pk})
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.review_levels = levels
    report.review_step = 0
    report.pending_level = levels[0]
    report.submitted_at = now
    report.submitted_by = user
    report.is_late = rules.fill_ended(fill_end=report.period.fill_end, today=timezone.localdate())
    report.return_opinion = ""
    fields = [
        "status",
        "review_levels",
        "review_step",
        "pending_level",
        "submitted_at",
        "submitted_by",
        "is_late",
        "return_opinion",
        "warning_reasons",
        "invested_ytd",
        "invested_to_date",
    ]
    updated = MonthlyReport.objects.filter(pk=report.pk, version=version, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]).update(
        **{f: getattr(report, attname(MonthlyReport, f)) for f in fields if f != "submitted_by"},
        submitted_by=user,
        version=F("version") + 1,  # not version + 1: no overflow for a version the row cannot have
        updated_at=now,
    )
    if updated != 1:
        current = MonthlyReport.objects.get(pk=report.pk)
        if current.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            raise AlreadySubmitted()
        from keyprojects.core.errors import ConflictError

        raise ConflictError()
    report.version = version + 1
    ReportFlag.objects.filter(report=report).delete()
    reasons_given = report.warning_reasons or {}
    ReportFlag.objects.bulk_create(
        [ReportFlag(report=report, code=c, severity=s, message=m, reason=reasons_given.get(c, "")) for c, s, m in checks]
    )
    explained = "；".join(f"{m}——说明：{reasons_given[c]}" for c, _, m in checks if reasons_given.get(c))
    ReportStep.objects.create(report=report, action=StepAction.SUBMIT, level=user.role, actor=user, opinion=explained)
    audit_record(
        action="submit",
        user=user,
        request=request,
        obj=report,
        changes={
            "status": ["draft", "submitted"],
            "invested_month": [None, str(report.invested_month)],
            "warnings": [c for c, _, _ in checks],
        },
    )
    figures_changed(report=report)  # it counts from now on
    return report


FOUR_EYES_MESSAGE = gettext_noop("不能审核自己填报或提交的月报（四眼原则），请由本级另一位审核人或上一级审核")


def can_review(user: Any, report: MonthlyReport) -> bool:
    """Whether ``user`` may review ``report`` now: it waits at their level, it is in their
    editable scope, and they did not fill or submit it (four eyes)."""
    if report.status != ReportStatus.SUBMITTED:
        return False
    if not Project.objects.editable_by(user).filter(pk=report.project_id).exists():
        return False
    return policy.can_review_report(user, report.pending_level, report_fillers(report))


def _deny_review(user: Any, report: MonthlyReport, message: str) -> None:
    """Raise PermissionDenied for a user who may not review ``report``: the four-eyes message
    for one of its fillers who would otherwise review at that level, else ``message``."""
    if policy.can_review(user, report.pending_level) and policy.is_filler(user, report_fillers(report)):
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    raise PermissionDenied(message)


@transaction.atomic
def report_acknowledge(
    *, user: Any, report: MonthlyReport, reasons: dict[str, Any] | None = None, reason: str = "", request: Any = None
) -> int:
    """The reviewer accepts the report's check warnings, with a reason for each (``reasons``,
    code → text; ``reason`` for any warning without its own); stored with the flag and shown in
    the report's history."""
    report = MonthlyReport.objects.get(pk=report.pk)
    if not can_review(user, report):
        _deny_review(user, report, gettext_noop("只有当前审核层级的人员可以确认校验提示"))
    given = warning_reasons_clean(reasons)
    common = (reason or "").strip()
    flags = list(ReportFlag.objects.filter(report=report, acknowledged_at__isnull=True).order_by("id"))
    missing = [f.message for f in flags if not (given.get(f.code) or common)]
    if missing:
        message = warning_text.ACK_REASONS_REQUIRED.zh(checks=warning_text.SEPARATOR.join(missing))
        raise ValidationFailed(message, extra={"fields": {"reasons": [message]}, "reasons_required": [f.code for f in flags]})
    now = timezone.now()
    for f in flags:
        f.acknowledged_by, f.acknowledged_at, f.acknowledge_reason = user, now, (given.get(f.code) or common)[:2000]
    ReportFlag.objects.bulk_update(flags, ["acknowledged_by", "acknowledged_at", "acknowledge_reason"])
    if flags:
        opinion = warning_text.SEPARATOR.join(f"{f.message}{warning_text.ACCEPTED}{f.acknowledge_reason}" for f in flags)
        ReportStep.objects.create(report=report, action=StepAction.ACKNOWLEDGE, level=report.pending_level, opinion=opinion, actor=user)
        audit_record(
            action="acknowledge", user=user, request=request, obj=report, changes={"flags": {f.code: f.acknowledge_reason for f in flags}}
        )
    return len(flags)


@transaction.atomic
def report_review(
    *, user: Any, report: MonthlyReport, action: str, opinion: str = "", expected_version: int | None = None, request: Any = None
) -> MonthlyReport:
    """``action`` is "approve" (forwards to the next level, or approves at the last one) or
    "return" (needs an opinion; the report goes back to the filler)."""
    report = MonthlyReport.objects.select_related("project", "period").get(pk=report.pk)
    if not MonthlyReport.objects.visible_to(user).filter(pk=report.pk).exists():
        raise NotFound()
    if is_frozen(project=report.project, period=report.period):
        raise PeriodClosed()
    if report.status != ReportStatus.SUBMITTED:
        raise ApplicationError(gettext_noop("该月报不在待审核状态（可能已被他人处理）"), code="not_pending", status=409)
    if not can_review(user, report):
        _deny_review(user, report, gettext_noop("该月报当前不由您所在层级审核"))
    version = report.version if expected_version is None else expected_version
    level = report.pending_level
    opinion = (opinion or "").strip()
    if action == "return":
        if not opinion:
            raise ValidationFailed(gettext_noop("退回须填写意见"), extra={"fields": {"opinion": [gettext_noop("退回须填写意见")]}})
        report.status = ReportStatus.RETURNED
        report.pending_level = ""
        report.review_step = 0
        report.return_opinion = opinion
        step = StepAction.RETURN
    elif action == "approve":
        if ReportFlag.objects.filter(report=report, severity=FlagSeverity.WARNING, acknowledged_at__isnull=True).exists():
            raise ValidationFailed(
                gettext_noop("请先确认校验提示后再审核通过"), extra={"fields": {"acknowledge": [gettext_noop("请先确认校验提示")]}}
            )
        if report.review_step + 1 < len(report.review_levels):
            report.review_step += 1
            report.pending_level = report.review_levels[report.review_step]
            step = StepAction.FORWARD
        else:
            report.status = ReportStatus.APPROVED
            report.pending_level = ""
            report.approved_at = timezone.now()
            report.approved_by = user
            step = StepAction.APPROVE
    else:
        raise ValidationFailed(gettext_noop("未知的审核操作"))
    save_versioned(
        report, expected_version=version, fields=["status", "pending_level", "review_step", "return_opinion", "approved_at", "approved_by"]
    )
    ReportStep.objects.create(report=report, action=step, level=level, opinion=opinion, actor=user)
    audit_record(
        action=str(step),
        user=user,
        request=request,
        obj=report,
        changes={"status": ["submitted", report.status], "level": level},
        message=opinion,
    )
    if report.status == ReportStatus.RETURNED:
        figures_changed(report=report)  # it no longer counts
    elif report.status == ReportStatus.APPROVED:
        figures_changed(report=report, only_period=True)  # the same figures; its board state changes
    return report


def report_rederive_after(*, report: MonthlyReport) -> int:
    """Re-derive the cumulative figures the project's later reports state (``rules.stated_all``)
    after a change to what counts before them: a submission, a return, a correction."""
    rows = list(
        MonthlyReport.objects.filter(project_id=report.project_id).values_list(
            "pk", "period__year", "period__month", "status", "invested_month", "invested_ytd", "invested_to_date"
        )
    )
    figures = [rules.MonthFigure(year=y, month=m, status=st, invested_month=v) for _, y, m, st, v, _, _ in rows]
    invested_before = Project.objects.filter(pk=report.project_id).values_list("invested_before", flat=True).first()
    n = 0
    after = (report.period.year, report.period.month)
    for (pk, y, m, _, _, ytd, to_date), c in zip(rows, rules.stated_all(figures, invested_before=invested_before), strict=True):
        if (y, m) > after and (c.ytd != ytd or c.to_date != to_date):
            MonthlyReport.objects.filter(pk=pk).update(invested_ytd=c.ytd, invested_to_date=c.to_date)
            n += 1
    return n


def figures_changed(*, report: MonthlyReport, only_period: bool = False, correction: bool = False) -> None:
    """What every write that changes what counts calls: re-derive the later reports, then the
    refresh action (facts → warnings → summaries) for the project from the report's month on
    (``correction``: an approved correction of a closed month, through the frozen months too)."""
    from keyprojects.analytics.refresh import refresh_after

    if not only_period:
        report_rederive_after(report=report)
    refresh_after(project_ids=[report.project_id], from_period=report.period, only_period=only_period, correction=correction)


# --- month close ---------------------------------------------------------------------------


class CloseNotConfirmed(ApplicationError):
    """关账 with open items (未报, 待审核, 数据存疑, 已退回) and without the typed confirmation."""

    code = "close_not_confirmed"
    status = 400
    default_message = gettext_noop("本期仍有未完成事项，关账须输入调度期（如 2026-11）或“确认关账”")


# A close refused for want of the typed confirmation (what the page shows, in its language: the
# English asks for the period, which the close accepts as well as 确认关账).
CLOSE_OPEN_ITEMS = gettext_noop(
    "%(region)s%(period)s仍有未完成事项：未报%(missing)s个（其中草稿%(drafts)s个）、待审核%(waiting)s个、"
    "数据存疑未确认%(doubtful)s个、已退回未重报%(returned)s个。确需关账请输入“%(label)s”或“确认关账”"
)
CLOSE_TYPE_LABEL = gettext_noop("请输入“%(label)s”或“确认关账”")

# The close's phases as reported to ``progress`` (the command's bar, the page's progress display),
# with their rough share of the time at the province's size (for the page's percentage).
PHASE_CHECK, PHASE_FACTS, PHASE_FREEZE, PHASE_SNAPSHOT = "核对清单", "重建事实表", "汇总并冻结", "保存快照"
CLOSE_PHASES = [(PHASE_CHECK, 5), (PHASE_FACTS, 75), (PHASE_FREEZE, 12), (PHASE_SNAPSHOT, 8)]


def period_close(*, user: Any, period: ReportingPeriod, confirm: str = "", request: Any = None, progress: Any = None) -> PeriodClosure:
    """Close ``period`` for the user's city (a city user) or the whole province (a province user):
    check what is still open (``selectors_close.close_checklist``: a close with anything open
    needs ``confirm``, the period "YYYY-MM" or 确认关账, typed), refresh the facts, summaries and
    warnings one last time, freeze them, and store with the closure the checklist as it was and
    a snapshot of the frozen figures (downloadable after any later correction).
    ``progress(phase, done, total)`` is told how far it got (the importer's progress protocol;
    the phases are :data:`CLOSE_PHASES`)."""
    if progress:
        progress(PHASE_CHECK, 0, 1)
    period, region, checklist = period_close_check(user=user, period=period, confirm=confirm)
    return _close(user=user, period=period, region=region, checklist=checklist, confirm=confirm, request=request, progress=progress)


def period_close_check(*, user: Any, period: ReportingPeriod, confirm: str = "") -> tuple[ReportingPeriod, Any, Any]:
    """Everything ``period_close`` checks before it writes: the permission, that the period is
    not closed, the checklist and the typed confirmation. Returns (period, region, checklist);
    the page asks it before it starts the close in the background."""
    from .selectors_close import close_checklist, confirmation_ok

    if not policy.can_close(user):
        raise PermissionDenied(gettext_noop("只有市级或省级工作人员可以关账"))
    region = policy.work_region(user)
    if region is None:  # a close role always has its region (accounts.User's constraint)
        raise PermissionDenied(gettext_noop("只有市级或省级工作人员可以关账"))
    period = ReportingPeriod.objects.get(pk=period.pk)
    shown_period = lazy(format_period, str)(period)  # 2026年2月 as written, Feb 2026 in English
    if (
        period.status == PeriodStatus.CLOSED
        or PeriodClosure.objects.filter(period=period, region__in=[region.code, region.province_code]).exists()
    ):
        raise ApplicationError(Message(gettext_noop("%(period)s已关账"), period=shown_period), code="already_closed", status=409)
    checklist = close_checklist(period=period, region=region)
    if checklist.open and not confirmation_ok(period=period, typed=confirm):
        t = checklist.total.counts
        waiting = t["waiting_county"] + t["waiting_city"] + t["waiting_province"]
        counts = {k: t[k] for k in ("missing", "drafts", "doubtful", "returned")}
        raise CloseNotConfirmed(
            Message(CLOSE_OPEN_ITEMS, region=region.name, period=shown_period, waiting=waiting, label=period.label, **counts),
            extra={"checklist": checklist.as_json(), "fields": {"confirm": [Message(CLOSE_TYPE_LABEL, label=period.label)]}},
        )
    return period, region, checklist


@transaction.atomic
def _close(*, user: Any, period: ReportingPeriod, region: Any, checklist: Any, confirm: str, request: Any, progress: Any) -> PeriodClosure:
    from keyprojects.analytics.refresh import rebuild_facts
    from keyprojects.analytics.services import summaries_refresh
    from keyprojects.analytics.snapshot import frozen_figures

    if progress:
        progress(PHASE_CHECK, 1, 1)
    scope = (
        Project.objects.filter(province_code=region.code) if region.level == "province" else Project.objects.filter(city_code=region.code)
    )
    # the refresh action's facts and warnings, one last time
    rebuild_facts(periods=[period], projects=scope, progress=(lambda done, total: progress(PHASE_FACTS, done, total)) if progress else None)
    closure = PeriodClosure.objects.create(
        period=period,
        region=region,
        closed_by=user,
        open_items=checklist.open,
        checklist=checklist.as_json(),
        confirmation=(confirm or "").strip()[:32] if checklist.open else "",
    )
    if region.level == "province":
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = user
        period.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    if progress:
        progress(PHASE_FREEZE, 0, 1)
    summaries_refresh(period=period, freeze_region=region)
    if progress:
        progress(PHASE_FREEZE, 1, 1)
        progress(PHASE_SNAPSHOT, 0, 1)
    closure.frozen_figures = frozen_figures(period=period, region=region)
    closure.save(update_fields=["frozen_figures"])
    if progress:
        progress(PHASE_SNAPSHOT, 1, 1)
    changes: dict[str, Any] = {"region": region.code, "open_items": checklist.open}
    if checklist.open:
        changes["confirmation"] = closure.confirmation
        changes["open"] = {k: v for k, v in checklist.total.counts.items() if v}
    audit_record(action="period_close", user=user, request=request, obj=period, changes=changes)
    return closure


# --- warnings ------------------------------------------------------------------------------


def warnings_refresh(*, period: ReportingPeriod, projects: Any = None) -> int:
    """Recompute the warnings of ``period`` (for ``projects``, default all) from the facts."""
    from keyprojects.analytics.services import warnings_compute

    return warnings_compute(period=period, projects=projects)


# The photo services live in their own module (services_photos); importable from here too.
from .services_photos import (  # noqa: E402
    PHOTO_EXTENSIONS,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_PER_REPORT,
    report_photo_add,
    report_photo_delete,
    sniff_image_type,
)

__all__ = ["PHOTO_EXTENSIONS", "PHOTO_MAX_BYTES", "PHOTO_MAX_PER_REPORT", "report_photo_add", "report_photo_delete", "sniff_image_type"]

# Corrections of approved reports live in their own module (services_revisions).
from .services_revisions import revision_decide, revision_request  # noqa: E402

__all__ += ["revision_decide", "revision_request"]
