"""The 履约率 of a ranked unit (ADR 0014), for 比武打擂 and 双考核双评价 schemes
(``analytics.rankings.INDICATORS``): 政府承诺履约率.

For a period, counted as of its last day (today for the running month), over the government's
commitments of the agreements inside a root region (a province, a city or a county), for the
units of a kind (``analytics.rankings``):

* a region: the agreement's region one level below the root (a province's cities, a city's
  counties); an agreement of the root itself belongs to no child;
* a department: the commitment's 责任单位 (owner unit) when it is a department;
* a function zone: the owner unit when it is a zone (its 管委会 owes the commitment).

Which commitments are due and which are kept is :class:`~.selectors.Tally` (the 履约率 page's
rows), the rate :func:`keyprojects.analytics.metrics.fulfilment_rate` (``Tally.rate``): nothing
is decided again here. A unit without a due commitment has no value (the indicator is not
applicable to it). As on the 履约率 page for that day, both the due dates and each commitment's
status are judged on the period's last day (:func:`~.selectors.status_on`): a commitment
confirmed after it counts as it stood then, so later confirmations leave a past month's ranking
as it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from keyprojects.accounts.policy import region_rows_q
from keyprojects.regions.choices import UnitKind

from .choices import Party
from .models import Commitment
from .selectors import Tally

#: The indicators this module answers, by key (``analytics.rankings.INDICATORS`` lists them).
PARTNERSHIP_INDICATORS = ("fulfilment_rate",)


@dataclass
class FulfilmentFigures:
    """One unit's government commitments in a period (ids kept to explain a score)."""

    tally: Tally = field(default_factory=lambda: Tally(key="", name=""))

    def value(self, indicator: str) -> Decimal | None:
        if indicator == "fulfilment_rate":
            return self.tally.rate
        raise KeyError(indicator)

    def basis(self, indicator: str) -> dict[str, Any]:
        """What an assessment line shows under the value: kept / due, the due commitments (those
        kept marked) and how the rest of them stand."""
        if indicator != "fulfilment_rate":
            raise KeyError(indicator)
        t = self.tally
        return {
            "numerator": t.kept,
            "denominator": t.due,
            "commitments": sorted(t.due_ids),
            "kept_commitments": sorted(t.kept_ids),
            "partial": t.partial,
            "broken": t.broken,
            "overdue": t.overdue,
            "claimed": t.claimed,
            "projects": [],
            "counted": [],
        }


def _unit_key(kind: str, root: Any) -> tuple[Any, dict[str, Any]]:
    """The unit key of a commitment for units of ``kind`` under ``root``, and the filter that
    keeps the commitments such a unit can owe."""
    if kind == "region":
        if root.level == "province":  # a county's agreements count for its city
            return Coalesce(NullIf(F("agreement__region__city_code"), Value("")), F("agreement__region_id")), {}
        return F("agreement__region_id"), {}
    if kind in ("department", "zone"):
        unit_kind = UnitKind.ZONE if kind == "zone" else UnitKind.DEPARTMENT
        return F("owner_unit_id"), {"owner_unit__kind": unit_kind}
    raise ValueError(f"unknown unit kind {kind!r}")


def _scoped(user: Any) -> QuerySet[Commitment]:
    return Commitment.objects.all() if user is None else Commitment.objects.visible_to(user)


def unit_fulfilment_figures(*, period: Any, kind: str, root: Any, user: Any = None) -> dict[str, FulfilmentFigures]:
    """:class:`FulfilmentFigures` of the units of ``kind`` under ``root`` for ``period``, by unit
    key (a region code, or a unit id as text), over the commitments ``user`` may see (``None``:
    all)."""
    from keyprojects.dispatch.selectors import period_end

    as_of = min(period_end(period), timezone.localdate())
    column, only = _unit_key(kind, root)
    rows = (
        _scoped(user)
        .filter(region_rows_q(root, "agreement__region__", county_field="code"), party=Party.GOVERNMENT, **only)
        .annotate(unit_key=column)
        .only("pk", "status", "due_on", "claimed_at", "confirmed_at")
        .order_by("pk")
    )
    out: dict[str, FulfilmentFigures] = defaultdict(FulfilmentFigures)
    for c in rows:
        key = c.unit_key  # type: ignore[attr-defined]
        if key in (None, "") or (kind == "region" and str(key) == root.code):
            continue
        out[str(key)].tally.add(c, as_of)
    return dict(out)


def commitment_names(user: Any, ids: list[int]) -> dict[int, tuple[str, int]]:
    """For an explained score: the commitments of ``ids`` that ``user`` may see, as (协议名称 ·
    承诺类别, agreement id); the others are left out (the page shows their id only)."""
    rows = Commitment.objects.visible_to(user).filter(pk__in=ids).select_related("agreement").only("pk", "kind", "agreement__title")
    return {c.pk: (f"{c.agreement.title} · {c.get_kind_display()}", c.agreement_id) for c in rows}
