"""Demo “双50” 培育名单 (ADR 0020): the demo city's lists of the demo year (data/cultivation.json)
with entries in every state — nominated, admitted (some with their demo 政企合作协议 linked),
rejected, removed, and one removal waiting for confirmation. Rows are validated (``full_clean``)
and written directly like the other demo data; nominated or proposed by one demo login and
decided or confirmed by another (four eyes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from .common import BUSINESSES, MANUFACTURERS_FIRST
from .reference import load

DATA = load("cultivation.json")
MANUFACTURING = "C"  # GB/T 4754 门类 C 制造业


def seed_cultivation(*, year: int | None = None) -> dict[str, int]:
    from keyprojects.accounts.models import User
    from keyprojects.cultivation.models import CultivationEntry, CultivationList
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.partnership.models import Agreement
    from keyprojects.regions.models import Region

    users = {u.username: u for u in User.objects.filter(username__in=["province", "jinan", "lixia", "byd"])}
    if len(users) < 4 or CultivationEntry.objects.exists():
        return {"cultivation_entries": CultivationEntry.objects.count()}
    now = timezone.now()
    year = year or timezone.localdate().year
    city = Region.objects.get(code=DATA["region"])
    lists: dict[str, Any] = {}
    for spec in DATA["lists"]:
        clist = CultivationList.objects.filter(region=city, year=year, kind=spec["kind"]).first()
        if clist is None:
            clist = CultivationList(region=city, year=year, created_by=users["jinan"], **spec)
            clist.full_clean()
            clist.save()
        lists[spec["kind"]] = clist
    in_city = Q(region__city_code=city.code) | Q(region_id=city.code)
    byd = users["byd"].enterprise
    # “双50” are lists of manufacturers (制造业, section C): the city's manufacturers first, other
    # businesses only when a small demo has too few of them
    enterprises = [byd, *Enterprise.objects.filter(in_city, BUSINESSES).exclude(pk=byd.pk).order_by(MANUFACTURERS_FIRST, "id")]
    agreements = {}
    for a in Agreement.objects.filter(enterprise__in=[e.pk for e in enterprises]).order_by("signed_on", "id"):
        agreements.setdefault(a.enterprise_id, a)
    signed = [e for e in enterprises if e.pk in agreements]
    unsigned = [e for e in enterprises if e.pk not in agreements]
    count = 0
    for i, spec in enumerate(DATA["entries"]):
        pool = signed if spec["agreement"] else unsigned
        if not pool:
            continue
        if pool[0].industry_section != MANUFACTURING and (pool is signed) and unsigned and unsigned[0].industry_section == MANUFACTURING:
            pool = unsigned  # a manufacturer without an agreement rather than a non-manufacturer with one
        ent = pool.pop(0)
        nominator = users["lixia"] if ent.region_id == users["lixia"].region_id else users["jinan"]
        decider = users["province"] if nominator.username == "jinan" else users["jinan"]
        status = spec["status"]
        at = now - dt.timedelta(days=120 - i)
        e = CultivationEntry(
            cultivation_list=lists[spec["list"]],
            enterprise=ent,
            status="admitted" if status == "removal_pending" else status,
            reason=spec["reason"],
            revenue=Decimal(spec["revenue"]),
            tax=Decimal(spec["tax"]),
            rd_spending=Decimal(spec["rd_spending"]),
            nominated_by=nominator,
            nominated_at=at,
        )
        if status != "nominated":
            e.decided_by, e.decided_at = decider, at + dt.timedelta(days=5)
            e.decision_note = spec.get("decision_note", "经审核符合筛选条件" if status != "rejected" else "")
        if status in ("removed", "removal_pending"):
            e.removal_reason = spec["removal_reason"]
            e.removal_proposed_by, e.removal_proposed_at = nominator, now - dt.timedelta(days=spec.get("removed_days_ago", 3) + 2)
        if status == "removed":
            e.removed_by, e.removed_on = decider, timezone.localdate() - dt.timedelta(days=spec["removed_days_ago"])
        if ent.pk in agreements and spec["agreement"] and spec.get("link", True) and status in ("admitted", "removal_pending"):
            e.agreement = agreements[ent.pk]
        e.full_clean()
        e.save()
        count += 1
    return {"cultivation_lists": len(lists), "cultivation_entries": count}
