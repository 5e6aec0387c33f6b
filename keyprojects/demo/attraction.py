"""Demo 招商引资 (issue 16): key industry chains with their 链长; 历下区's party secretary with
32 trips in the past year (to 广东、湖南、上海、北京, as 新泰's leaders made); leads of 历下区 in
every stage — some stalled —, signed leads whose 政企合作协议 carry commitments, landed leads
linked to 历下区 projects that report every month, signed leads waiting to land, 到资;
a few leads of the city and of 市中区 that 历下区 may not see (confidentiality); and leads the
city's 发展和改革委员会 is the responsible unit of (a department sees those only), one of them
recorded by its own login (jinan_fgw) with the promotion event it came from.

Everything goes through the attraction services as the demo's county (lixia), city (jinan) and
department (jinan_fgw) logins, so the chain lead → agreement → project is the real one. Dates run
back from the demo's data date (the last day of its data month, or today if that is later), every
step included — the feedback of the landed lead too —, so the leads agree with the monthly data.

到资 is four eyes: lixia enters, 历下区's second account (lixia_sh) confirms; one entry lixia
entered waits for confirmation (lixia_sh's or the city's to-do), one entered by lixia_sh waits for
lixia, and one confirmed entry was corrected (the correction confirmed, the original voided)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, Value, When
from django.utils import timezone

from keyprojects.core.money import format_wan

CHAINS = (  # (name, English name, description)
    ("新能源汽车", "New energy vehicles", "整车、动力电池、电驱电控及关键零部件"),
    ("高端装备", "High-end equipment", "智能制造装备、工业母机、机器人"),
    ("新一代信息技术", "Next-generation information technology", "集成电路、软件和信息技术服务、算力"),
    ("生物医药", "Biomedicine", "创新药、医疗器械、医养健康"),
    ("新材料", "New materials", "先进金属材料、高分子材料、石墨烯"),
)
# The GB/T 4754 大类 of each chain (a landed project's lead is on the chain of its industry, if any).
CHAIN_DIVISIONS = (
    ("36", "38", "42"), ("34", "35", "40"), ("39", "63", "64", "65"), ("27", "35", "84"), ("26", "28", "29", "30", "31", "32", "33"),
)  # fmt: skip
DESTINATIONS = ("广东深圳", "广东广州", "广东东莞", "湖南长沙", "上海", "北京")
# Every investor is an enterprise of the lead's industry (GB/T 4754 大类), never a public body or
# a local government's company (common.INVESTORS); a signed lead's 政企合作协议 is signed by the
# investor's project company registered in 历下区 (:func:`_project_company`).
# (name, investor, origin, location, source, chain index, 行业大类, intended 万元, stage, days ago obtained)
LEADS: tuple[tuple[str, str, str, str, str, int, str, int, str, int], ...] = (
    ("动力电池回收利用项目", "深圳某新能源科技股份有限公司", "out_province", "广东深圳", "leader_trip", 0, "42", 60000, "info", 20),
    ("工业机器人减速器项目", "长沙某智能装备有限公司", "out_province", "湖南长沙", "leader_trip", 1, "34", 35000, "info", 100),
    ("跨境数据服务中心项目", "Asia Data Holdings Ltd.", "abroad", "新加坡", "office", 2, "64", 80000, "info", 12),
    ("创新药研发生产基地项目", "上海某生物医药有限公司", "out_province", "上海", "expo", 3, "27", 120000, "negotiation", 60),
    ("高性能碳纤维复合材料项目", "北京某新材料科技有限公司", "out_province", "北京", "leader_trip", 4, "28", 45000, "negotiation", 200),
    ("智能网联汽车测试基地项目", "广州某汽车科技有限公司", "out_province", "广东广州", "chain", 0, "36", 30000, "negotiation", 40),
    ("算力中心二期项目", "北京某云计算有限公司", "out_province", "北京", "business", 2, "64", 150000, "signed", 150),
    ("医疗器械产业园项目", "东莞某医疗器械有限公司", "out_province", "广东东莞", "fund", 3, "35", 50000, "signed", 120),
    ("车规级芯片封测项目", "深圳某半导体有限公司", "out_province", "广东深圳", "leader_trip", 2, "39", 90000, "signed", 90),
    ("氢燃料电池系统项目", "上海某氢能科技有限公司", "out_province", "上海", "chain", 0, "38", 40000, "dropped", 80),
)

#: Leads the city's 发改委 found at its promotion event: (name, investor, location, chain, 行业大类, 万元, stage).
DEPARTMENT_LEADS = (
    ("氢能装备制造基地项目", "苏州某氢能装备有限公司", "江苏苏州", 1, "34", 180000, "negotiation"),
    ("绿色算力枢纽节点项目", "杭州某数字科技有限公司", "浙江杭州", 2, "64", 260000, "info"),
)
#: The city's own lead and 市中区's: (name, region, investor, location, source, chain, 行业大类, 万元).
CITY_LEADS = (
    ("新能源汽车零部件配套产业园项目", "370100", "宁波某汽车零部件集团有限公司", "浙江宁波", "chain", 0, "36", 200000),
    ("数字经济总部基地项目", "370103", "杭州某数字科技集团有限公司", "浙江杭州", "expo", 2, "65", 150000),
)


def _user(username: str) -> Any:
    from keyprojects.accounts.models import User

    return User.objects.filter(username=username).first()


def _funds(lixia: Any, clerk: Any) -> Any:
    """Enter 到资 as ``by`` (default lixia) and, unless ``pending``, have the other 历下区 account
    confirm it (four eyes)."""
    from keyprojects.attraction import services as s

    def enter(lead: Any, on: dt.date, amount: Decimal, *, by: Any = None, pending: bool = False, note: str = "") -> Any:
        by = by or lixia
        entry = s.fund_arrival_add(user=by, lead=lead, arrived_on=on, arrived_amount=amount.quantize(Decimal("1")), note=note)
        checker = clerk if by.pk == lixia.pk else lixia
        if pending or checker is None:
            return entry
        return s.fund_decide(user=checker, entry=entry, expected_version=entry.version, accept=True, note="已核对银行进账单")

    return enter


def _project_company(user: Any, lead: Any, on: dt.date) -> Any:
    """The investor's project company in the lead's county, registered by ``user`` a few days
    before the signing day ``on`` (北京某云计算有限公司 → 某云计算（济南）有限公司), of the lead's
    industry: it signs the 政企合作协议 and owns the project that lands."""
    import zlib
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from keyprojects.core.validators import make_uscc
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.enterprises.services import enterprise_create
    from keyprojects.regions.models import Region

    from .common import short_place

    stem = lead.investor_name.removeprefix(lead.investor_location[-2:])
    for form in ("股份有限公司", "集团有限公司", "有限公司"):
        stem = stem.removesuffix(form)
    name = f"{stem}（{short_place(Region.objects.get(code=lead.city_code).name)}）有限公司"
    n = zlib.crc32(lead.name.encode())  # (not the id: the same seed gives the same code after --reset)
    while True:  # a new company's code (GB 32100: 91 + county + MA… + check), not yet registered
        uscc = make_uscc(f"91{lead.region_id}MA3{n % 1_000_000:06d}")
        if not Enterprise.objects.filter(uscc=uscc).exists():
            break
        n += 7919
    contact = {"name": lead.contact_name or "张经理", "title": "项目负责人", "phone": lead.contact_phone}
    company = enterprise_create(
        user=user,
        data={"name": name, "uscc": uscc, "region": lead.region, "industry_section": lead.industry_section,
              "industry_division": lead.industry_division, "legal_representative": ("陈立新", "周海峰", "刘振宇")[n % 3]},
        contacts=[contact] if lead.contact_phone else [],
    )  # fmt: skip
    registered = on - dt.timedelta(days=7)
    when = dt.datetime(registered.year, registered.month, registered.day, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    Enterprise.objects.filter(pk=company.pk).update(created_at=when, updated_at=when)  # (the demo's day, as every step of the lead)
    company.created_at = company.updated_at = when
    return company


def seed_attraction(*, as_of: dt.date | None = None) -> dict[str, int]:
    from keyprojects.attraction import services as s
    from keyprojects.attraction.models import IndustryChain, Lead
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.industries import section_of
    from keyprojects.projects.models import Project, SponsorLeader
    from keyprojects.regions.models import Region

    from .common import INVESTORS

    lixia, jinan, fgw, clerk = _user("lixia"), _user("jinan"), _user("jinan_fgw"), _user("lixia_sh")
    if lixia is None or jinan is None or Lead.objects.exists():
        return {"leads": Lead.objects.count()}
    # the demo's data date: every step is dated from it (never after the real today)
    today = min(as_of or timezone.localdate(), timezone.localdate())
    funds = _funds(lixia, clerk)
    city_leader = SponsorLeader.objects.filter(region_id="370100").order_by("id").first()
    secretary, _ = SponsorLeader.objects.get_or_create(region_id="370102", name="历下区委书记", defaults={"title": "区委书记"})
    chains = []
    for n, (name, name_en, description) in enumerate(CHAINS):
        defaults = {"name_en": name_en, "description": description, "order": n, "chain_leader": city_leader if n == 0 else None}
        chain, _ = IndustryChain.objects.get_or_create(name=name, defaults=defaults)
        chains.append(chain)

    # 一把手招商: 32 trips in the past year, and a few visits and meetings
    trips = []
    for n in range(32):
        held = today - dt.timedelta(days=8 + 11 * n)
        trips.append(
            s.activity_create(
                user=lixia,
                data={
                    "kind": "trip",
                    "held_on": held,
                    "days": 2 + n % 3,
                    "destination": DESTINATIONS[n % len(DESTINATIONS)],
                    "leader": secretary,
                    "participants": "区委书记、分管副区长、区投资促进局局长",
                    "investors_met": f"对接企业{3 + n % 4}家",
                    "result": "达成合作意向" if n % 4 == 0 else "交流洽谈，持续跟进",
                },
            )
        )
    for n, kind in enumerate(("visit", "meeting", "event")):
        s.activity_create(
            user=lixia,
            data={"kind": kind, "held_on": today - dt.timedelta(days=15 + 30 * n), "destination": "历下区", "leader": secretary,
                  "participants": "区投资促进局", "result": "来访考察" if kind == "visit" else "洽谈推进"},
        )  # fmt: skip

    # the 历下区 projects that land as leads: those of an investor (a business of the project's
    # industry, not a public body or the district's own company) that report every month, those
    # under construction first
    reporting = list(
        Project.objects.filter(region_id="370102", lead__isnull=True, reports__isnull=False)
        .filter(owner__in=Enterprise.objects.visible_to(lixia).filter(INVESTORS).values("pk"))
        .filter(owner__industry_section=F("industry_section"))
        .distinct()
        .order_by(Case(When(stage="construction", then=Value(0)), default=Value(1)), "id")[:3]
    )
    counts = {"leads": 0, "activities": 35, "landed": 0, "chains": len(chains)}

    def walk(lead: Any, stage: str, start: dt.date, amount: Decimal, enterprise: Any, project: Any = None, by: Any = lixia) -> Any:
        """Take ``lead`` to ``stage``; signed by ``enterprise`` (None: the investor's project company)."""
        span = max((today - start).days, 4)
        at = [start + dt.timedelta(days=span * k // 4) for k in (1, 2, 3)]
        if stage == "info":
            return lead
        lead = s.lead_advance(user=by, lead=lead, expected_version=lead.version, on_date=at[0])
        if stage == "negotiation":
            return lead
        if stage == "dropped":
            return s.lead_drop(user=lixia, lead=lead, expected_version=lead.version, reason="投资方调整布局，转投他地", on_date=at[1])
        shown = format_wan(amount, places=0)  # 183,600, not 183600.0000
        enterprise = enterprise or _project_company(lixia, lead, at[1])
        lead = s.lead_sign(
            user=lixia, lead=lead, expected_version=lead.version, enterprise=enterprise, signed_on=at[1], amount=amount,
            commitments=[
                {"party": "enterprise", "kind": "investment", "description": f"三年内完成投资{shown}万元", "target_value": amount,
                 "measure": "万元", "due_on": at[1] + dt.timedelta(days=1095)},
                {"party": "government", "kind": "land", "description": "按期交付项目建设用地", "due_on": at[1] + dt.timedelta(days=180)},
            ],
        )  # fmt: skip
        first = funds(lead, at[1], amount * Decimal("0.1"), note="首笔注册资本金")
        if stage == "signed":
            return lead
        lead = s.lead_land(user=lixia, lead=lead, expected_version=lead.version, landed_on=at[2], project=project, annual_plan=amount / 4)
        counts["landed"] += 1
        if stage == "feedback":
            # a confirmed entry corrected (a new entry and the reason; its confirmation voids the first one)
            correction = s.fund_arrival_add(
                user=lixia, lead=lead, arrived_on=first.arrived_on, arrived_amount=(amount * Decimal("0.12")).quantize(Decimal("1")),
                replaces=first, reason="按银行进账单更正金额（含增资款）",
            )  # fmt: skip
            if clerk is not None:
                s.fund_decide(user=clerk, entry=correction, expected_version=correction.version, accept=True, note="已核对进账单")
            funds(lead, at[2], amount * Decimal("0.2"), note="第二笔项目资本金")
            # the feedback on the demo's data date, like every other step (not on the real today)
            return s.lead_advance(user=lixia, lead=lead, expected_version=lead.version, on_date=today, note="企业对审批代办和要素保障满意")
        # the latest entry of a landed lead waits for confirmation: lixia_sh's (or the city's) to-do
        funds(lead, at[2], amount * Decimal("0.2"), pending=True, note="第二笔项目资本金")
        return lead

    region = Region.objects.get(code="370102")
    clerk_entered = False
    for n, (name, investor, origin, location, source, chain, division, amount, stage, ago) in enumerate(LEADS):
        start = today - dt.timedelta(days=ago)
        lead = s.lead_create(
            user=lixia,
            data={
                "name": name, "investor_name": investor, "investor_origin": origin, "investor_location": location, "source": source,
                "source_activity": trips[n % len(trips)] if source == "leader_trip" else None, "chain": chains[chain],
                "industry_section": section_of(division), "industry_division": division, "intended_amount": Decimal(amount),
                "region": region, "leader": secretary, "contact_name": "张经理", "contact_phone": f"0531-{80000000 + n}",
                "obtained_on": start,
            },
        )  # fmt: skip
        counts["leads"] += 1
        lead = walk(lead, stage, start, Decimal(amount), None)  # (signed by the investor's project company)
        if stage == "signed" and lead.stage == "signed" and clerk is not None and not clerk_entered:
            # entered by 历下区's second account: waits for lixia (the demo's usual login)
            funds(lead, today - dt.timedelta(days=3), Decimal(amount) * Decimal("0.05"), by=clerk, pending=True, note="设备款到账")
            clerk_entered = True

    # landed leads linked to 历下区 projects that already report every month
    for n, p in enumerate(reporting):
        start = (p.actual_start or today) - dt.timedelta(days=200)
        start = min(start, today - dt.timedelta(days=60))
        chain = next((c for c, divisions in zip(chains, CHAIN_DIVISIONS, strict=True) if p.industry_division in divisions), None)
        source = ("leader_trip", "business", "chain")[n]
        lead = s.lead_create(
            user=lixia,
            data={"name": p.name, "investor_name": p.owner.name, "investor_origin": "in_province", "investor_uscc": p.owner.uscc,
                  "source": "business" if source == "chain" and chain is None else source, "chain": chain,
                  "industry_section": p.industry_section, "industry_division": p.industry_division,
                  "intended_amount": p.total_investment, "region": region, "leader": secretary, "obtained_on": start},
        )  # fmt: skip
        counts["leads"] += 1
        walk(lead, "feedback" if n == 0 else "landed", start, p.total_investment, p.owner, project=p)

    # the city's own leads and 市中区's: 历下区 does not see them; the city's with its 发改委 responsible
    fgw_unit = fgw.unit if fgw is not None else None
    for n, (name, code, investor, location, source, chain, division, amount) in enumerate(CITY_LEADS):
        s.lead_create(
            user=jinan,
            data={
                "name": name,
                "investor_name": investor,
                "investor_origin": "out_province",
                "investor_location": location,
                "source": source,
                "chain": chains[chain],
                "industry_section": section_of(division),
                "industry_division": division,
                "intended_amount": Decimal(amount),
                "region": Region.objects.get(code=code),
                "leader": city_leader,
                "obtained_on": today - dt.timedelta(days=30 + 10 * n),
                "unit": fgw_unit if code == "370100" else None,
            },
        )  # fmt: skip
        counts["leads"] += 1
    if fgw is not None:
        counts["leads"] += _department_leads(fgw, chains=chains, leader=city_leader, walk=walk, today=today)
        counts["activities"] += 1
    return counts


def _department_leads(fgw: Any, *, chains: list[Any], leader: Any, walk: Any, today: dt.date) -> int:
    """The city's 发改委 records a promotion event and the leads it found (the department's
    placement: its unit, the city's region): it sees these and those it is responsible for."""
    from keyprojects.attraction import services as s

    event = s.activity_create(
        user=fgw,
        data={"kind": "event", "held_on": today - dt.timedelta(days=45), "destination": "济南", "leader": leader,
              "participants": "市发展改革委、市投资促进局", "investors_met": "对接企业12家", "result": "签订合作意向2项"},
    )  # fmt: skip
    made = 0
    from keyprojects.projects.industries import section_of

    for n, (name, investor, location, chain, division, amount, stage) in enumerate(DEPARTMENT_LEADS):
        start = today - dt.timedelta(days=44 - 20 * n)
        lead = s.lead_create(
            user=fgw,
            data={"name": name, "investor_name": investor, "investor_origin": "out_province", "investor_location": location,
                  "source": "expo", "source_activity": event, "chain": chains[chain], "industry_section": section_of(division),
                  "industry_division": division, "intended_amount": Decimal(amount),
                  "leader": leader, "contact_name": "王经理", "contact_phone": f"0531-8100000{n}", "obtained_on": start},
        )  # fmt: skip
        walk(lead, stage, start, Decimal(amount), None, by=fgw)
        made += 1
    return made
