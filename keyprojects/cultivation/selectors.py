"""Reads of the “双50” 培育名单 (ADR 0020): the scoped lists and entries, and each list's figures —
入选 against 名额, 签约率 (:func:`keyprojects.analytics.metrics.signing_rate`) and the 履约率 of the
government's commitments in the linked agreements, counted by partnership's
:class:`~keyprojects.partnership.selectors.Tally` (the one place that decides what is due and kept).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from keyprojects.analytics.metrics import as_percent, signing_rate
from keyprojects.partnership.choices import Party
from keyprojects.partnership.models import Commitment
from keyprojects.partnership.selectors import Tally

from .choices import EntryStatus
from .models import CultivationEntry, CultivationList


def lists_visible(user: Any, *, year: Any = None, region: str = "", kind: str = "") -> QuerySet[CultivationList]:
    qs = (
        CultivationList.objects.visible_to(user)
        .select_related("region")
        .annotate(
            n_nominated=Count("entries", filter=Q(entries__status=EntryStatus.NOMINATED)),
            n_admitted=Count("entries", filter=Q(entries__status=EntryStatus.ADMITTED)),
        )
    )
    if year:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__city_code=region))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "region_id", "kind")


def entries_visible(user: Any) -> QuerySet[CultivationEntry]:
    return CultivationEntry.objects.visible_to(user).select_related(
        "cultivation_list", "cultivation_list__region", "enterprise", "enterprise__region", "agreement", "nominated_by", "decided_by"
    )


def entries_search(user: Any, clist: CultivationList, *, q: str = "", status: str = "") -> QuerySet[CultivationEntry]:
    qs = entries_visible(user).filter(cultivation_list=clist)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q) | Q(reason__icontains=q))
    if status == "removal_pending":
        qs = qs.filter(status=EntryStatus.ADMITTED, removal_proposed_by__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("enterprise__name", "id")


@dataclass
class ListFigures:
    """A list's figures for one user on one day."""

    capacity: int
    admitted: int = 0  # 已入选 (including those with a removal waiting for confirmation)
    nominated: int = 0  # 待审定
    signed: int = 0  # admitted with their 政企合作协议 linked
    fulfilment: Tally = field(default_factory=lambda: Tally(key="", name="政府承诺"))

    @property
    def room(self) -> int:
        return max(self.capacity - self.admitted, 0)

    @property
    def signing_rate(self) -> Decimal | None:
        return signing_rate(self.signed, self.admitted)

    @property
    def signing_percent(self) -> Decimal | None:
        return as_percent(self.signing_rate)


def list_figures(user: Any, lists: Iterable[CultivationList], *, as_of: dt.date | None = None) -> dict[int, ListFigures]:
    """Figures of ``lists`` over the entries and commitments ``user`` sees, on ``as_of`` (today)."""
    as_of = as_of or timezone.localdate()
    lists = list(lists)
    out = {c.pk: ListFigures(capacity=c.capacity) for c in lists}
    rows = (
        entries_visible(user)
        .filter(cultivation_list__in=[c.pk for c in lists])
        .values_list("cultivation_list_id", "status", "agreement_id")
    )
    agreements: dict[int, set[int]] = defaultdict(set)
    for list_id, status, agreement_id in rows:
        f = out[list_id]
        if status == EntryStatus.NOMINATED:
            f.nominated += 1
        elif status == EntryStatus.ADMITTED:
            f.admitted += 1
            if agreement_id:
                f.signed += 1
                agreements[agreement_id].add(list_id)
    if agreements:
        commitments = Commitment.objects.visible_to(user).filter(party=Party.GOVERNMENT, agreement_id__in=list(agreements))
        for c in commitments:
            for list_id in agreements[c.agreement_id]:
                out[list_id].fulfilment.add(c, as_of)
    return out


def list_commitments(user: Any, clist: CultivationList) -> QuerySet[Commitment]:
    """The government's commitments of the agreements linked to the list's admitted entries (what
    its 履约率 counts), as partnership's selectors read them."""
    linked = entries_visible(user).filter(cultivation_list=clist, status=EntryStatus.ADMITTED, agreement__isnull=False)
    return (
        Commitment.objects.visible_to(user)
        .filter(party=Party.GOVERNMENT, agreement_id__in=linked.values("agreement_id"))
        .select_related("agreement", "agreement__enterprise", "owner_unit")
        .order_by("due_on", "id")
    )


def agreements_to_link(user: Any, entries: Iterable[CultivationEntry]) -> dict[int, Any]:
    """For each of ``entries`` with no 政企合作协议 linked whose enterprise has signed one that
    ``user`` sees (partnership's 协议台账): the latest such agreement, by entry id. The list's
    签约率 counts linked agreements only; these are the ones waiting to be linked (有协议未关联)."""
    from keyprojects.partnership.models import Agreement

    waiting = [e for e in entries if not e.agreement_id]
    if not waiting:
        return {}
    latest: dict[int, Any] = {}
    rows = Agreement.objects.visible_to(user).filter(enterprise_id__in={e.enterprise_id for e in waiting}).order_by("-signed_on", "-id")
    for a in rows.only("pk", "title", "signed_on", "enterprise_id"):
        latest.setdefault(a.enterprise_id, a)
    return {e.pk: latest[e.enterprise_id] for e in waiting if e.enterprise_id in latest}


def own_entries(user: Any) -> QuerySet[CultivationEntry]:
    """An enterprise contact's view: the lists its enterprise is on."""
    return entries_visible(user).order_by("-cultivation_list__year", "cultivation_list__kind")
