"""Reads of 招商引资, always within the user's scope (``Lead.objects.visible_to``): the lead
list, stalled leads, the funnel and 履约 figures (every rate from ``analytics.metrics``), the
counts per leader (trips, destinations, results) and a landed project's progress (from the
analytics facts, never recomputed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.analytics import metrics
from keyprojects.core.localized import in_language
from keyprojects.core.money import format_period

from .choices import OPEN_STAGES, PIPELINE, ActivityKind, LeadSource, LeadStage, reached
from .models import Activity, FundArrival, FundEvent, Lead, LeadCheck, ServiceItem, StageStandard

ZERO = Decimal(0)
#: Project stages that count as 投产 (in production or designed output reached).
PRODUCING_STAGES = ("production", "effective")


def leads_visible(user: Any) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).select_related(
        "region", "chain", "leader", "unit", "agreement", "agreement__enterprise", "project", "source_activity"
    )


def activities_visible(user: Any) -> QuerySet[Activity]:
    return Activity.objects.visible_to(user).select_related("region", "leader", "unit")


def stall_days() -> dict[str, int]:
    """Days each open stage may last before a lead is stalled (StageStandard; 90 by default)."""
    configured = dict(StageStandard.objects.values_list("stage", "stall_days"))
    return {s: int(configured.get(s, 90)) for s in OPEN_STAGES}


def stalled_q(today: dt.date | None = None) -> Q:
    """Leads in an open stage (信息获取, 考察洽谈, 签约) for longer than the stage's days."""
    today = today or timezone.localdate()
    q = Q(pk__in=[])
    for stage, days in stall_days().items():
        q |= Q(stage=stage, stage_entered_on__lt=today - dt.timedelta(days=days))
    return q


def is_stalled(lead: Lead, days: dict[str, int] | None = None) -> bool:
    days = days if days is not None else stall_days()
    return lead.stage in days and lead.days_in_stage > days[lead.stage]


def checklist(lead: Lead) -> list[dict[str, Any]]:
    """The service items of every stage up to the lead's current one, each with its check."""
    done = {c.item_id: c for c in LeadCheck.objects.filter(lead=lead).select_related("done_by")}
    stage = lead.stage_before_drop if lead.stage == LeadStage.DROPPED else lead.stage
    upto = PIPELINE[: PIPELINE.index(stage) + 1] if stage in PIPELINE else PIPELINE[:1]
    sections = []
    items = ServiceItem.objects.filter(stage__in=upto, is_active=True).order_by("order", "id")
    for s in upto:
        rows = [{"item": i, "check": done.get(i.pk)} for i in items if i.stage == s]
        sections.append({"stage": s, "label": LeadStage(s).label, "rows": rows, "done": sum(1 for r in rows if r["check"])})
    return sections


def stage_spans(lead: Lead) -> list[dict[str, Any]]:
    """Entry and exit date of each stage the lead went through, and the days spent (to today for
    the current stage), from its event rows."""
    events = list(lead.events.order_by("on_date", "id").values("to_stage", "on_date"))
    today = timezone.localdate()
    spans = []
    for i, e in enumerate(events):
        left = events[i + 1]["on_date"] if i + 1 < len(events) else None
        spans.append(
            {
                "stage": e["to_stage"],
                "label": LeadStage(e["to_stage"]).label,
                "entered_on": e["on_date"],
                "left_on": left,
                "days": ((left or today) - e["on_date"]).days,
            }
        )
    return spans


# ---- the funnel and 履约 ---------------------------------------------------------------------------


@dataclass
class FunnelRow:
    """One group of leads and the chain figures over it (rates from ``analytics.metrics``)."""

    key: Any
    label: str
    leads: int = 0
    negotiated: int = 0
    signed: int = 0
    landed: int = 0
    started: int = 0
    funded: int = 0
    producing: int = 0
    intended_amount: Decimal = ZERO
    signed_amount: Decimal = ZERO
    arrived_amount: Decimal = ZERO
    lead_ids: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)  # the landed projects (of signed leads)
    started_projects: list[int] = field(default_factory=list)

    @property
    def conversion_rate(self) -> Decimal | None:
        return metrics.lead_conversion_rate(self.signed, self.leads)

    @property
    def landing_rate(self) -> Decimal | None:
        return metrics.signed_landing_rate(self.landed, self.signed)

    @property
    def start_rate(self) -> Decimal | None:
        return metrics.signed_start_rate(self.started, self.signed)

    @property
    def funded_rate(self) -> Decimal | None:
        return metrics.signed_funded_rate(self.funded, self.signed)

    @property
    def production_rate(self) -> Decimal | None:
        return metrics.signed_production_rate(self.producing, self.signed)

    @property
    def funds_rate(self) -> Decimal | None:
        return metrics.funds_arrival_rate(self.arrived_amount, self.signed_amount)


GROUPS = {  # shown in the active language (lazy)
    "region": _("区域"),
    "leader": _("责任领导"),
    "chain": _("产业链"),
    "source": _("线索来源"),
    "period": _("获取月份"),
}


def lead_facts(qs: QuerySet[Lead], *, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per lead with what the funnel counts: reached 考察洽谈, signed and landed (by
    ``as_of``), the project started (实际开工 by ``as_of``) or producing (its stage now), money
    arrived (by ``as_of``: the counted entries, ``FundArrival.objects.counted()`` — confirmed by a
    second person, not voided) and the amounts."""
    as_of = as_of or timezone.localdate()
    arrived = (
        FundArrival.objects.counted()
        .filter(lead=OuterRef("pk"), arrived_on__lte=as_of)
        .values("lead")
        .annotate(s=Sum("arrived_amount"))
        .values("s")
    )
    money = DecimalField(max_digits=18, decimal_places=4)
    rows = qs.annotate(arrived=Coalesce(Subquery(arrived, output_field=money), Value(ZERO, output_field=money))).values(
        "pk", "stage", "stage_before_drop", "region_id", "region__name", "city_code", "unit_id", "unit__kind", "leader_id",
        "leader__name", "chain_id", "chain__name", "chain__name_en", "source", "obtained_on", "intended_amount", "agreement_id",
        "agreement__amount", "agreement__signed_on", "project_id", "landed_on", "project__stage", "project__actual_start", "arrived",
    )  # fmt: skip
    after_info = reached(LeadStage.NEGOTIATION)
    out = []
    for r in rows:
        stage = r["stage_before_drop"] if r["stage"] == LeadStage.DROPPED else r["stage"]
        signed = r["agreement_id"] is not None and r["agreement__signed_on"] <= as_of
        out.append(
            {
                **r,
                "negotiated": stage in after_info,
                "signed": signed,
                "landed": signed and r["project_id"] is not None and r["landed_on"] is not None and r["landed_on"] <= as_of,
                "started": bool(r["project__actual_start"] and r["project__actual_start"] <= as_of),
                "producing": r["project__stage"] in PRODUCING_STAGES,
                "funded": r["arrived"] > 0,
                "signed_amount": r["agreement__amount"] or ZERO if signed else ZERO,
            }
        )
    return out


def _group_key(row: dict[str, Any], by: str) -> tuple[Any, str]:
    if by == "region":
        return row["region_id"], row["region__name"]
    if by == "leader":
        return row["leader_id"], row["leader__name"] or str(_("（未指定）"))
    if by == "chain":
        return row["chain_id"], in_language(row["chain__name"], row["chain__name_en"]) if row["chain_id"] else str(_("（未指定）"))
    if by == "source":
        return row["source"], str(LeadSource(row["source"]).label)
    if by == "period":
        d = row["obtained_on"]
        return f"{d.year:04d}-{d.month:02d}", format_period(d)  # 2026年3月 / Mar 2026
    raise ValueError(f"unknown group {by!r}")


def _accumulate(rows: Iterable[dict[str, Any]], key_of: Any) -> tuple[FunnelRow, dict[Any, FunnelRow]]:
    total = FunnelRow(key=None, label=str(_("合计")))
    groups: dict[Any, FunnelRow] = {}
    for r in rows:
        targets = [total]
        if key_of is not None:
            key, label = key_of(r)
            if key is None and label is None:
                continue
            targets.append(groups.setdefault(key, FunnelRow(key=key, label=label)))
        for row in targets:
            row.leads += 1
            row.negotiated += r["negotiated"]
            row.signed += r["signed"]
            row.intended_amount += r["intended_amount"]
            row.lead_ids.append(r["pk"])
            if r["signed"]:  # the chain 签约 → 落地 → 开工 → 到资 → 投产 is over signed leads
                row.landed += r["landed"]
                row.started += r["started"]
                row.funded += r["funded"]
                row.producing += r["producing"]
                row.signed_amount += r["signed_amount"]
                row.arrived_amount += r["arrived"]
                if r["landed"]:
                    row.projects.append(r["project_id"])
                if r["started"]:
                    row.started_projects.append(r["project_id"])
    return total, groups


def funnel(qs: QuerySet[Lead], *, by: str | None = None, as_of: dt.date | None = None) -> tuple[FunnelRow, list[FunnelRow]]:
    """The total and, with ``by`` (one of :data:`GROUPS`), one row per group."""
    total, groups = _accumulate(lead_facts(qs, as_of=as_of), (lambda r: _group_key(r, by)) if by else None)
    rows = sorted(groups.values(), key=lambda g: (str(g.key) if by == "period" else "", -g.signed_amount, str(g.label)))
    if by == "period":
        rows.reverse()
    return total, rows


def unit_funnel(*, period: Any, kind: str, root: Any) -> dict[str, FunnelRow]:
    """The funnel per ranked unit of ``analytics.rankings`` (a child region of ``root``, a
    department or a zone), over the leads of ``root`` obtained by the end of ``period``: what the
    招商 indicators of rankings and 双考核双评价 read."""
    from keyprojects.accounts import policy

    ny, nm = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    as_of = dt.date(ny, nm, 1) - dt.timedelta(days=1)
    qs = Lead.objects.filter(policy.region_rows_q(root), obtained_on__lte=as_of)
    if kind == "region":
        column = "city_code" if root.level == "province" else "region_id"

        def key_of(r: dict[str, Any]) -> tuple[Any, Any]:
            return (r[column], "") if r[column] else (None, None)
    else:
        wanted = "zone" if kind == "zone" else "department"

        def key_of(r: dict[str, Any]) -> tuple[Any, Any]:
            return (str(r["unit_id"]), "") if r["unit_id"] and r["unit__kind"] == wanted else (None, None)

    _total, groups = _accumulate(lead_facts(qs, as_of=as_of), key_of)
    return {str(k): v for k, v in groups.items()}


def stage_counts(qs: QuerySet[Lead]) -> list[tuple[str, str, int]]:
    """How many leads are in each stage now (the pipeline board)."""
    counts = dict(qs.order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n"))
    return [(s, str(LeadStage(s).label), int(counts.get(s, 0) or 0)) for s in (*PIPELINE, LeadStage.DROPPED)]


# ---- per leader: trips, destinations, results ------------------------------------------------------


@dataclass
class LeaderCount:
    leader_id: int
    name: str
    title: str
    trips: int = 0
    trip_days: int = 0
    activities: int = 0
    destinations: dict[str, int] = field(default_factory=dict)
    leads_found: int = 0
    signed: int = 0
    signed_amount: Decimal = ZERO
    landed: int = 0

    @property
    def destination_text(self) -> str:
        """Where to, most visited first, in the active language (广东深圳（6次）、上海 /
        广东深圳 (6 times), 上海); the places as written."""
        from django.utils.translation import ngettext, pgettext

        ordered = sorted(self.destinations.items(), key=lambda x: (-x[1], x[0]))
        said = [ngettext("%(place)s（%(n)s次）", "%(place)s（%(n)s次）", n) % {"place": d, "n": n} if n > 1 else d for d, n in ordered]
        return pgettext("list separator", "、").join(said)


def leader_counts(user: Any, *, year: int | None = None) -> list[LeaderCount]:
    """Per leading official (带队领导): trips made (外出招商) and their days, all activities,
    where to, and the results — leads found on those activities, how many signed (amount) and
    landed. Over the activities and leads the user sees."""
    acts = activities_visible(user).filter(leader__isnull=False)
    if year:
        acts = acts.filter(held_on__year=year)
    out: dict[int, LeaderCount] = {}
    for a in acts:
        c = out.setdefault(a.leader_id, LeaderCount(leader_id=a.leader_id, name=a.leader.name, title=a.leader.title))  # type: ignore[union-attr,arg-type]
        c.activities += 1
        if a.kind == ActivityKind.TRIP:
            c.trips += 1
            c.trip_days += a.days
            c.destinations[a.destination] = c.destinations.get(a.destination, 0) + 1
    leads = leads_visible(user).filter(source_activity__in=acts.values("pk"))
    for lead in leads:
        c = out[lead.source_activity.leader_id]  # type: ignore[union-attr,index]
        c.leads_found += 1
        if lead.agreement_id:
            c.signed += 1
            c.signed_amount += lead.agreement.amount  # type: ignore[union-attr]
        if lead.project_id:
            c.landed += 1
    return sorted(out.values(), key=lambda c: (-c.trips, -c.activities, c.name))


# ---- a landed project's progress (from the analytics facts) ----------------------------------------


def project_progress(project: Any, *, months: int = 6) -> dict[str, Any]:
    """The landed project's latest monthly figures, as the facts hold them (never recomputed):
    the last ``months`` facts and the latest period's ``Figures`` (完成率, 序时进度)."""
    from keyprojects.analytics import metrics
    from keyprojects.analytics.models import ProjectPeriodFact
    from keyprojects.analytics.selectors import project_figures
    from keyprojects.dispatch import rules

    facts = list(
        ProjectPeriodFact.objects.filter(project=project).select_related("period").order_by("-period__year", "-period__month")[:months]
    )
    latest = project_figures(project=project, period=facts[0].period) if facts else None
    # placed against 序时进度 only when the project takes part in the month's dispatch, as on the
    # fill page (dispatch.rules.compared_with_schedule): a project not due to report is not "behind"
    schedule = (
        metrics.schedule_phrase(latest.ahead_points, compared=rules.compared_with_schedule(facts[0].report_state))
        if latest is not None
        else ""
    )
    return {"facts": facts, "latest": latest, "latest_period": facts[0].period if facts else None, "schedule": schedule}


def funds_of(lead: Lead) -> tuple[list[FundArrival], Decimal]:
    """Every 到资 entry of the lead (pending, returned and voided ones too, each with its history
    in ``entry.history``) and the counted total (``FundArrival.objects.counted()``)."""
    rows: list[FundArrival] = list(
        FundArrival.objects.filter(lead=lead)
        .select_related("recorded_by", "confirmed_by", "void_requested_by", "voided_by", "replaces")
        .prefetch_related(Prefetch("events", queryset=FundEvent.objects.select_related("actor").order_by("at", "id"), to_attr="history"))
        .order_by("arrived_on", "id")
    )
    return rows, sum((r.arrived_amount for r in rows if r.counts), ZERO)


def funds_to_confirm(user: Any) -> QuerySet[FundArrival]:
    """The 到资 entries waiting for ``user``'s decision (the confirmer's to-do list): in the leads
    the user may record, asked for by somebody else (:func:`policy.funds_decidable_q`)."""
    from keyprojects.accounts import policy

    return FundArrival.objects.editable_by(user).filter(policy.funds_decidable_q(user))


def project_lead_context(user: Any, project: Any) -> dict[str, Any]:
    """For the project page: the lead the project came from (``project_lead``; None without one
    or for a user who may not see leads) and whether the user may open it."""
    from keyprojects.accounts import policy

    if not policy.can_see_leads(user):
        return {"project_lead": None, "project_lead_visible": False}
    lead = Lead.objects.filter(project=project).select_related("agreement", "chain", "leader").first()
    visible = lead is not None and Lead.objects.visible_to(user).filter(pk=lead.pk).exists()
    return {"project_lead": lead, "project_lead_visible": visible}
