"""Reads of 政企合作协议: the scoped lists, a commitment's state on a day, the 履约提醒 (before
and after due dates) and the 履约率 per region and per department (issue 15, item 4).

The rate itself is :func:`keyprojects.analytics.metrics.fulfilment_rate`; a commitment's status on
a day is decided here, once (:func:`status_on`), and which commitments are due and which are kept
on that day too (:class:`Tally`) — for the 履约率 page and for the rankings and assessments
(``figures``) alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from keyprojects.accounts import policy
from keyprojects.analytics.metrics import as_percent, fulfilment_rate

from .choices import DEFAULT_ALERT_DAYS, SETTLED, CommitmentState, CommitmentStatus, Party
from .models import Agreement, Commitment, PartnershipConfig


def alert_days(value: Any = None) -> int:
    """Days before a due date an open commitment is flagged: ``value`` when it is a sensible
    number (0–365), else the business setting (:class:`PartnershipConfig`, /config/), else
    ``settings.KEYPROJECTS_COMMITMENT_ALERT_DAYS`` (default 30)."""
    try:
        n = int(value)
        if 0 <= n <= 365:
            return n
    except (TypeError, ValueError):
        pass
    stored = PartnershipConfig.objects.filter(pk=1).values_list("alert_days", flat=True).first()
    if stored is not None:
        return int(stored)
    return int(getattr(settings, "KEYPROJECTS_COMMITMENT_ALERT_DAYS", DEFAULT_ALERT_DAYS))


def agreements_visible(user: Any) -> QuerySet[Agreement]:
    return (
        Agreement.objects.visible_to(user)
        .select_related("enterprise", "region", "signatory_unit")
        .annotate(
            n_commitments=Count("commitments", distinct=True),
            n_fulfilled=Count("commitments", filter=Q(commitments__status=CommitmentStatus.FULFILLED), distinct=True),
        )
    )


def agreements_search(user: Any, *, q: str = "", region: str = "", enterprise: Any = None) -> QuerySet[Agreement]:
    qs = agreements_visible(user)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(enterprise__name__icontains=q) | Q(signatory_name__icontains=q) | Q(signatory_unit__name__icontains=q)
        )
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__city_code=region))
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs.order_by("-signed_on", "-id")


def commitments_visible(user: Any) -> QuerySet[Commitment]:
    return Commitment.objects.visible_to(user).select_related(
        "agreement", "agreement__enterprise", "agreement__region", "owner_unit", "claimed_by", "confirmed_by"
    )


def with_state(commitments: Iterable[Commitment], *, today: dt.date | None = None, days: int | None = None) -> list[Commitment]:
    """``commitments`` with ``.state`` (:class:`CommitmentState` value) and ``.state_label`` set."""
    today = today or timezone.localdate()
    days = alert_days(days)
    rows = list(commitments)
    for c in rows:
        c.state_value = c.state(today, days)  # type: ignore[attr-defined]
        c.state_label = str(CommitmentState(c.state_value).label)  # type: ignore[attr-defined]
        c.days_left = (c.due_on - today).days  # type: ignore[attr-defined]
        c.days_over = -c.days_left  # type: ignore[attr-defined]
    return rows


def commitment_alerts(user: Any, *, today: dt.date | None = None, days: int | None = None) -> list[Commitment]:
    """履约提醒: open commitments due within ``days`` (即将到期) or past their due date (逾期未履行),
    overdue first, then by due date."""
    today = today or timezone.localdate()
    days = alert_days(days)
    qs = commitments_visible(user).filter(status=CommitmentStatus.OPEN, due_on__lte=today + dt.timedelta(days=days))
    rows = with_state(qs.order_by("due_on", "id"), today=today, days=days)
    return sorted(rows, key=lambda c: (c.state_value != CommitmentState.OVERDUE, c.due_on, c.pk))  # type: ignore[attr-defined]


def pending_confirmations(user: Any) -> list[Commitment]:
    """Recorded fulfilments waiting for confirmation that ``user`` may confirm (never their own)."""
    if not policy.can_record_agreements(user):
        return []
    qs = commitments_visible(user).filter(status=CommitmentStatus.CLAIMED).order_by("claimed_on", "id")
    return [c for c in qs if policy.can_confirm_commitment(user, c)]


# --- 履约率 -----------------------------------------------------------------------------------


def status_on(c: Commitment, day: dt.date) -> str:
    """The :class:`CommitmentStatus` ``c`` had at the end of ``day`` (local dates).

    Settled (已履行 / 部分履行 / 未履行) once confirmed: from the local date of ``confirmed_at`` on.
    A settled status is final and ``confirmed_at`` is written once with it (the services:
    a claim needs an open commitment, a confirmation a claimed one; nothing else writes the
    status), so this is exact. Before that 待确认 from the local date of its claim's
    ``claimed_at`` on, and 履约中 before. A claim that was sent back leaves no time in the fields
    (the commitment is open again, ``claimed_at`` is the next claim's): a day under it reads
    履约中 — which moves the 待确认 / 逾期未履行 counts, never 应履约 or 已履行. For today (or
    later) this is the stored status.
    """
    status = c.status
    if status in SETTLED and c.confirmed_at is not None and timezone.localdate(c.confirmed_at) <= day:
        return str(status)
    if status != CommitmentStatus.OPEN and c.claimed_at is not None and timezone.localdate(c.claimed_at) <= day:
        return CommitmentStatus.CLAIMED
    return CommitmentStatus.OPEN


@dataclass
class Tally:
    """One row of the 履约率 tables: counts of a group's commitments on a day, each commitment
    taken with the status it had that day (:func:`status_on`), so a later confirmation leaves a
    past day's counts as they were."""

    key: str
    name: str
    total: int = 0
    due: int = 0  # 应履约: due date reached by the day, or settled by then before it
    kept: int = 0  # 已履行 (confirmed by the day)
    partial: int = 0  # 部分履行 (confirmed by the day)
    broken: int = 0  # 未履行 (confirmed by the day)
    overdue: int = 0  # open past the due date (逾期未履行)
    claimed: int = 0  # recorded by the day, waiting for confirmation
    not_due: int = 0  # open, not yet due
    due_ids: list[int] = field(default_factory=list, repr=False)  # the commitments counted as due
    kept_ids: list[int] = field(default_factory=list, repr=False)  # those of them kept

    @property
    def rate(self) -> Decimal | None:
        return fulfilment_rate(self.kept, self.due)

    @property
    def rate_percent(self) -> Decimal | None:
        return as_percent(self.rate)

    def add(self, c: Commitment, as_of: dt.date) -> None:
        self.total += 1
        status = status_on(c, as_of)
        if status in SETTLED or c.due_on <= as_of:
            self.due += 1
            self.due_ids.append(c.pk)
        if status == CommitmentStatus.FULFILLED:
            self.kept += 1
            self.kept_ids.append(c.pk)
        elif status == CommitmentStatus.PARTIAL:
            self.partial += 1
        elif status == CommitmentStatus.BROKEN:
            self.broken += 1
        elif status == CommitmentStatus.CLAIMED:
            self.claimed += 1
        elif c.due_on < as_of:
            self.overdue += 1
        else:
            self.not_due += 1


def tally(commitments: Iterable[Commitment], as_of: dt.date, name: str = "合计") -> Tally:
    t = Tally(key="", name=name)
    for c in commitments:
        t.add(c, as_of)
    return t


def _region_key(region: Any, home: Any) -> tuple[str, str]:
    """The group a region's agreements fall in for a user at home in ``home``: a province user
    sees cities, a city user its counties (and the city itself), a county user itself."""
    from keyprojects.regions.models import Region

    if home is None or home.level == "province":
        code = region.code if region.level in ("province", "city") else region.city_code
    else:
        code = region.code
    if code == region.code:
        return code, region.name
    parent = Region.objects.filter(code=code).only("name").first()
    return code, parent.name if parent else code


def fulfilment_by_region(user: Any, *, as_of: dt.date | None = None, party: str = "") -> tuple[list[Tally], Tally]:
    """履约率 per region (one level below the user's region) and the total, over the commitments
    the user sees (``party``: only the government's or the enterprise's), at the end of ``as_of``
    (default today)."""
    as_of = as_of or timezone.localdate()
    qs = commitments_visible(user)
    if party:
        qs = qs.filter(party=party)
    home = policy.work_region(user) if policy.scope_kind(user) == "region" or policy.is_superuser(user) else None
    rows: dict[str, Tally] = {}
    names: dict[str, tuple[str, str]] = {}
    total = Tally(key="", name=gettext("合计"))
    for c in qs:
        region = c.agreement.region
        if region.code not in names:
            names[region.code] = _region_key(region, home)
        key, name = names[region.code]
        rows.setdefault(key, Tally(key=key, name=name)).add(c, as_of)
        total.add(c, as_of)
    return sorted(rows.values(), key=lambda t: t.key), total


def fulfilment_by_department(user: Any, *, as_of: dt.date | None = None) -> tuple[list[Tally], Tally]:
    """履约率 per department: the government's commitments grouped by their 责任单位 (those
    without one under 未指定责任单位), best rate first."""
    as_of = as_of or timezone.localdate()
    qs = commitments_visible(user).filter(party=Party.GOVERNMENT)
    rows: dict[str, Tally] = {}
    total = Tally(key="", name=gettext("合计"))
    for c in qs:
        key = str(c.owner_unit_id or "")
        name = c.owner_unit.name if c.owner_unit_id else gettext("未指定责任单位")  # type: ignore[union-attr]
        rows.setdefault(key, Tally(key=key, name=name)).add(c, as_of)
        total.add(c, as_of)
    worst = Decimal(-1)
    return sorted(rows.values(), key=lambda t: (-(t.rate if t.rate is not None else worst), t.name)), total


def fulfilment_for_enterprise(user: Any, enterprise: Any, *, as_of: dt.date | None = None) -> dict[str, Tally]:
    """An enterprise's agreements' 履约率, the government's side and its own."""
    as_of = as_of or timezone.localdate()
    rows = list(commitments_visible(user).filter(agreement__enterprise=enterprise))
    return {
        "government": tally([c for c in rows if c.party == Party.GOVERNMENT], as_of, "政府承诺"),
        "enterprise": tally([c for c in rows if c.party == Party.ENTERPRISE], as_of, "企业承诺"),
    }
