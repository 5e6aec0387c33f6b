"""Writes to the project registry. Views, API, admin, importers and commands all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ConflictError, Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import attname, save_versioned

from .choices import CANCELLABLE, FORWARD, REASON_REQUIRED, SUSPENDABLE, EventKind, Nature, Stage
from .models import Project, ProjectEvent, ProjectYear

# Fields a form or API may write; ``stage`` only moves through project_transition.
PROJECT_FIELDS = [
    "name",
    "project_code",
    "owner",
    "region",
    "zone",
    "location",
    "industry_section",
    "industry_division",
    "category",
    "nature",
    "total_investment",
    "invested_before",
    "planned_start",
    "planned_completion",
    "actual_start",
    "actual_completion",
    "content",
    "responsible_unit",
    "responsible_person",
    "sponsor_leader",
    "contact_name",
    "contact_phone",
    "in_statistics",
    "latitude",
    "longitude",
]
ENTERPRISE_FIELDS = list(policy.OWNER_PROJECT_FIELDS)  # what an enterprise contact sets


def writable_fields(user: Any) -> list[str]:
    """The whitelist of project fields ``user`` may set (reliability.md 13; the policy decides)."""
    return policy.project_writable_fields(user, PROJECT_FIELDS)


can_create_project = policy.can_create_project
region_in_scope = policy.region_in_scope


LINK_MESSAGES = {
    "owner": gettext_noop("建设单位不在您的管辖范围内"),
    "responsible_unit": gettext_noop("责任单位不在可选范围内"),
    "zone": gettext_noop("功能区不在可选范围内"),
    "sponsor_leader": gettext_noop("包保领导不在可选范围内"),
}


def _check_links(user: Any, project: Project, fields: Iterable[str]) -> None:
    """Linked owner/unit/zone/leader must be within the user's reach (one rule, in selectors)."""
    from .selectors import leaders_assignable, owners_assignable, units_assignable

    reach = {
        "owner": owners_assignable,
        "responsible_unit": units_assignable,
        "zone": lambda u: units_assignable(u).filter(kind="zone"),
        "sponsor_leader": leaders_assignable,
    }
    errors = {}
    for f in fields:
        if f not in reach:
            continue
        value_id = getattr(project, f"{f}_id")
        if value_id is not None and not reach[f](user).filter(pk=value_id).exists():
            errors[f] = [LINK_MESSAGES[f]]
    if errors:
        raise ValidationFailed(extra={"fields": errors})


def _snapshot(project: Project, fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        out[f] = getattr(project, attname(Project, f))
    return out


def _full_clean(project: Project) -> None:
    try:
        project.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def _apply_region(project: Project) -> None:
    project.province_code = project.region.province_code
    project.city_code = project.region.city_code or ""


YEAR_VALUES = ("annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature")  # what a year entry may set


def nature_is_the_projects(year: int | None, *, this_year: int | None = None) -> bool:
    """Whether a 建设性质 stated for ``year`` is the project's own (``Project.nature``): the
    current year's (``this_year``, default today's), or one stated for no year (ADR 0004).
    Another year's nature is only that year's (``ProjectYear.nature``). The services and the
    importer both ask this."""
    if year is None:
        return True
    if this_year is None:
        from .selectors import current_year

        this_year = current_year()
    return int(year) == this_year


def _current_nature(values: dict[str, Any], years: list[dict[str, Any]]) -> None:
    """A nature stated for the current year's entry is the project's: it goes into ``values``
    (refused when ``values`` states another one)."""
    for y in years:
        stated = y.get("nature") or ""
        if stated and nature_is_the_projects(y["year"]):
            if values.get("nature") not in (None, "", stated):
                raise ValidationFailed(extra={"fields": {"nature": [gettext_noop("建设性质与当年度清单的建设性质不一致")]}})
            values["nature"] = stated


def sync_current_nature(project: Project) -> None:
    """The one place the current year's row is made to state the project's nature (ADR 0004),
    after every write of the project or its years through these services; the importer writes
    the same in bulk (``dataio.importer.check``: ``nature_is_the_projects``)."""
    from .selectors import current_year

    ProjectYear.objects.filter(project=project, year=current_year()).exclude(nature=project.nature).update(nature=project.nature)


def _save_years(*, project: Project, years: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write the year entries; returns what changed, one entry per changed year:
    ``{"year": 2026, field: [old, new], …}`` (``audit.services.diff``; old None for a new year),
    nothing for a year whose stated values are what it has (no write either)."""
    changes = []
    natures = set(Nature.values)
    for y in years:
        year = int(y["year"])
        defaults: dict[str, Any] = {k: y[k] for k in YEAR_VALUES if k in y}
        if "annual_plan" in defaults:
            plan = Decimal(str(defaults["annual_plan"]))
            if plan < 0:
                raise ValidationFailed(extra={"fields": {"annual_plan": [gettext_noop("年度计划投资不能为负数")]}})
            defaults["annual_plan"] = plan
        if "nature" in defaults:
            defaults["nature"] = defaults["nature"] or ""
            if defaults["nature"] and defaults["nature"] not in natures:
                raise ValidationFailed(extra={"fields": {"nature": [gettext_noop("建设性质应为：新开工、续建、竣工投产或预备(前期)")]}})
            if not defaults["nature"]:
                del defaults["nature"]  # (not stated: the row keeps what it has)
        row = ProjectYear.objects.filter(project=project, year=year).first()
        old = {k: getattr(row, k) for k in defaults} if row is not None else {}
        changed = diff(old, defaults)
        if row is not None and not changed:
            continue  # (as it was: nothing written, nothing to record)
        ProjectYear.objects.update_or_create(project=project, year=year, defaults=defaults)
        changes.append({"year": year, **changed})
    sync_current_nature(project)
    return changes


def _refresh_figures(project: Project) -> None:
    """After a write of the project or its years: its facts, warnings and the summaries of every
    month that is not frozen follow at once (the one refresh action, ``analytics.refresh``), as
    after a report's approval. A fact holds the project's region, lists, category, stage, dates,
    total investment and annual plan: without this the dashboard, rankings and bulletin kept
    the old values until the month was refreshed for another reason."""
    from keyprojects.analytics.services import facts_refresh_project
    from keyprojects.dispatch.models import ReportingPeriod

    first = ReportingPeriod.objects.order_by("year", "month").first()
    if first is not None:
        facts_refresh_project(project=project, from_period=first)  # (frozen months are left alone)


@transaction.atomic
def project_create(*, user: Any, data: dict[str, Any], years: Iterable[dict[str, Any]] = (), request: Any = None) -> Project:
    """Create a project in the reserve stage. Fields the role may not set are ignored; the
    region defaults to the user's own (county/department) and must lie in their scope."""
    if not can_create_project(user):
        raise PermissionDenied()
    allowed = set(writable_fields(user))
    values = {k: v for k, v in data.items() if k in allowed}
    years = list(years)
    _current_nature(values, years)
    if values.get("invested_before") is None:
        values["invested_before"] = Decimal(0)
    forced, defaults = policy.project_placement(user)
    values = {**defaults, **values, **forced}
    region = values.get("region")
    if region is None:
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("请选择所属区域")]}})
    if not region_in_scope(user, region):
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所属区域超出您的管辖范围")]}})
    project = Project(**values, stage=Stage.RESERVE, created_by=user if user.is_authenticated else None)
    if not user.is_superuser:
        _check_links(user, project, values)
    _apply_region(project)
    _full_clean(project)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise ValidationFailed(extra={"fields": {"project_code": [gettext_noop("该项目代码已被其他项目使用")]}}) from exc
    year_changes = _save_years(project=project, years=years)
    ProjectEvent.objects.create(
        project=project, kind=EventKind.CREATED, from_stage="", to_stage=project.stage, actor=user, on_date=timezone.localdate()
    )
    audit_record(
        action="create",
        user=user,
        request=request,
        obj=project,
        changes={**diff({}, _snapshot(project, PROJECT_FIELDS)), **({"years": year_changes} if year_changes else {})},
    )
    _refresh_figures(project)
    return project


@transaction.atomic
def project_update(
    *,
    user: Any,
    project: Project,
    expected_version: int,
    data: dict[str, Any],
    years: Iterable[dict[str, Any]] = (),
    request: Any = None,
    reason: str = "",
) -> Project:
    """Update whitelisted fields if the row still has ``expected_version`` (else ConflictError).
    A total investment changed tenfold or more (``dispatch.rules.total_investment_jump``) needs a
    written ``reason``, kept in the audit record."""
    editable = Project.objects.editable_by(user).filter(pk=project.pk).exists()
    if not editable:
        raise NotFound()
    years = list(years)
    if years:
        data = dict(data)
        _current_nature(data, years)
    allowed = [f for f in writable_fields(user) if f in data]
    before = _snapshot(project, PROJECT_FIELDS)
    before_total = project.total_investment
    old_region = Project(province_code=project.province_code, city_code=project.city_code)  # whose months froze the old dates
    for f in allowed:
        setattr(project, f, data[f])
    if project.invested_before is None:
        project.invested_before = Decimal(0)
    if "region" in allowed:
        if not region_in_scope(user, project.region):
            raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所属区域超出您的管辖范围")]}})
        _apply_region(project)
    _full_clean(project)
    after = _snapshot(project, PROJECT_FIELDS)
    changed = [f for f in allowed if before[f] != after[f]]
    reason = (reason or "").strip()
    if "total_investment" in changed:
        from keyprojects.dispatch.models import DispatchConfig
        from keyprojects.dispatch.rules import total_investment_jump

        jump = total_investment_jump(before_total, project.total_investment, slip_factor=DispatchConfig.get().slip_factor)
        if jump and not reason:
            _conflict_first(project, expected_version)
            raise ValidationFailed(message=jump, extra={"fields": {"total_investment_reason": [jump]}})
    region_moved = (old_region.province_code, old_region.city_code) != (project.province_code, project.city_code)
    _refuse_frozen_dates(project, before, old_region if region_moved else None, expected_version)
    if not user.is_superuser:
        _check_links(user, project, changed)
    fields = changed + (["province_code", "city_code"] if "region" in changed else [])
    try:
        with transaction.atomic():
            save_versioned(project, expected_version=expected_version, fields=fields)
    except IntegrityError as exc:
        raise ValidationFailed(extra={"fields": {"project_code": [gettext_noop("该项目代码已被其他项目使用")]}}) from exc
    year_changes = _save_years(project=project, years=years) if years else []
    if "nature" in changed and not years:
        sync_current_nature(project)
    changes = diff({f: before[f] for f in changed}, {f: after[f] for f in changed})
    if year_changes:
        changes["years"] = year_changes  # type: ignore[assignment]
    if changes and reason and "total_investment" in changed:
        changes["reason"] = reason  # type: ignore[assignment]
    if changes:
        audit_record(action="update", user=user, request=request, obj=project, changes=changes)
        _refresh_figures(project)
    return project


def stage_actions(project: Project) -> list[tuple[str, str]]:
    """(target, label) pairs for the transitions the project's stage allows."""
    from .choices import allowed_targets

    actions = [(t, str(Stage(t).label)) for t in allowed_targets(project.stage)]
    if project.stage == Stage.SUSPENDED:
        actions.insert(0, ("resume", "恢复建设"))
    return actions


def first_stage_day(project: Project) -> dt.date | None:
    """The earliest day a stage change of ``project`` may be dated (``dispatch.rules.first_open_day``
    of the months frozen for its region); None when none is."""
    from keyprojects.dispatch import rules
    from keyprojects.dispatch.selectors import frozen_months

    return rules.first_open_day(frozen_months(project))


# A 实际开工/竣工日期 set, changed or cleared across a closed month's end (``dispatch.rules.date_change_refused``):
# (the new date too early, the old date in or before the month), by field. The importer says the same.
FROZEN_DATE_MESSAGES = {
    "actual_start": (
        gettext_noop("%(month)s已关账，数据不能再修改：实际开工日期不能早于%(first)s"),
        gettext_noop("%(month)s已关账，数据不能再修改：原实际开工日期（%(day)s）不晚于该月，不能修改或清空"),
    ),
    "actual_completion": (
        gettext_noop("%(month)s已关账，数据不能再修改：实际竣工日期不能早于%(first)s"),
        gettext_noop("%(month)s已关账，数据不能再修改：原实际竣工日期（%(day)s）不晚于该月，不能修改或清空"),
    ),
}


def frozen_date_refusal(field: str, old: dt.date | None, new: dt.date | None, frozen: list[Any]) -> tuple[str, dict[str, Any]] | None:
    """The refusal of ``field`` (实际开工/竣工日期) changed from ``old`` to ``new`` given the months
    frozen for the project's region (``dispatch.selectors.frozen_months``), as (template of
    :data:`FROZEN_DATE_MESSAGES`, values with ``month`` as a (year, month) pair); None when allowed
    (``dispatch.rules.date_change_refused``)."""
    from keyprojects.dispatch import rules

    day = rules.date_change_refused(old, new, frozen)
    if day is None:
        return None
    too_early, old_closed = FROZEN_DATE_MESSAGES[field]
    month = max(frozen)
    if day == new:
        return too_early, {"month": month, "first": f"{rules.first_open_day(frozen):%Y-%m-%d}"}
    return old_closed, {"month": month, "day": f"{day:%Y-%m-%d}"}


def _refuse_frozen_dates(project: Project, before: dict[str, Any], old_region: Project | None, expected_version: int) -> None:
    """Refuse an update that sets, changes or clears the project's 实际开工/竣工日期 on or before the
    end of a month frozen for its region (``dispatch.rules.date_change_refused``): ``stage_in_month``
    reads them, so the change would move who was due to report in a closed month, as a stage
    change dated there would (:func:`_refuse_frozen_day`). ``old_region``: the project before a
    change of region (its months are frozen with the old dates). 409 before 400, as every update."""
    from keyprojects.core.money import Period, format_period
    from keyprojects.dispatch.selectors import frozen_months

    moved = [f for f in FROZEN_DATE_MESSAGES if before[f] != getattr(project, f)]
    if not moved:
        return
    frozen = set(frozen_months(project)) | (set(frozen_months(old_region)) if old_region is not None else set())
    if not frozen:
        return
    errors: dict[str, list[Message]] = {}
    for f in moved:
        refusal = frozen_date_refusal(f, before[f], getattr(project, f), sorted(frozen))
        if refusal is not None:
            template, values = refusal
            month = lazy(format_period, str)(Period(*values.pop("month")))  # said in the active language
            errors[f] = [Message(template, month=month, **values)]
    if errors:
        _conflict_first(project, expected_version)
        raise ValidationFailed(extra={"fields": errors})


def _conflict_first(project: Project, expected_version: int) -> None:
    """Before refusing an update's values: a stale form is a conflict first, as every update
    (409 before 400)."""
    if not Project.objects.filter(pk=project.pk, version=expected_version).exists():
        raise ConflictError()


def _refuse_frozen_day(project: Project, day: dt.date, *, known: bool) -> None:
    """Refuse a stage change dated on or before the end of a month frozen for the project's
    region (``dispatch.rules.stage_change_allowed``): it would change who was due to report in a
    closed month, and the live board would disagree with the month's frozen facts. ``known``: the
    day is the project's own 实际开工/竣工日期, not the one given."""
    from keyprojects.core.money import Period, format_period
    from keyprojects.dispatch import rules
    from keyprojects.dispatch.selectors import frozen_months

    frozen = frozen_months(project)
    if rules.stage_change_allowed(day, frozen):
        return
    latest = max(frozen)
    first = rules.first_open_day(frozen)
    month = lazy(format_period, str)(Period(*latest))  # said in the active language
    if known:  # the project's own 实际开工/竣工日期 (the page does not ask for it)
        if day == project.actual_start:
            template = gettext_noop("%(month)s已关账，数据不能再修改：项目的实际开工日期（%(day)s）不晚于该月，不能以该日期办理开工")
        else:
            template = gettext_noop("%(month)s已关账，数据不能再修改：项目的实际竣工日期（%(day)s）不晚于该月，不能以该日期办理竣工")
        message = Message(template, month=month, day=f"{day:%Y-%m-%d}")
    else:
        template = gettext_noop("%(month)s已关账，数据不能再修改：变更日期不能早于%(first)s")
        message = Message(template, month=month, first=f"{first:%Y-%m-%d}")
    raise ValidationFailed(extra={"fields": {"on_date": [message]}})


@transaction.atomic
def project_transition(
    *,
    user: Any,
    project: Project,
    to_stage: str,
    reason: str = "",
    expected_version: int | None = None,
    on_date: Any = None,
    request: Any = None,
) -> Project:
    """Move ``project`` along one allowed edge of the life cycle and record the event.

    ``to_stage="resume"`` returns a suspended project to the stage it had before.
    Entering construction sets ``actual_start`` and completing sets ``actual_completion``
    (``on_date`` or today) unless they are already known. The event records the day the move
    happened (``ProjectEvent.on_date``): that date for a start or completion, else ``on_date``
    or today — a suspension or 投产 entered a week late keeps its real day.
    """
    if not policy.can_change_stage(user) and not policy.is_administrator(user):
        raise PermissionDenied()  # an administrator is out of scope below (404)
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise NotFound()
    current = Project.objects.get(pk=project.pk)
    version = current.version if expected_version is None else expected_version
    reason = (reason or "").strip()
    frm = current.stage
    if to_stage == "resume":
        if frm != Stage.SUSPENDED or not current.stage_before_suspension:
            raise TransitionNotAllowed(gettext_noop("只有停缓建的项目可以恢复"))
        target, kind = current.stage_before_suspension, EventKind.RESUMED
    elif to_stage == Stage.SUSPENDED:
        if frm not in SUSPENDABLE:
            raise TransitionNotAllowed(Message(gettext_noop("“%(stage)s”阶段的项目不能停缓建"), stage=Stage(frm).label))
        target, kind = Stage.SUSPENDED, EventKind.SUSPENDED
    elif to_stage == Stage.CANCELLED:
        if frm not in CANCELLABLE:
            raise TransitionNotAllowed(Message(gettext_noop("“%(stage)s”阶段的项目不能退库"), stage=Stage(frm).label))
        target, kind = Stage.CANCELLED, EventKind.CANCELLED
    elif FORWARD.get(frm) == to_stage:
        target, kind = to_stage, EventKind.TRANSITION
    else:
        labels = dict(Stage.choices)
        raise TransitionNotAllowed(
            Message(gettext_noop("不能从“%(frm)s”直接变更为“%(to)s”"), frm=labels.get(frm, frm), to=labels.get(to_stage, to_stage))
        )
    if target in REASON_REQUIRED and not reason:
        raise ValidationFailed(gettext_noop("请填写原因"), extra={"fields": {"reason": [gettext_noop("停缓建和退库必须填写原因")]}})
    current.stage = target
    fields = ["stage", "stage_before_suspension"]
    current.stage_before_suspension = frm if target == Stage.SUSPENDED else ""
    if on_date is not None and on_date > timezone.localdate():
        raise ValidationFailed(extra={"fields": {"on_date": [gettext_noop("日期不能晚于今天")]}})
    start = current.actual_start
    if on_date is not None and target == Stage.COMPLETED and start and on_date < start and not current.actual_completion:
        message = Message(gettext_noop("竣工日期不能早于实际开工日期（%(start)s）"), start=f"{start:%Y-%m-%d}")
        raise ValidationFailed(extra={"fields": {"on_date": [message]}})
    today = on_date or timezone.localdate()
    if target == Stage.CONSTRUCTION and not current.actual_start:
        current.actual_start = today
        fields.append("actual_start")
    if target == Stage.COMPLETED and not current.actual_start:
        raise TransitionNotAllowed(gettext_noop("该项目没有实际开工日期，请先补填实际开工日期再办理竣工"))
    if target == Stage.COMPLETED and not current.actual_completion:
        current.actual_completion = max(today, current.actual_start) if current.actual_start else today
        fields.append("actual_completion")
    completion = current.actual_completion
    if on_date is not None and target == Stage.PRODUCTION and completion and on_date < completion:
        message = Message(gettext_noop("投产日期不能早于实际竣工日期（%(date)s）"), date=f"{completion:%Y-%m-%d}")
        raise ValidationFailed(extra={"fields": {"on_date": [message]}})
    # the day it happened: the project's own date for a start or completion, else the one given (today by default)
    happened = (
        current.actual_start
        if kind == EventKind.TRANSITION and target == Stage.CONSTRUCTION
        else completion
        if kind == EventKind.TRANSITION and target == Stage.COMPLETED
        else today
    ) or today
    _refuse_frozen_day(current, happened, known=happened != today)
    save_versioned(current, expected_version=version, fields=fields)
    ProjectEvent.objects.create(project=current, kind=kind, from_stage=frm, to_stage=target, reason=reason, actor=user, on_date=happened)
    audit_record(
        action="transition",
        user=user,
        request=request,
        obj=current,
        changes={"stage": [frm, target], "on_date": f"{happened:%Y-%m-%d}"},
        message=reason,
    )
    project.__dict__.update(
        {k: getattr(current, k) for k in ("stage", "stage_before_suspension", "version", "actual_start", "actual_completion", "updated_at")}
    )
    _refresh_figures(current)
    return project
