"""双考核双评价: scoring the units of a scheme on a period, every point explained.

A scheme (``models.AssessmentScheme``) lists indicators of ``rankings.INDICATORS`` with weights
and a scoring rule. For each assessed unit and indicator:

- the value is the ranking value in its shown unit (a percentage for ratios, percentage points
  for 超/落后序时进度);
- rule ``linear``: ``floor`` or below → 0 points, ``target`` or above → 100, linear between;
- rule ``rank``: units with a value are ranked (ties share a rank, rankings.rank_values); the
  first gets 100 points, the last ``last_points``, evenly between (a single unit gets 100);
- an indicator without a value for a unit (e.g. 开工率 without planned new projects) is not
  applicable: its weight is left out and the unit's score is Σ(weight × points) / Σ(weights of
  the applicable indicators). A unit with no applicable indicator has no score and ranks last.

Points and scores are rounded half up to 2 places. The result is plain JSON (Decimals as text,
lists sorted) so that computing it twice gives the same bytes. Only ``services_assessment``
stores it, once per scheme and closed period.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.approvals.figures import APPROVAL_INDICATORS
from keyprojects.core.errors import Message, listed
from keyprojects.core.money import to_wan
from keyprojects.partnership.figures import PARTNERSHIP_INDICATORS, commitment_names

from . import metrics
from .models import AssessmentScheme, AssessmentSnapshot
from .rankings import (
    INDICATORS,
    LEAD_INDICATORS,
    REQUEST_INDICATORS,
    UnitFigures,
    display_value,
    problem_items,
    rank_values,
    unit_fact_groups,
    unit_figures,
)

RULES = {"linear": _("线性计分"), "rank": _("按名次计分")}  # shown only (the scheme stores the keys)
DIRECTIONS = {"up": _("越高越好"), "down": _("越低越好")}
POINTS = Decimal("0.01")
FULL = Decimal(100)
DEFAULT_LAST_POINTS = Decimal(60)


#: A scheme's indicator refused (``normalise_indicators``): ValueError's argument is a
#: :class:`~keyprojects.core.errors.Message` (the Chinese text; said in English where shown).
NOT_A_NUMBER = {
    "weight": gettext_noop("第%(n)s个指标的权重应为数字"),
    "floor": gettext_noop("第%(n)s个指标的起点应为数字"),
    "target": gettext_noop("第%(n)s个指标的目标值应为数字"),
    "last_points": gettext_noop("第%(n)s个指标的末位得分应为数字"),
}


def _dec(value: Any, field: str, n: int) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(Message(NOT_A_NUMBER[field], n=n)) from None
    if not d.is_finite():
        raise ValueError(Message(NOT_A_NUMBER[field], n=n))
    return d


def natural_direction(key: str) -> str:
    """The direction an indicator is better in: ``down`` where ``rankings.INDICATORS`` ranks it
    lowest first (审批用时, 超时件数, 逾期未保障数), else ``up``. A scheme's default."""
    return "down" if key in INDICATORS and INDICATORS[key].lower_better else "up"


#: A scheme may not reward more of what the ranking counts against a unit (more overdue
#: approvals scoring higher would rank the units the other way round from 比武打擂).
WRONG_WAY = gettext_noop("“%(label)s”越少越好（排名中少的在前），方向应为“越低越好”")


def direction_refused(key: str, direction: str) -> Message | None:
    """Why ``direction`` is refused for indicator ``key`` (None when it is allowed)."""
    if direction == "up" and natural_direction(key) == "down":
        return Message(WRONG_WAY, label=INDICATORS[key].label)
    return None


def _text(d: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros ("40", "0.5")."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def normalise_indicators(items: Any) -> list[dict[str, str]]:
    """Validate a scheme's indicator list and return it in canonical form; raises ValueError
    with a :class:`~keyprojects.core.errors.Message` (its Chinese text, said again where shown)."""
    if not isinstance(items, list) or not items:
        raise ValueError(Message(gettext_noop("请至少配置一个考核指标")))
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValueError(Message(gettext_noop("第%(n)s个指标格式不正确"), n=n))
        key = str(item.get("indicator", "")).strip()
        if key not in INDICATORS:
            keys = listed(INDICATORS)
            raise ValueError(Message(gettext_noop("第%(n)s个指标“%(key)s”不存在，可选：%(keys)s"), n=n, key=key, keys=keys))
        if key in seen:
            raise ValueError(Message(gettext_noop("指标“%(label)s”重复"), label=INDICATORS[key].label))
        seen.add(key)
        weight = _dec(item.get("weight", ""), "weight", n)
        if weight <= 0:
            raise ValueError(Message(gettext_noop("第%(n)s个指标的权重应大于0"), n=n))
        rule = str(item.get("rule", "linear")).strip()
        direction = str(item.get("direction") or natural_direction(key)).strip()
        if direction not in DIRECTIONS:
            raise ValueError(Message(gettext_noop("第%(n)s个指标的方向应为 up（越高越好）或 down（越低越好）"), n=n))
        refused = direction_refused(key, direction)
        if refused is not None:
            raise ValueError(refused)
        entry = {"indicator": key, "weight": _text(weight), "rule": rule}
        if direction == "down":
            entry["direction"] = "down"  # only when not "up": stored schemes keep their form
        if rule == "linear":
            floor = _dec(item.get("floor", "0"), "floor", n)
            target = _dec(item.get("target", ""), "target", n)
            if direction == "up" and target <= floor:
                raise ValueError(Message(gettext_noop("第%(n)s个指标的目标值应大于起点（越高越好）"), n=n))
            if direction == "down" and target >= floor:
                raise ValueError(Message(gettext_noop("第%(n)s个指标的目标值应小于起点（越低越好）"), n=n))
            entry.update(floor=_text(floor), target=_text(target))
        elif rule == "rank":
            last = _dec(item.get("last_points", DEFAULT_LAST_POINTS), "last_points", n)
            if not 0 <= last <= FULL:
                raise ValueError(Message(gettext_noop("第%(n)s个指标的末位得分应在0到100之间"), n=n))
            entry["last_points"] = _text(last)
        else:
            raise ValueError(Message(gettext_noop("第%(n)s个指标的计分规则应为 linear（线性）或 rank（按名次）"), n=n))
        out.append(entry)
    return out


#: The scheme ``seed_demo`` installs and the form starts from: 完成率 and 序时进度 carry most of
#: the weight (the bulletin's headline), then starts, completions, punctual reports, problems.
DEFAULT_INDICATORS: list[dict[str, Any]] = [
    {"indicator": "completion_rate", "weight": 40, "rule": "linear", "floor": 0, "target": 100},
    {"indicator": "ahead_points", "weight": 20, "rule": "rank", "last_points": 60},
    {"indicator": "start_rate", "weight": 15, "rule": "linear", "floor": 0, "target": 100},
    {"indicator": "completion_production_rate", "weight": 10, "rule": "linear", "floor": 0, "target": 100},
    {"indicator": "on_time_rate", "weight": 10, "rule": "linear", "floor": 60, "target": 100},
    {"indicator": "problem_closure_rate", "weight": 5, "rule": "linear", "floor": 0, "target": 100},
]


def linear_points(value: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """0 points at ``floor``, 100 at ``target``, linear between; ``target < floor`` scores an
    indicator where lower is better."""
    if target < floor:
        return linear_points(-value, -floor, -target)
    if value <= floor:
        return Decimal(0).quantize(POINTS)
    if value >= target:
        return FULL.quantize(POINTS)
    return ((value - floor) / (target - floor) * FULL).quantize(POINTS, rounding=ROUND_HALF_UP)


def rank_points(rank: int, n: int, last_points: Decimal) -> Decimal:
    if n <= 1:
        return FULL.quantize(POINTS)
    return (FULL - (Decimal(rank - 1) * (FULL - last_points) / Decimal(n - 1))).quantize(POINTS, rounding=ROUND_HALF_UP)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def scheme_config(scheme: AssessmentScheme) -> dict[str, Any]:
    """The scheme as it is when scored (kept in the snapshot)."""
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "unit_kind": scheme.unit_kind,
        "region": scheme.region_id,
        "indicators": normalise_indicators(scheme.indicators),
    }


# rate indicator → (fact flag of the projects it is over, fact flag of those it counts,
# UnitFigures numerator, UnitFigures denominator)
_RATE_BASES = {
    "start_rate": ("planned_new", "started", "started_new", "planned_new"),
    "completion_production_rate": ("planned_completion", "completed", "completed", "planned_completions"),
    "on_time_rate": ("report_due", "report_on_time", "reports_on_time", "reports_due"),
}


def _basis(key: str, unit: UnitFigures, facts: list[dict[str, Any]], problems: list[tuple[int, int, bool]], month: int) -> dict[str, Any]:
    """The figures and the projects behind one indicator value of one unit."""
    f = unit.figures
    if key in ("completion_rate", "ahead_points"):
        return {
            "invested_ytd": str(to_wan(f.invested_ytd)),
            "annual_plan": str(to_wan(f.annual_plan)),
            "completion_rate": _s(f.completion_rate),
            "time_progress": str(metrics.time_progress(month)),
            "projects": [r["project_id"] for r in facts],
            "counted": [],
        }
    if key in _RATE_BASES:
        in_base, counted, numerator, denominator = _RATE_BASES[key]
        base = [r for r in facts if r[in_base]]
        return {
            "numerator": getattr(f, numerator),
            "denominator": getattr(f, denominator),
            "projects": [r["project_id"] for r in base],
            "counted": [r["project_id"] for r in base if r[counted]],
        }
    if key in LEAD_INDICATORS:
        leads = unit.leads
        if leads is None:
            return {"numerator": None, "denominator": None, "leads": [], "projects": [], "counted": []}
        if key == "lead_funds_rate":
            numerator, denominator = str(to_wan(leads.arrived_amount)), str(to_wan(leads.signed_amount))
        else:
            numerator = leads.landed if key == "lead_landing_rate" else leads.started
            denominator = leads.signed
        counted = leads.started_projects if key == "lead_start_rate" else leads.projects
        return {
            "numerator": numerator,
            "denominator": denominator,
            "leads": sorted(leads.lead_ids),
            "projects": sorted(leads.projects),
            "counted": sorted(counted),
        }
    if unit.approvals is not None and key in APPROVAL_INDICATORS:
        return unit.approvals.basis(key)  # type: ignore[no-any-return]
    if key in APPROVAL_INDICATORS:
        return {"projects": [], "counted": []}
    if unit.fulfilment is not None and key in PARTNERSHIP_INDICATORS:
        return unit.fulfilment.basis(key)  # type: ignore[no-any-return]
    if key in PARTNERSHIP_INDICATORS:
        return {"numerator": 0, "denominator": 0, "commitments": [], "kept_commitments": [], "projects": [], "counted": []}
    if key == "problem_closure_rate":
        return {
            "numerator": unit.problems_solved,
            "denominator": unit.problems_raised,
            "problems": [pk for pk, _, _ in problems],
            "solved_problems": [pk for pk, _, solved in problems if solved],
            "projects": sorted({pid for _, pid, _ in problems}),
            "counted": sorted({pid for _, pid, solved in problems if solved}),
        }
    if key == "request_on_time_rate":
        return {"numerator": unit.requests_on_time, "denominator": unit.requests_due, "projects": [], "counted": []}
    if key == "request_satisfaction_rate":
        return {"numerator": unit.requests_satisfied, "denominator": unit.requests_rated, "projects": [], "counted": []}
    raise KeyError(key)


def score_units(
    *,
    config: dict[str, Any],
    period: Any,
    units: list[UnitFigures],
    facts: dict[str, list[dict[str, Any]]],
    problems: dict[str, list[tuple[int, int, bool]]],
) -> dict[str, Any]:
    """Score ``units`` by the scheme ``config`` (see the module docstring)."""
    items = config["indicators"]
    shown = {item["indicator"]: {u.key: display_value(item["indicator"], u.value(item["indicator"])) for u in units} for item in items}
    sign = {item["indicator"]: -1 if item.get("direction") == "down" else 1 for item in items}
    ranks = {key: rank_values({k: sign[key] * v for k, v in values.items() if v is not None}) for key, values in shown.items()}
    scored: list[dict[str, Any]] = []
    for u in units:
        lines = []
        weighted = Decimal(0)
        weights = Decimal(0)
        for item in items:
            key = item["indicator"]
            value = shown[key][u.key]
            weight = Decimal(item["weight"])
            rank = ranks[key].get(u.key)
            points: Decimal | None = None
            if value is not None:
                if item["rule"] == "linear":
                    points = linear_points(value, Decimal(item["floor"]), Decimal(item["target"]))
                else:
                    points = rank_points(rank or 0, len(ranks[key]), Decimal(item["last_points"]))
                weighted += weight * points
                weights += weight
            lines.append(
                {
                    "indicator": key,
                    "weight": item["weight"],
                    "rule": item["rule"],
                    "value": _s(value),
                    "rank": rank,
                    "ranked": len(ranks[key]),
                    "points": _s(points),
                    "applicable": value is not None,
                    "basis": _basis(key, u, facts.get(u.key, []), problems.get(u.key, []), period.month),
                }
            )
        score = (weighted / weights).quantize(POINTS, rounding=ROUND_HALF_UP) if weights else None
        scored.append({"key": u.key, "name": u.name, "projects": u.figures.projects, "score": score, "indicators": lines})
    unit_ranks = rank_values({s["key"]: s["score"] for s in scored})
    for s in scored:
        s["rank"] = unit_ranks[s["key"]]
        s["score"] = _s(s["score"])
    scored.sort(key=lambda s: (s["rank"], s["key"]))
    return {"scheme": config, "period": f"{period.year:04d}-{period.month:02d}", "month": period.month, "units": scored}


def assessment_compute(*, scheme: AssessmentScheme, period: Any) -> dict[str, Any]:
    """The result of ``scheme`` on ``period`` from the (frozen) facts and summaries. Pure read:
    storing it is ``services_assessment.assessment_snapshot``'s job."""
    config = scheme_config(scheme)
    root, kind = scheme.region, scheme.unit_kind
    return score_units(
        config=config,
        period=period,
        units=unit_figures(
            period=period,
            kind=kind,
            root=root,
            requests=any(i["indicator"] in REQUEST_INDICATORS for i in config["indicators"]),
            leads=any(i["indicator"] in LEAD_INDICATORS for i in config["indicators"]),
            approvals=any(i["indicator"] in APPROVAL_INDICATORS for i in config["indicators"]),
            fulfilment=any(i["indicator"] in PARTNERSHIP_INDICATORS for i in config["indicators"]),
        ),
        facts=unit_fact_groups(period=period, kind=kind, root=root),
        problems=problem_items(period=period, kind=kind, root=root),
    )


def result_digest(result: dict[str, Any]) -> str:
    """SHA-256 of the result in canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reads ---------------------------------------------------------------------------------


def schemes_visible_to(user: Any) -> QuerySet[AssessmentScheme]:
    """Schemes whose range is the user's region or inside it (a province user sees the
    province's and its cities' schemes; a city user its city's)."""
    qs = AssessmentScheme.objects.select_related("region")
    if policy.is_superuser(user):
        return qs
    region = policy.report_region(user)
    if region is None:
        return qs.none()
    if region.level == "province":
        return qs.filter(Q(region_id=region.code) | Q(region__province_code=region.code))
    return qs.filter(region_id=region.code)


def snapshots_of(scheme: AssessmentScheme, *, published_only: bool = False) -> QuerySet[AssessmentSnapshot]:
    qs = scheme.snapshots.select_related("period", "computed_by", "published_by").order_by("-period__year", "-period__month")
    return qs.filter(published_at__isnull=False) if published_only else qs


def schemes_assessing(user: Any) -> list[tuple[AssessmentScheme, str]]:
    """The schemes with a published result that assess ``user``'s own unit, each with the key
    the unit has in their results (``accounts.policy.assessed_key``); none for a user who is no
    assessed unit (an enterprise, an administrator, a province user)."""
    if not policy.can_read_own_assessment(user):
        return []
    published = AssessmentScheme.objects.filter(snapshots__published_at__isnull=False).distinct().select_related("region")
    found = [(s, policy.assessed_key(user, unit_kind=s.unit_kind, region=s.region)) for s in published]
    return [(s, key) for s, key in found if key is not None]


@dataclass(frozen=True)
class SchemeAccess:
    """How a user reads a scheme: as its range (``own`` None: every result, published or not,
    and every unit's explanation) or as one of the units it assesses (``own``: that unit's key;
    published results only, the ranking and the unit's own explanation)."""

    scheme: AssessmentScheme
    own: str | None = None

    @property
    def as_range(self) -> bool:
        return self.own is None


def scheme_access(user: Any, pk: int) -> SchemeAccess | None:
    """How ``user`` reads scheme ``pk``, or None when they may not read it at all."""
    scheme = schemes_visible_to(user).filter(pk=pk).first()
    if scheme is not None:
        return SchemeAccess(scheme)
    for assessing, key in schemes_assessing(user):
        if assessing.pk == pk:
            return SchemeAccess(assessing, key)
    return None


def snapshots_readable(user: Any) -> QuerySet[AssessmentSnapshot]:
    """Every stored result ``user`` reads, as the pages do (:func:`scheme_access`): each result,
    published or not, of the schemes of their range, and the published results of the schemes
    assessing their own unit (``/api/v1/assessments/``)."""
    assessing = [scheme.pk for scheme, _ in schemes_assessing(user)]
    return AssessmentSnapshot.objects.filter(
        Q(scheme__in=schemes_visible_to(user).values("pk")) | Q(scheme_id__in=assessing, published_at__isnull=False)
    )


def snapshot_access(user: Any, snapshot: AssessmentSnapshot) -> SchemeAccess | None:
    """How ``user`` reads ``snapshot`` (its scheme's :func:`scheme_access`), or None when it does
    not exist for them: a scheme they do not read, or a result not yet published of a scheme
    that assesses their unit (what :func:`snapshots_of` leaves out for them)."""
    access = scheme_access(user, snapshot.scheme_id)
    if access is None or (not access.as_range and snapshot.published_at is None):
        return None
    return access


def scheme_items(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A scheme's indicator list with the indicator's label and the rule's name (the
    "指标、权重和计分规则" table)."""
    return [
        {
            **item,
            "label": INDICATORS[item["indicator"]].label if item["indicator"] in INDICATORS else item["indicator"],
            "rule_label": RULES.get(item["rule"], item["rule"]),
            "direction_label": DIRECTIONS[item.get("direction") or natural_direction(item["indicator"])],
        }
        for item in indicators
    ]


@dataclass(frozen=True)
class SnapshotTables:
    """What the result page of a stored assessment shows (and its xlsx export writes): the
    scheme's indicators as scored, and each unit with its explained lines."""

    items: list[dict[str, Any]]
    units: list[dict[str, Any]]


def snapshot_tables(*, user: Any, snapshot: AssessmentSnapshot, own: str | None = None) -> SnapshotTables:
    """The tables of ``snapshot`` for ``user``. Project names come only for the projects the
    user may see (``Project.visible_to``), commitments' only for those they may see
    (``Commitment.visible_to``); any other shows as its id. With ``own`` (an assessed unit's
    key, :class:`SchemeAccess`): every unit's rank and score, but the explanation of that unit
    alone (the others' ``lines`` are empty and their figures left out)."""
    from keyprojects.projects.models import Project

    result = snapshot.result
    explained = [u for u in result["units"] if own is None or u["key"] == own]
    ids = {pid for u in explained for line in u["indicators"] for pid in line["basis"].get("projects", [])}
    names = dict(Project.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "name"))
    cids = [cid for u in explained for line in u["indicators"] for cid in line["basis"].get("commitments", [])]
    commitments = commitment_names(user, cids) if cids else {}
    units = []
    for u in result["units"]:
        if own is not None and u["key"] != own:
            shown = {k: u[k] for k in ("key", "name", "projects", "score", "rank")}
            units.append({**shown, "indicators": [], "lines": [], "commitments_shown": False, "own": False})
            continue
        lines = []
        for line in u["indicators"]:
            info = INDICATORS.get(line["indicator"])
            counted = set(line["basis"].get("counted", []))
            projects = [{"pk": pid, "name": names.get(pid), "counted": pid in counted} for pid in line["basis"].get("projects", [])]
            kept = set(line["basis"].get("kept_commitments", []))
            owed = []
            for cid in line["basis"].get("commitments", []):
                name, agreement = commitments.get(cid, (None, None))
                owed.append({"pk": cid, "name": name, "agreement": agreement, "kept": cid in kept})
            lines.append(
                {
                    **line,
                    "label": info.label if info else line["indicator"],
                    "kind": info.kind if info else "",
                    "project_list": projects,
                    "commitment_list": owed,
                }
            )
        units.append({**u, "lines": lines, "commitments_shown": any(line["commitment_list"] for line in lines), "own": u["key"] == own})
    return SnapshotTables(items=scheme_items(result["scheme"]["indicators"]), units=units)
