"""Demo 政企服务 (issue 15): routing rules for every city, the enterprise contact's (byd) requests
in every state — waiting, overdue, in progress with an extension waiting for a decision, replied,
rated 满意/基本满意, reopened after 不满意, closed after a second 不满意, handed on as
非本部门职责, one through Open311 —, requests of 历下区's enterprises raised by its second account
(lixia_sh) from visits and calls, so that lixia has some to acknowledge, reply to and decide
extensions on (四眼: never its own), and a province-level 政企沟通交流会 with ten enterprises and
their requests. Every step goes through the services (events, audit) with dates running back
from today, so the deadlines and overdue flags are about the day somebody looks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

#: category code → the city departments (by the end of their name) its requests go to.
CITY_ROUTES = {
    "factor": ("自然资源和规划局", "发展和改革委员会"),
    "approval": ("发展和改革委员会",),
    "finance": ("发展和改革委员会",),
    "labour": ("工业和信息化局",),
    "policy": ("工业和信息化局",),
    "other": ("投资促进局",),
}
#: category code → the province department (for enterprises of a city without rules).
PROVINCE_ROUTES = {
    "factor": "山东省自然资源厅",
    "approval": "山东省发展和改革委员会",
    "finance": "山东省发展和改革委员会",
    "labour": "山东省工业和信息化厅",
    "policy": "山东省工业和信息化厅",
    "other": "山东省商务厅",
}
MEETING_TITLE = "全省重点企业政企沟通交流会"
#: The ten enterprises' requests at the meeting: (category, title, description).
MEETING_REQUESTS = [
    ("factor", "新能源汽车零部件产业园二期用地指标", "二期用地约300亩，年度新增建设用地指标不足，请协调省级统筹指标。"),
    ("approval", "LNG接收站扩建项目核准进度", "扩建工程核准材料已报送，请协调加快核准及用海手续并联办理。"),
    ("finance", "电池总成项目流动资金贷款", "量产在即需流动资金约5亿元，请协调银行授信和贴息政策。"),
    ("labour", "绿氢装备产线技术工人招聘", "新产线需焊接、电气技术工人120名，请协调职业院校定向培养。"),
    ("policy", "技术改造专项奖补资金兑现", "2023年技改项目已验收，奖补资金尚未到位，请协调兑现。"),
    ("factor", "厂区供电增容", "新建车间用电负荷增加8000千伏安，请协调电网公司加快增容。"),
    ("approval", "化工项目环评审批", "1万吨哌嗪项目环评报告已受理，请协调压缩审批时间。"),
    ("other", "港区集疏运道路建设", "港区至高速连接线尚未开工，影响货物集疏运，请协调推进。"),
    ("finance", "设备融资租赁贴息", "自动驾驶运营基地设备采用融资租赁，请明确贴息政策。"),
    ("policy", "研发费用加计扣除政策辅导", "联合实验室研发投入较大，请税务部门上门辅导加计扣除。"),
]


def _units_by_end(region: str, ends: tuple[str, ...]) -> list[Any]:
    from keyprojects.regions.models import Unit

    found = []
    for end in ends:
        unit = Unit.objects.filter(region_id=region, name__endswith=end, kind="department").order_by("id").first()
        if unit is not None:
            found.append(unit)
    return found


def _rules() -> int:
    from keyprojects.engagement.models import RequestCategory, RoutingRule
    from keyprojects.regions.models import Region, Unit

    cats = {c.code: c for c in RequestCategory.objects.all()}
    made = 0
    for code, name in PROVINCE_ROUTES.items():
        unit = Unit.objects.filter(region_id="370000", name=name).first()
        if unit is not None and code in cats:
            made += RoutingRule.objects.get_or_create(category=cats[code], region_id="370000", unit=unit)[1]
    cities = Region.objects.filter(level="city", units__isnull=False).distinct()
    for city in cities:
        for code, ends in CITY_ROUTES.items():
            for unit in _units_by_end(city.code, ends):
                if code in cats:
                    made += RoutingRule.objects.get_or_create(category=cats[code], region=city, unit=unit)[1]
    return made


def seed_engagement(*, as_of: dt.date) -> dict[str, int]:
    """Seed the requests and the meeting; answers counts for the demo summary."""
    from keyprojects.accounts.models import User
    from keyprojects.engagement import services as s
    from keyprojects.engagement.choices import Source
    from keyprojects.engagement.models import EnterpriseRequest, Meeting
    from keyprojects.projects.models import Project
    from keyprojects.regions.models import Unit

    del as_of  # dates run back from today, like the approvals
    rules = _rules()
    users = {u.username: u for u in User.objects.filter(username__in=["byd", "jinan_fgw", "jinan", "province", "lixia", "lixia_sh"])}
    byd, fgw, jinan, province = users.get("byd"), users.get("jinan_fgw"), users.get("jinan"), users.get("province")
    if byd is None or fgw is None or jinan is None or province is None or byd.enterprise is None:
        return {"requests": 0, "meetings": 0, "routing_rules": rules}
    Meeting.objects.filter(title=MEETING_TITLE).delete()
    now = timezone.now()

    def ago(days: float, hour: int = 10) -> dt.datetime:
        moment = timezone.localtime(now - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        return min(moment, now)

    ent = byd.enterprise
    project = Project.objects.filter(owner=ent).order_by("id").first()

    def raise_(title: str, description: str, category: str, days: float, **more: Any) -> Any:
        data = {"category": category, "title": title, "description": description, **more}
        return s.request_create(user=byd, enterprise=ent, data=data, now=ago(days, 9))

    # 待受理, fresh; and one past its acknowledge deadline.
    raise_("新建车间施工许可咨询", "二期车间施工图已审查，请指导施工许可申报材料。", "approval", 0)
    raise_("厂区周边道路照明", "夜班职工通勤道路无照明，请协调完善。", "other", 8, address_string="济南市历下区")
    # 办理中 with an extension waiting for the city's decision (四眼: the department asks).
    r = raise_("二期用地指标", "二期用地约300亩，年度新增建设用地指标不足。", "factor", 12, project=project.pk if project else None)
    r = s.request_acknowledge(user=fgw, req=r, expected_version=r.version, now=ago(11))
    s.extension_ask(user=fgw, req=r, days=10, reason="需报省自然资源厅统筹指标", now=ago(2))
    # 办理中 and past its resolve deadline.
    r = raise_("研发中心项目备案变更", "研发中心建设内容调整，需办理备案变更。", "approval", 40)
    r = s.request_acknowledge(user=fgw, req=r, expected_version=r.version, now=ago(39))
    # 已答复, waiting for the enterprise's rating.
    r = raise_("技改项目融资对接", "技改项目需中长期贷款3亿元。", "finance", 20)
    r = s.request_acknowledge(user=fgw, req=r, expected_version=r.version, now=ago(19))
    r = s.request_reply(user=fgw, req=r, expected_version=r.version, reply="已组织3家银行对接，授信方案于下周提交企业。", now=ago(5))
    # 已办结: 满意, and 基本满意.
    for title, rating, days in (("用电增容协调", "satisfied", 60), ("专项债资金申报辅导", "basic", 45)):
        r = raise_(title, f"{title}，请协调解决。", "factor" if "用电" in title else "finance", days)
        r = s.request_acknowledge(user=fgw, req=r, expected_version=r.version, now=ago(days - 1))
        r = s.request_reply(user=fgw, req=r, expected_version=r.version, reply="已协调相关单位办结。", now=ago(days - 6))
        r = s.request_rate(user=byd, req=r, expected_version=r.version, rating=rating, now=ago(days - 7))
    # 重新办理: rated 不满意 once.
    r = raise_("土地证办理", "一期厂房土地证尚未办理。", "factor", 30)
    r = s.request_reply(user=fgw, req=r, expected_version=r.version, reply="已转不动产登记中心办理。", now=ago(24))
    r = s.request_rate(user=byd, req=r, expected_version=r.version, rating="unsatisfied", reason="只是转办，没有明确办结时间", now=ago(22))
    # 已办结 after a second 不满意 (no third round).
    r = raise_("停车场规划调整", "厂区停车位不足，申请调整规划。", "factor", 70)
    r = s.request_reply(user=fgw, req=r, expected_version=r.version, reply="规划调整需重新论证。", now=ago(64))
    r = s.request_rate(user=byd, req=r, expected_version=r.version, rating="unsatisfied", reason="未给出论证时间", now=ago(62))
    r = s.request_reply(user=fgw, req=r, expected_version=r.version, reply="论证已排期，三个月内完成。", now=ago(55))
    r = s.request_rate(user=byd, req=r, expected_version=r.version, rating="unsatisfied", reason="周期太长", now=ago(54))
    # 非本部门职责: the department names the unit that should handle it.
    r = raise_("职工子女入学", "新引进技术人员子女入学需协调。", "labour", 6)
    edu = Unit.objects.filter(region_id="370100", name__endswith="教育局").first()
    if edu is not None and r.assignments.filter(unit=fgw.unit, active=True).exists():
        r = s.request_decline(user=fgw, req=r, expected_version=r.version, right_unit=edu, reason="属教育部门职责", now=ago(5))
    elif edu is not None:
        r = s.request_route(user=jinan, req=r, expected_version=r.version, units=[fgw.unit], now=ago(5.5))
        r = s.request_decline(user=fgw, req=r, expected_version=r.version, right_unit=edu, reason="属教育部门职责", now=ago(5))
    # Through Open311 (an enterprise system).
    s.request_create(
        user=None,
        enterprise=ent,
        source=Source.OPEN311,
        actor_name="Open311",
        data={
            "category": "policy",
            "title": "高新技术企业认定奖励兑现",
            "description": "高新技术企业认定奖励兑现",
            "address_string": "济南市",
        },
        now=ago(3),
    )
    if users.get("lixia_sh") is not None:
        _county_requests(clerk=users["lixia_sh"], fgw=fgw, ago=ago)
    meetings = _meeting(province=province, byd=byd, fgw=fgw, ent=ent, ago=ago)
    return {"requests": EnterpriseRequest.objects.count(), "meetings": meetings, "routing_rules": rules}


#: 历下区's requests: (category, source, title, description, days ago raised).
COUNTY_REQUESTS = (
    ("other", "visit", "园区周边公交线路调整", "园区职工通勤公交班次少，请协调增开早晚高峰班次。", 0),
    ("labour", "phone", "高技能人才公寓申请", "新引进研发人员30名，请协调人才公寓配租。", 6),
    ("approval", "visit", "新建厂房规划许可办理", "新建厂房设计方案已完成，请指导建设工程规划许可申报。", 9),
    ("finance", "visit", "科技型中小企业贷款贴息", "研发投入加大，申请科技型中小企业贷款贴息。", 35),
    ("factor", "phone", "天然气管网接入", "新建车间需接入中压燃气管网，请协调燃气公司。", 18),
)


def _county_requests(*, clerk: Any, fgw: Any, ago: Any) -> None:
    """Requests of 历下区's enterprises, raised by its second account (lixia_sh) on their behalf,
    so that lixia has one of each kind to work: 待受理 (one past its deadline), 办理中 with an
    extension the city department asked for and one lixia_sh asked for (lixia decides both; the
    asker never does), 办理中 past its deadline, 已答复 (the enterprise has no demo login to rate)."""
    from django.db.models import Exists, OuterRef

    from keyprojects.engagement import services as s
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import Project

    from .common import BUSINESSES, DEMO_COUNTIES

    has_project = Exists(Project.objects.filter(owner=OuterRef("pk"), region_id=OuterRef("region_id")))
    ents = list(Enterprise.objects.filter(BUSINESSES, region_id__in=DEMO_COUNTIES).order_by(has_project.desc(), "id")[:3])
    if not ents:
        return
    made = []
    for n, (category, source, title, description, days) in enumerate(COUNTY_REQUESTS):
        ent = ents[n % len(ents)]
        project = Project.objects.filter(owner=ent, region_id=ent.region_id).order_by("id").first()
        data = {"category": category, "title": title, "description": description, "project": project.pk if project else None}
        made.append(s.request_create(user=clerk, enterprise=ent, data=data, source=source, now=ago(days, 9)))
    # made[0] and made[1] wait to be acknowledged (made[1] past its deadline).
    # 办理中, the city department asks for an extension (when it is routed there), else lixia_sh.
    r = made[2]
    asker = fgw if r.assignments.filter(unit=fgw.unit, active=True).exists() else clerk
    r = s.request_acknowledge(user=asker, req=r, expected_version=r.version, now=ago(8))
    s.extension_ask(user=asker, req=r, days=15, reason="规划方案需提交市规委会审议", now=ago(1))
    # 办理中 past its resolve deadline, acknowledged by lixia_sh, who then asks for an extension.
    r = made[3]
    r = s.request_acknowledge(user=clerk, req=r, expected_version=r.version, now=ago(34))
    s.extension_ask(user=clerk, req=r, days=10, reason="贴息资金需待区财政预算调整后拨付", now=ago(2))
    # 已答复, waiting for the enterprise's rating.
    r = made[4]
    responder = fgw if r.assignments.filter(unit=fgw.unit, active=True).exists() else clerk
    r = s.request_acknowledge(user=responder, req=r, expected_version=r.version, now=ago(17))
    s.request_reply(user=responder, req=r, expected_version=r.version, reply="已协调燃气公司现场踏勘，接入方案于本月内实施。", now=ago(4))


def _meeting(*, province: Any, byd: Any, fgw: Any, ent: Any, ago: Any) -> int:
    from keyprojects.engagement import services as s
    from keyprojects.engagement.choices import Source
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.regions.models import Unit

    others = list(Enterprise.objects.exclude(pk=ent.pk).select_related("region").order_by("region_id", "id")[:200])
    chosen: list[Any] = [ent]
    seen_cities = {ent.region.city_code}
    for e in others:  # spread over cities first
        if len(chosen) < 10 and e.region.city_code not in seen_cities:
            chosen.append(e)
            seen_cities.add(e.region.city_code)
    for e in others:
        if len(chosen) < 10 and e not in chosen:
            chosen.append(e)
    units = list(Unit.objects.filter(region_id="370000", kind="department").order_by("id")[:8])
    held = ago(25).date()
    from keyprojects.engagement.services_meetings import meeting_create

    meeting = meeting_create(
        user=province,
        data={
            "title": MEETING_TITLE,
            "held_on": held,
            "place": "山东大厦",
            "chair": "副省长",
            "level": "province",
            "summary": "面对面沟通交流、点对点解决问题：十家重点企业提出诉求，逐项明确承办单位和办理时限，建立常态化政企沟通机制。",
        },
        enterprises=chosen,
        units=units,
    )
    for n, (e, (cat, title, desc)) in enumerate(zip(chosen, MEETING_REQUESTS, strict=False)):
        r = s.request_create(
            user=province,
            enterprise=e,
            source=Source.MEETING,
            meeting=meeting,
            data={"category": cat, "title": title, "description": desc},
            now=ago(25, 15),
        )
        if not r.assignments.filter(active=True).exists():
            continue
        handler = fgw if e.pk == ent.pk and r.assignments.filter(unit=fgw.unit, active=True).exists() else province
        step = n % 4  # 0 replied (and for byd rated), 1 replied, 2 in progress, 3 waiting
        if step in (0, 1):
            r = s.request_acknowledge(user=handler, req=r, expected_version=r.version, now=ago(24))
            r = s.request_reply(user=handler, req=r, expected_version=r.version, reply="已召开专题会议研究，问题已解决。", now=ago(12 + n))
            if e.pk == ent.pk:
                r = s.request_rate(user=byd, req=r, expected_version=r.version, rating="satisfied", now=ago(10))
        elif step == 2:
            r = s.request_acknowledge(user=handler, req=r, expected_version=r.version, now=ago(23))
    return 1
