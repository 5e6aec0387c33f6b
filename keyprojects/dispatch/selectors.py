"""Reads for monthly dispatch. Scope always comes from ``visible_to`` (the one choke point)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from keyprojects.core.money import to_wan
from keyprojects.core.scope import get_for_user
from keyprojects.projects.choices import Level, Stage
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

from . import rules
from .choices import PeriodStatus, ReportStatus, StepAction
from .models import DispatchConfig, MonthlyPlan, MonthlyReport, ProblemItem, ProjectWarning, ReportingPeriod, ReportPhoto, ReportStep

# Projects in these stages report every month of a year in which they are on a list (rules.DUE_STAGES).
DUE_STAGES = [s for s in Stage if rules.due_to_report(s)]
NOT_DUE = [s for s in Stage if not rules.due_to_report(s)]
# Stages not due whose dates can make a project due in an earlier month (达效, 退库: rules.stage_in_month).
NOT_DUE_STARTED = [s for s in NOT_DUE if s not in rules.NOT_STARTED_STAGES]
LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY]


def fill_window(year: int, month: int, config: DispatchConfig | None = None) -> tuple[dt.date, dt.date]:
    """The default window: the configured days of the month after the period."""
    config = config or DispatchConfig.get()
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(ny, nm, config.fill_start_day), dt.date(ny, nm, config.fill_end_day)


def period_openable(year: int, month: int) -> bool:
    """Whether the month (year, month) may be opened: from January of the configured first year
    (``KEYPROJECTS_DISPATCH_FIRST_YEAR``) to the current month."""
    today = timezone.localdate()
    return 1 <= month <= 12 and (settings.KEYPROJECTS_DISPATCH_FIRST_YEAR, 1) <= (year, month) <= (today.year, today.month)


def period_range_message() -> str:
    """The refusal of a month outside :func:`period_openable`: Chinese as a ``str`` (stored by an
    import, answered by the API), in the page's language where it is shown (``core.errors.shown``)."""
    from django.utils.functional import lazy
    from django.utils.translation import gettext_noop

    from keyprojects.core.errors import Message
    from keyprojects.core.money import Period, format_period

    today = timezone.localdate()
    last = lazy(format_period, str)(Period(today.year, today.month))
    # (the same source string as dataio.issue_text.PERIOD_OUT_OF_RANGE, which says a stored one again)
    first = settings.KEYPROJECTS_DISPATCH_FIRST_YEAR
    return Message(gettext_noop("调度期超出范围：只能是%(first)s年1月至%(last)s"), first=first, last=last)


def period_for_reading(*, year: int, month: int) -> ReportingPeriod | None:
    """The period (year, month) as a page shows it, without writing: the opened one; else, for a
    month that may be opened, an unsaved one with the configured fill window (``pk`` None:
    nothing reported, nothing closed; the first save opens it); else None."""
    found = ReportingPeriod.objects.filter(year=year, month=month).first()
    if found is not None or not period_openable(year, month):
        return found
    start, end = fill_window(year, month)
    return ReportingPeriod(year=year, month=month, fill_start=start, fill_end=end)


def reports_of_period(period: ReportingPeriod) -> QuerySet[MonthlyReport]:
    """The reports of ``period`` (none for a month not opened yet)."""
    if period.pk is None:
        return MonthlyReport.objects.none()
    return MonthlyReport.objects.filter(period=period)


def period_end(period: ReportingPeriod) -> dt.date:
    ny, nm = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(ny, nm, 1) - dt.timedelta(days=1)


def due_projects(*, period: ReportingPeriod, user: Any = None) -> QuerySet[Project]:
    """Projects that must report for ``period``: on a list that year, in a reporting stage at the
    month's end (:func:`due_at_end`). The year is an ``EXISTS`` (no join to the years, so no
    ``DISTINCT`` over every column)."""
    qs = Project.objects.visible_to(user) if user is not None else Project.objects.all()
    listed = ProjectYear.objects.filter(project=OuterRef("pk"), year=period.year)
    return qs.filter(Exists(listed)).filter(due_at_end(period))


def stage_moves(project_ids: Any) -> dict[int, list[rules.Move]]:
    """The stage changes of ``project_ids`` (ids or a values query) as ``rules.stage_in_month``
    reads them: (on_date, from_stage) in the order entered."""
    moves: dict[int, list[rules.Move]] = {}
    events = ProjectEvent.objects.filter(project_id__in=project_ids).exclude(from_stage="").order_by("project_id", "id")
    for pid, on, left in events.values_list("project_id", "on_date", "from_stage"):
        moves.setdefault(pid, []).append((on, left))
    return moves


def stage_at_end(project: Project, period: ReportingPeriod) -> str:
    """``project``'s stage at the end of ``period`` (``rules.stage_in_month``)."""
    moves = stage_moves([project.pk]).get(project.pk, ())
    return rules.stage_in_month(
        project.stage,
        actual_start=project.actual_start,
        actual_completion=project.actual_completion,
        month_end=period_end(period),
        moves=moves,
    )


def due_at_end(period: ReportingPeriod) -> Q:
    """The projects in a reporting stage at ``period``'s end (``rules.due_to_report`` of
    ``rules.stage_in_month``, as the facts of the month say): those in one now, less those that
    were not then, plus those that were then and are not now. Only a project changed after the
    month's end can differ — a stage change dated after it that left a stage not due, or one of a
    project not due now, or (in 达效 or 退库 now) a start or completion after it: these few are
    read and put to the rule; the rest is the stage now, in SQL. (The changes after the end of
    the open month are a few weeks' worth: three index searches.)"""
    end = period_end(period)
    after = ProjectEvent.objects.filter(on_date__gt=end).exclude(from_stage="").order_by()
    ids = set(after.filter(from_stage__in=NOT_DUE).values_list("project_id", flat=True))
    ids.update(Project.objects.filter(stage__in=NOT_DUE, pk__in=after.values("project_id")).order_by().values_list("pk", flat=True))
    dated = Q(actual_start__gt=end) | Q(actual_completion__gt=end)
    ids.update(Project.objects.filter(dated, stage__in=NOT_DUE_STARTED).order_by().values_list("pk", flat=True))
    became: list[int] = []  # due then, not now
    left: list[int] = []  # due now, not then
    if ids:
        moves = stage_moves(list(ids))
        rows = Project.objects.filter(pk__in=list(ids)).order_by().values_list("pk", "stage", "actual_start", "actual_completion")
        for pk, stage, start, done in rows:
            then = rules.stage_in_month(stage, actual_start=start, actual_completion=done, month_end=end, moves=moves.get(pk, ()))
            if rules.due_to_report(then) != rules.due_to_report(stage):
                (became if rules.due_to_report(then) else left).append(pk)
    q = Q(stage__in=DUE_STAGES)
    if left:
        q &= ~Q(pk__in=left)
    if became:
        q |= Q(pk__in=became)
    return q


DONE = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)  # a report that counts as 已报


def task_counts(*, period: ReportingPeriod, due: QuerySet[Project], fillable: QuerySet[Project]) -> dict[str, int]:
    """The to-do cards of 我的任务 in one grouped pass over ``due`` (``due_projects``) and each
    project's report of ``period`` (at most one: a report is unique per project and period):

    * ``n_due`` the due projects, ``n_done`` those whose report is submitted or approved;
    * ``n_to_fill`` the due projects in ``fillable`` (the projects the user may fill) not done,
      of which ``n_returned`` and ``n_draft`` have a returned or a draft report and
      ``n_missing`` the rest (no report yet)."""
    if period.pk is None:  # a month not opened yet: no report
        qs = due.annotate(report_status=Value(None, output_field=CharField()))
    else:
        this_month = FilteredRelation("reports", condition=Q(reports__period_id=period.pk))
        qs = due.annotate(this_month=this_month, report_status=F("this_month__status"))
    counts = {"due": Count("pk")}
    if not fillable.query.is_empty():
        counts["fill"] = Count("pk", filter=Q(pk__in=fillable.values("pk")))
    by_status: dict[Any, Any] = {r["report_status"]: r for r in qs.order_by().values("report_status").annotate(**counts)}

    def n(key: str, statuses: Any) -> int:
        return sum(by_status[s].get(key, 0) for s in statuses if s in by_status)

    c = {
        "n_due": n("due", by_status),
        "n_done": n("due", DONE),
        "n_to_fill": n("fill", [s for s in by_status if s not in DONE]),
        "n_returned": n("fill", [ReportStatus.RETURNED]),
        "n_draft": n("fill", [ReportStatus.DRAFT]),
    }
    c["n_missing"] = c["n_to_fill"] - c["n_returned"] - c["n_draft"]
    return c


def project_top_level(project: Project, year: int) -> str:
    """The highest list a project is on in ``year`` (province > city > county)."""
    py = ProjectYear.objects.filter(project=project, year=year).first()
    if py is None:
        return Level.COUNTY
    for level in LEVEL_ORDER:
        if getattr(py, f"on_{level}_list"):
            return level
    return Level.COUNTY


def report_state(*, report: MonthlyReport | None, period: ReportingPeriod, today: dt.date | None = None) -> str:
    """The board state of one project's report (derived, never stored): ``rules.report_state``."""
    return rules.report_state(
        status=None if report is None else report.status,
        is_late=bool(report and report.is_late),
        no_activity=bool(report and report.no_activity),
        fill_end=period.fill_end,
        period_closed=period.is_closed,
        today=today or timezone.localdate(),
    )


def closed_region_codes(period: ReportingPeriod) -> set[str]:
    """Regions (cities, or the province) whose month ``period`` is closed."""
    from .models import PeriodClosure

    if period.pk is None:  # a month not opened yet
        return set()
    return set(PeriodClosure.objects.filter(period=period).values_list("region_id", flat=True))


def closed_codes_by_period(period_ids: Any) -> dict[int, set[str]]:
    """:func:`closed_region_codes` of several periods in one query (period pk → region codes)."""
    from .models import PeriodClosure

    out: dict[int, set[str]] = {}
    for period_id, code in PeriodClosure.objects.filter(period_id__in=set(period_ids)).values_list("period_id", "region_id"):
        out.setdefault(period_id, set()).add(code)
    return out


def frozen_months(project: Project) -> list[rules.Month]:
    """The months frozen for ``project``'s region (:func:`is_frozen_in`): closed as a whole, or
    closed by its province or its city. Two queries; ``rules.first_open_day`` reads them."""
    codes = [c for c in (project.province_code, project.city_code) if c]
    periods = list(ReportingPeriod.objects.filter(Q(status=PeriodStatus.CLOSED) | Q(closures__region_id__in=codes)).distinct().order_by())
    closed = closed_codes_by_period(p.pk for p in periods)
    return [(p.year, p.month) for p in periods if is_frozen_in(p, project, closed.get(p.pk, set()))]


def report_status_label(report: MonthlyReport | None, *, project: Project, period: ReportingPeriod, closed: set[str]) -> str:
    """``rules.report_status_label`` of ``project``'s report of ``period`` (None: no report), frozen
    or not by ``closed`` (:func:`closed_region_codes` of the period)."""
    return rules.report_status_label(report.status if report is not None else None, frozen=is_frozen_in(period, project, closed))


def is_frozen_in(period: ReportingPeriod, project: Project, closed: set[str]) -> bool:
    """Whether ``project``'s figures for ``period`` are frozen, given ``closed_region_codes``
    (one query for a whole page of projects): ``rules.is_frozen``."""
    return rules.is_frozen(
        period_closed=period.is_closed, closed_codes=closed, province_code=project.province_code, city_code=project.city_code
    )


def get_report_for_user(*, user: Any, pk: Any, for_edit: bool = False, request: Any = None) -> MonthlyReport:
    return get_for_user(MonthlyReport, user=user, pk=pk, for_edit=for_edit, request=request)


def photo_for_user(*, user: Any, pk: Any) -> ReportPhoto | None:
    """A site photo of a report the user can see (with its report and period), else None."""
    return (
        ReportPhoto.objects.filter(pk=pk, report__in=MonthlyReport.objects.visible_to(user).values("pk"))
        .select_related("report__period")
        .first()
    )


def previous_reports(*, project: Project, period: ReportingPeriod) -> QuerySet[MonthlyReport]:
    """This project's reports before ``period`` (any year), newest first."""
    return (
        MonthlyReport.objects.filter(project=project)
        .filter(Q(period__year__lt=period.year) | Q(period__year=period.year, period__month__lt=period.month))
        .order_by("-period__year", "-period__month")
    )


OFFICIAL_FIELDS = ("invested_month", "invested_ytd", "invested_to_date")


def official_amounts(report: MonthlyReport | None, fact: Any = None) -> dict[str, Any]:
    """A month's official 本月, 1-N月累计 and 开工至今累计 of one project (ADR 0011), as every page
    and export shows them: its stored fact's (``fact``, a ``ProjectPeriodFact`` or a mapping of
    :data:`OFFICIAL_FIELDS`); where no fact is stored (a month nobody refreshed), the report's own
    figures if it counts (``rules.COUNTED``), else none — a draft's or a returned report's would-be
    figures count nowhere."""
    if fact is not None:
        get = fact.get if isinstance(fact, dict) else lambda f: getattr(fact, f)
        return {f: get(f) for f in OFFICIAL_FIELDS}
    counted = report is not None and rules.counts(report.status)
    return {f: getattr(report, f) if counted else None for f in OFFICIAL_FIELDS}


def previous_counted_report(*, project: Project, period: ReportingPeriod) -> MonthlyReport | None:
    """The project's latest report before ``period`` that counts (``rules.COUNTED``), with its
    period: what the fill and review pages show as 上期. A draft left in a closed month or a
    returned report counts nowhere (ADR 0011), so its would-be figures are never shown as the
    last month's."""
    return previous_reports(project=project, period=period).filter(status__in=rules.COUNTED).select_related("period").first()


def month_figures(*, project: Project, before: ReportingPeriod | None = None) -> list[rules.MonthFigure]:
    """The project's reports as the monthly rules read them (all months, or those before ``before``)."""
    qs = MonthlyReport.objects.filter(project=project)
    if before is not None:
        qs = qs.filter(Q(period__year__lt=before.year) | Q(period__year=before.year, period__month__lt=before.month))
    return [
        rules.MonthFigure(year=y, month=m, status=st, invested_month=to_wan(v))
        for y, m, st, v in qs.values_list("period__year", "period__month", "status", "invested_month")
    ]


def cumulative_before(*, project: Project, period: ReportingPeriod) -> tuple[Decimal, Decimal]:
    """(Σ counted months of this year before ``period``, Σ counted months before ``period``):
    the counting rule of ``rules`` (drafts and returned reports never count)."""
    return rules.counted_before(month_figures(project=project, before=period), year=period.year, month=period.month)


def official_figures(*, project: Project, period: ReportingPeriod) -> rules.Cumulative:
    """The project's official 1-N月累计 and 开工至今累计 at the end of ``period`` (counted months
    only, carried forward over months it did not report): what every page shows."""
    return rules.official(month_figures(project=project), year=period.year, month=period.month, invested_before=project.invested_before)


def monthly_plan_curve(*, project: Project, year: int, annual_plan: Decimal | None = None) -> list[Decimal]:
    """The 12-month plan: the project's own monthly plans when all twelve are set, else the
    default spread (``metrics.plan_curve``)."""
    from keyprojects.analytics.metrics import plan_curve

    own = dict(MonthlyPlan.objects.filter(project=project, year=year).values_list("month", "planned"))
    if annual_plan is None:
        py = ProjectYear.objects.filter(project=project, year=year).first()
        annual_plan = py.annual_plan if py else Decimal(0)
    return plan_curve(annual_plan, DispatchConfig.get().plan_spread, own)


# The steps whose actor filled a report (four eyes: they never review it).
FILL_ACTIONS = (StepAction.SAVE, StepAction.SUBMIT)


def report_fillers(report: MonthlyReport) -> set[int]:
    """Whoever filled or submitted ``report`` (the actors of its saves and submissions, and its
    submitter): four eyes keeps them from reviewing it (``policy.can_review_report``)."""
    ids: set[int] = set()
    if report.pk is not None:
        ids.update(
            ReportStep.objects.filter(report_id=report.pk, action__in=FILL_ACTIONS, actor_id__isnull=False).values_list(
                "actor_id", flat=True
            )
        )
    if report.submitted_by_id is not None:
        ids.add(report.submitted_by_id)
    return ids


def reports_for_review(*, user: Any, period: ReportingPeriod | None = None) -> QuerySet[MonthlyReport]:
    """Submitted reports waiting for ``user``'s level, within scope; never one the user filled or
    submitted (four eyes: another reviewer of the level, or the level above, decides it)."""
    from .services import user_review_level

    level = user_review_level(user)
    # per report (its few steps), not NOT IN over every step the user ever took
    own = Exists(ReportStep.objects.filter(report=OuterRef("pk"), actor_id=user.pk, action__in=FILL_ACTIONS))
    qs = MonthlyReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED).exclude(submitted_by_id=user.pk).exclude(own)
    if period is not None:
        qs = qs.filter(period=period) if period.pk is not None else qs.none()
    if user.is_superuser:
        return qs.select_related("project", "period", "project__region")
    if level is None:
        return qs.none()
    return qs.filter(pending_level=level).select_related("project", "period", "project__region")


def missing_reports(*, user: Any, period: ReportingPeriod) -> QuerySet[Project]:
    """Due projects in ``user``'s scope with no submitted report for ``period`` (未报名单)."""
    submitted = MonthlyReport.objects.filter(period=period).exclude(status=ReportStatus.DRAFT).values("project_id")
    return due_projects(period=period, user=user).exclude(pk__in=submitted).select_related("region")


def open_problems(*, user: Any) -> QuerySet[ProblemItem]:
    return ProblemItem.objects.visible_to(user).exclude(status="solved").select_related("project", "responsible_unit")


def warnings_for(*, user: Any, period: ReportingPeriod | None = None) -> QuerySet[ProjectWarning]:
    qs = ProjectWarning.objects.visible_to(user).select_related("project", "project__region", "period")
    return qs.filter(period=period) if period is not None else qs


def latest_warned_period() -> ReportingPeriod | None:
    """The newest period that has warnings (the warnings list's default month)."""
    has = Exists(ProjectWarning.objects.filter(period=OuterRef("pk")))
    return ReportingPeriod.objects.filter(has).order_by("-year", "-month").first()


def latest_period() -> ReportingPeriod | None:
    return ReportingPeriod.objects.order_by("-year", "-month").first()
