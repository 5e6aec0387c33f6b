"""Demo 政企合作协议 and 一企一策 (issue 15, items 3 and 4): agreements of Jinan's enterprises (and
two elsewhere) with commitments on both sides — kept, partly kept, broken, overdue, due soon,
waiting for confirmation — assistance measures, policies granted and a 包联 official per
enterprise. Rows are validated (``full_clean``) and written directly, like the other demo data (the seed
writes one audit event, not one per row); recorded and confirmed by two different demo logins
(four eyes). Dates run back from today so that the 履约提醒 are about the day somebody looks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

# (title, party, kind, description, target, measure, due offset in days from today, outcome)
# outcome: kept | partial | broken | claimed (waiting for confirmation) | open
COMMITMENTS: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    ("government", "land", "交付项目净地", "120", "亩", -300, "kept"),
    ("government", "approval", "办结施工许可等前期审批", "", "", -200, "kept"),
    ("government", "subsidy", "兑现设备购置补贴", "800", "万元", -40, "open"),  # 逾期未履行
    ("enterprise", "investment", "完成固定资产投资", "50000", "万元", -60, "partial"),
    ("enterprise", "output", "实现年产值", "200000", "万元", 20, "open"),  # 即将到期
    ("enterprise", "tax", "年纳税额", "6000", "万元", -10, "claimed"),
    ("enterprise", "jobs", "新增就业岗位", "1500", "人", 400, "open"),
    ("government", "gov_other", "协调配套电力增容", "", "", -90, "broken"),
)
MEASURES = (
    ("协调供电公司提前完成双回路供电", "帮助企业提前两个月投产"),
    ("组织银企对接会，推荐3家银行授信", "获得授信5亿元"),
    ("专班上门指导环评报告编制", "环评批复时间缩短至20个工作日"),
    ("协调解决员工子女入学", ""),
)
GRANTS = (("技术改造专项资金", Decimal("300")), ("新增规上工业企业奖励", Decimal("50")), ("稳岗返还", Decimal("12.5")))


def seed_partnership() -> dict[str, int]:
    from keyprojects.accounts.models import User
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.partnership.models import Agreement, AssistanceMeasure, Commitment, EnterpriseLiaison, PolicyGrant
    from keyprojects.projects.models import Project
    from keyprojects.regions.models import Unit

    from .common import BUSINESSES, DEMO_COUNTIES, MANUFACTURERS_FIRST
    from .reference import SPECIAL_OWNERS

    users = {u.username: u for u in User.objects.filter(username__in=["province", "jinan", "lixia", "jinan_fgw", "byd", "leader"])}
    if len(users) < 6 or Agreement.objects.exists():
        return {"agreements": Agreement.objects.count()}
    today = timezone.localdate()
    fgw = users["jinan_fgw"].unit
    units = list(Unit.objects.filter(region_id="370100", kind="department").exclude(pk=getattr(fgw, "pk", None)).order_by("name")[:3])
    byd = users["byd"].enterprise
    in_jinan = Q(region__city_code="370100") | Q(region_id="370100")
    # a demo county's enterprise first (the one with a project in it, if any), so that its county
    # logins have an agreement to keep and 历下区 a 履约率 of its own; then Jinan's first ones
    local = [
        Enterprise.objects.filter(region_id=code)
        .exclude(pk=byd.pk)
        .order_by(Exists(Project.objects.filter(owner=OuterRef("pk"), region_id=code)).desc(), MANUFACTURERS_FIRST, "id")
        .first()
        for code in DEMO_COUNTIES
    ]
    local = [e for e in local if e is not None]
    jinan_ents = [
        *local,
        *Enterprise.objects.filter(in_jinan, BUSINESSES)
        .exclude(pk__in=[byd.pk, *(e.pk for e in local)])
        .order_by(MANUFACTURERS_FIRST, "id")[: 4 - len(local)],
    ]
    elsewhere = list(Enterprise.objects.exclude(in_jinan).order_by("id")[:2])
    counts = {"agreements": 0, "commitments": 0, "measures": 0, "policy_grants": 0, "liaisons": 0}

    def make(enterprise: Any, actor: Any, n: int, specs: tuple[tuple[str, str, str, str, str, int, str], ...]) -> None:
        owner_units = [fgw, *units] if enterprise.region.city_code == "370100" or enterprise.region_id == "370100" else [None]
        project = Project.objects.filter(owner=enterprise).order_by("id").first()
        name = SPECIAL_OWNERS["byd"][0] if enterprise.pk == byd.pk else enterprise.name
        a = Agreement(
            title=f"{name}投资合作协议",
            enterprise=enterprise,
            region=enterprise.region,
            signatory_unit=owner_units[0],
            signatory_name="" if owner_units[0] else f"{enterprise.region.name}人民政府",
            signed_on=today - dt.timedelta(days=420 + 30 * n),
            amount=Decimal(30000 + 10000 * n),
            note="演示数据",
            created_by=actor,
        )
        a.full_clean()
        a.save()
        if project is not None:
            a.projects.add(project)
        counts["agreements"] += 1
        for i, (party, kind, text, target, measure, due, outcome) in enumerate(specs):
            c = Commitment(
                agreement=a,
                party=party,
                kind=kind,
                description=text,
                target_value=Decimal(target) if target else None,
                measure=measure,
                due_on=today + dt.timedelta(days=due + n),
                owner_unit=owner_units[i % len(owner_units)] if party == "government" else None,
            )
            if outcome != "open":
                if party == "enterprise" and enterprise.pk == byd.pk:
                    claimer = users["byd"]
                elif c.owner_unit is not None and c.owner_unit == fgw:
                    claimer = users["jinan_fgw"]
                elif enterprise.region_id == "370102":
                    claimer = users["lixia"]
                else:
                    claimer = users["jinan"]
                confirmer = users["province"] if claimer.username == "jinan" else users["jinan"]
                result = {"kept": "fulfilled", "partial": "partial", "broken": "broken", "claimed": "fulfilled"}[outcome]
                c.claimed_result = result
                c.claimed_by = claimer
                c.claimed_on = min(c.due_on, today) - dt.timedelta(days=3)
                # recorded the day after, confirmed two days after: a past month's 履约率 sees them then
                recorded = timezone.make_aware(dt.datetime.combine(c.claimed_on, dt.time(10)))
                c.claimed_at = recorded + dt.timedelta(days=1)
                c.evidence_text = {
                    "fulfilled": "验收材料及交付确认书已归档",
                    "partial": "审计报告：已完成目标的六成",
                    "broken": "期限内未落实，已约谈并重新议定",
                }[result]
                if c.target_value is not None and result != "broken":
                    c.achieved_value = (
                        c.target_value if result == "fulfilled" else (c.target_value * Decimal("0.6")).quantize(Decimal("0.01"))
                    )
                if outcome == "claimed":
                    c.status = "claimed"
                else:
                    c.status = result
                    c.confirmed_by = confirmer
                    c.confirmed_at = recorded + dt.timedelta(days=2)
                    c.confirm_note = "经核实"
            c.full_clean()
            c.save()
            counts["commitments"] += 1

    make(byd, users["jinan"], 0, COMMITMENTS)
    for n, ent in enumerate(jinan_ents, start=1):
        # each enterprise a different mix: rotate the outcomes so rates differ between units
        rotated = COMMITMENTS[n:] + COMMITMENTS[:n]
        specs = tuple((p, k, t, tv, m, d, rotated[i][6]) for i, (p, k, t, tv, m, d, _o) in enumerate(COMMITMENTS))[: 8 - n]
        make(ent, users["jinan"], n, specs)
    for n, ent in enumerate(elsewhere, start=6):
        # outside Jinan only the province logs in: nothing recorded yet (one person cannot record
        # and confirm), so their overdue commitments show as 逾期未履行
        make(ent, users["province"], n, tuple((*spec[:6], "open") for spec in COMMITMENTS[:4]))

    liaisons = [users["lixia"], users["jinan"], users["jinan_fgw"], users["leader"]]
    for n, ent in enumerate([byd, *jinan_ents]):
        keeper = users["lixia"] if ent.region_id == "370102" else users["jinan"]
        EnterpriseLiaison.objects.create(
            enterprise=ent, official=liaisons[n % len(liaisons)], title="包联干部", since=today - dt.timedelta(days=365)
        )
        counts["liaisons"] += 1
        for i, (what, result) in enumerate(MEASURES[: 4 - n % 3]):
            m = AssistanceMeasure(
                enterprise=ent,
                measure=what,
                unit=fgw if i % 2 == 0 else None,
                by_whom="" if i % 2 == 0 else "区营商环境服务专班",
                taken_on=today - dt.timedelta(days=30 * (i + 1) + n),
                result=result,
                created_by=keeper,
            )
            m.full_clean()
            m.save()
            counts["measures"] += 1
        for i, (name, amount) in enumerate(GRANTS[: 1 + n % 3]):
            PolicyGrant.objects.create(
                enterprise=ent,
                name=name,
                amount=amount,
                granted_on=today - dt.timedelta(days=60 * (i + 1) + n),
                unit=fgw,
                created_by=keeper,
            )
            counts["policy_grants"] += 1
    return counts
