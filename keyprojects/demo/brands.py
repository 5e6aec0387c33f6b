"""Demo “泉城好品” brand selection (ADR 0019): this year's first round of Jinan, open (the byd
login can apply), with applications submitted, passed, returned and a draft; and last year's
pilot round, published, with selected and not selected brands (byd's among them). The rounds
and applications are in ``data/brands.json``. Rows are validated (``full_clean``) and written
directly like the other demo data; entered by the 历下区 login on the enterprises' behalf,
reviewed by its second account, scored by the city and decided by the province (four eyes).
Seeding again after a reset (which deletes the applications with the enterprises) keeps the rounds
and fills them again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from .common import BUSINESSES
from .reference import load


def _window(spec: dict[str, Any], today: dt.date) -> tuple[int, dt.date, dt.date]:
    year = today.year - int(spec["years_back"])
    if "opens_days" in spec:
        opens = max(today + dt.timedelta(days=int(spec["opens_days"])), dt.date(year, 1, 1))
        return year, opens, today + dt.timedelta(days=int(spec["closes_days"]))
    month, day = (int(x) for x in spec["opens"].split("-"))
    c_month, c_day = (int(x) for x in spec["closes"].split("-"))
    return year, dt.date(year, month, day), dt.date(year, c_month, c_day)


def _applicant(others: list[Any], wanted: dict[str, list[str]]) -> Any:
    """The first of ``others`` (Jinan's businesses) whose GB/T 4754 section is one of
    ``wanted["sections"]``, one whose name has one of ``wanted["words"]`` first (a flour brand is a
    food manufacturer's, not a machine maker's); taken from ``others``, so that each applies once.
    A tiny demo without a business of that kind takes the next one, so that every status shows."""
    fits = [e for e in others if e.industry_section in wanted["sections"]]
    named = [e for e in fits if any(w in e.name for w in wanted.get("words", ()))]
    chosen = (named or fits or others or [None])[0]
    if chosen is not None:
        others.remove(chosen)
    return chosen


def seed_brands() -> dict[str, int]:
    from keyprojects.accounts.models import User
    from keyprojects.brands.models import BrandApplication, SelectionRound
    from keyprojects.enterprises.models import Enterprise

    names = ["lixia", "lixia_sh", "jinan", "province", "byd"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names) or BrandApplication.objects.exists():
        return {"brand_rounds": SelectionRound.objects.count(), "brand_applications": BrandApplication.objects.count()}
    data = load("brands.json")
    today = timezone.localdate()
    now = timezone.now()
    byd = users["byd"].enterprise
    others = list(
        Enterprise.objects.filter(Q(region__city_code="370100") | Q(region_id="370100"), BUSINESSES).exclude(pk=byd.pk).order_by("id")
    )
    rounds: dict[str, SelectionRound] = {}
    for spec in data["rounds"]:
        year, opens, closes = _window(spec, today)
        kept = SelectionRound.objects.filter(region_id=spec["region"], year=year, name=spec["name"]).first()
        if kept is not None:  # a reset deletes the applications with the enterprises, not the rounds
            rounds[spec["key"]] = kept
            continue
        r = SelectionRound(
            region_id=spec["region"],
            year=year,
            name=spec["name"],
            status=spec["status"],
            opens_on=opens,
            closes_on=closes,
            max_selected=int(spec["max_selected"]),
            reward_ceiling=Decimal(spec["reward_ceiling"]),
            note=spec["note"],
            created_by=users["jinan"],
        )
        r.full_clean()
        r.save()
        rounds[spec["key"]] = r
    count = 0
    for spec in data["applications"]:
        rnd = rounds[spec["round"]]
        enterprise = byd if spec["enterprise"] == "byd" else _applicant(others, spec["enterprise"])
        if enterprise is None:
            continue  # a tiny demo has fewer businesses
        status = spec["status"]
        a = BrandApplication(
            round=rnd,
            enterprise=enterprise,
            category=spec["category"],
            brand_name=spec["brand"],
            trademark_no=spec["trademark"],
            trademark_valid_until=rnd.closes_on + dt.timedelta(days=3 * 365),
            years_in_city=int(spec["years"]),
            has_valid_trademark=True,
            is_cultivation_enterprise=True,
            has_quality_system=status != "returned",
            is_advanced=True,
            description=spec.get("description", ""),
            status=status,
            reward_cap=rnd.reward_ceiling,
            created_by=users["byd"] if enterprise is byd else users["lixia"],
        )
        if status != "draft":
            a.submitted_by, a.submitted_at = a.created_by, now - dt.timedelta(days=10)
            if status != "submitted":
                a.reviewed_by, a.reviewed_at, a.review_note = users["lixia_sh"], now - dt.timedelta(days=8), spec.get("note", "")
            if "score" in spec:
                a.score, a.scored_by, a.scored_at = Decimal(spec["score"]), users["jinan"], now - dt.timedelta(days=5)
                a.review_note = ""
            if status in ("selected", "not_selected"):
                a.decided_by, a.decided_at, a.decision_note = users["province"], now - dt.timedelta(days=3), spec.get("note", "")
                a.reward_amount = Decimal(spec["reward"]) if "reward" in spec else None
        a.full_clean()
        a.save()
        count += 1
    return {"brand_rounds": len(rounds), "brand_applications": count}
