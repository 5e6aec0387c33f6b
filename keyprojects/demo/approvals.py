"""Demo 审批事项 and 四张清单 (issue 14): a few of Jinan's projects with their approval chain at
different steps (some completed, some in progress, some overdue) and factor needs of the four
kinds (one escalated to the province). Small and deterministic: the same projects and dates
for the same seed data on the same day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from keyprojects.core.workdays import WorkCalendar

EARLY_STAGES = ("reserve", "preparation")  # 谋划储备, 前期手续: approvals still under way


def seed_approvals(*, as_of: dt.date) -> dict[str, int]:
    from keyprojects.approvals.catalogue import ensure_catalogue
    from keyprojects.approvals.models import ApprovalItem, FactorNeed, ProjectApproval
    from keyprojects.projects.models import Project
    from keyprojects.regions.models import Unit

    ensure_catalogue()
    # Dates run back from today (not from the demo's data month): the 红黄码 of open items are
    # about the day somebody looks, and no date may lie in the future.
    del as_of
    today = timezone.localdate()
    items = {i.code: i for i in ApprovalItem.objects.all()}
    chain = list(ApprovalItem.objects.filter(is_active=True).order_by("order", "id").values_list("code", flat=True))
    if not chain:
        return {"approvals": 0, "factor_needs": 0}
    fgw = Unit.objects.filter(region_id="370100", name="济南市发展和改革委员会").first()
    # The projects still going through their approvals (谋划储备, 前期手续) first: a project under
    # construction has its 施工许可 and every step before it done.
    early = Case(When(stage__in=EARLY_STAGES, then=Value(0)), default=Value(1), output_field=IntegerField())
    ranked = Project.objects.annotate(kp_early=early)
    projects = list(ranked.filter(city_code="370100").order_by("kp_early", "region_id", "id")[:12])
    lixia = list(ranked.filter(region_id="370102").order_by("kp_early", "id")[:3])
    others = list(ranked.exclude(city_code="370100").order_by("kp_early", "id")[:12])
    projects = list(dict.fromkeys(lixia + projects + others))[:12]
    cal = WorkCalendar.load(today - dt.timedelta(days=500), today)
    numbers = _Numbers()
    approvals = []
    for n, p in enumerate(projects):
        # Project n has finished the first k steps, is handling step k, and has not applied for the rest.
        k = n % len(chain) if p.stage in EARLY_STAGES else len(chain)
        start = today - dt.timedelta(days=40 * (k + 1) + 3 * n)
        for i, code in enumerate(chain):
            item = items[code]
            a = ProjectApproval(project=p, item=item, handling_unit=fgw if code in ("project-approval", "energy-review") else None)
            if i < k:
                applied = start + dt.timedelta(days=40 * i)
                accepted = cal.add_working_days(applied, 1)
                took = item.legal_limit_days + (6 if (n + i) % 4 == 0 else -max(1, item.legal_limit_days // 3))
                a.status, a.applied_on, a.accepted_on = "done", applied, accepted
                a.completed_on = min(cal.add_working_days(accepted, max(1, took)), today)
                a.approval_number = numbers.next(p.city_code, code, a.completed_on.year, n)
            elif i == k:
                # Every third project's current step is overdue, every third is close to its limit.
                used = {0: item.legal_limit_days + 5, 1: max(1, item.legal_limit_days - 1)}.get(n % 3, 2)
                accepted = today
                for _ in range(used):
                    accepted -= dt.timedelta(days=1)
                    while not cal.is_working_day(accepted):
                        accepted -= dt.timedelta(days=1)
                a.status, a.applied_on, a.accepted_on = "in_progress", accepted - dt.timedelta(days=1), accepted
            elif code == "social-risk" and n % 2:
                a.status = "not_needed"
            approvals.append(a)
    ProjectApproval.objects.bulk_create(approvals, ignore_conflicts=True)

    specs = [
        ("land", "new_quota", Decimal("120.5"), Decimal(0), "pending", "county", "新增建设用地指标不足，需市级统筹"),
        ("land", "idle_land", Decimal(45), Decimal(45), "secured", "county", "盘活园区闲置厂房用地"),
        ("funds", "special_bond", Decimal(30000), Decimal(12000), "in_progress", "city", "专项债额度待下达"),
        ("funds", "bank_loan", Decimal(50000), Decimal(0), "pending", "county", "银行授信审批中"),
        ("environment", "vocs", Decimal("12.6"), Decimal(0), "in_progress", "province", "VOCs 排放总量指标需省级调剂"),
        ("environment", "cod", Decimal("8.2"), Decimal("8.2"), "secured", "county", "区域削减替代"),
        ("energy", "trading", Decimal(18000), Decimal(6000), "in_progress", "city", "通过用能权交易获得"),
        ("energy", "storage", Decimal(5000), Decimal(0), "unable", "county", "收储指标已用完"),
    ]
    needs = []
    for n, (kind, sub, qty, secured, status, level, text) in enumerate(specs):
        p = projects[n % len(projects)] if projects else None
        if p is None:
            break
        needs.append(
            FactorNeed(
                project=p,
                kind=kind,
                subtype=sub,
                quantity=qty,
                secured=secured,
                status=status,
                level=level,
                owner_unit=fgw if kind in ("funds", "energy") else None,
                due_on=today + dt.timedelta(days=30 * (n - 2)),
                financial_guidance=kind == "funds" and n % 2 == 0,
                description=text,
                resolution="已列入省级调剂计划" if level == "province" else ("无可用指标，建议调整建设时序" if status == "unable" else ""),
            )
        )
    FactorNeed.objects.bulk_create(needs)
    meetings = _seed_consultations(today=today, fgw=fgw)
    from keyprojects.approvals.services import warnings_changed

    # 审批超时 and 要素保障逾期 come from the refresh action, like every warning
    warnings_changed(project_ids={a.project_id for a in approvals} | {n.project_id for n in needs})
    return {"approvals": len(approvals), "factor_needs": len(needs), "consultations": meetings}


class _Numbers:
    """批复文号 as the issuing authority writes them: city and authority short name, year, number
    (济发改投资〔2025〕120号, data/texts.json ``approval_numbers``), numbered upwards per
    authority and year so no two approvals share one."""

    def __init__(self) -> None:
        self.issued: dict[tuple[str, int], int] = {}

    def next(self, city_code: str, item_code: str, year: int, n: int) -> str:
        from .reference import APPROVAL_CITY_SHORT, APPROVAL_NUMBER_WORDS

        prefix = APPROVAL_CITY_SHORT.get(city_code or "", "鲁") + APPROVAL_NUMBER_WORDS.get(item_code, "审批")
        seq = self.issued.get((prefix, year), 0) + 1
        self.issued[(prefix, year)] = seq
        start = sum(map(ord, prefix)) % 80 + 5  # each authority at its own count by the time the demo starts
        return f"{prefix}〔{year}〕{start + 7 * seq + n % 7}号"  # increasing per authority and year


def _seed_consultations(*, today: dt.date, fgw: object) -> int:
    """The province-level need went through a county and a city 会商 (提级会商, history kept)."""
    from keyprojects.approvals.models import Consultation, ConsultationTopic, FactorNeed
    from keyprojects.regions.models import Region

    need = FactorNeed.objects.filter(level="province").select_related("project", "project__region").order_by("id").first()
    if need is None:
        return 0
    county = need.project.region
    city = Region.objects.filter(code=county.city_code).first() if county.city_code else None
    n = 0
    for days, level, region, convener, decision, to in (
        (40, "county", county, "县（市、区）分管负责同志", "县内无法平衡排放指标，提请市级会商", "city"),
        (20, "city", city, "市政府分管副市长", "市内调剂不足，提请省级协调VOCs排放总量指标", "province"),
    ):
        if region is None:
            continue
        c = Consultation.objects.create(held_on=today - dt.timedelta(days=days), level=level, region=region, convener=convener)
        if fgw is not None:
            c.units_present.add(fgw)
        ConsultationTopic.objects.create(
            consultation=c, project=need.project, need=need, decision=decision, escalated_to=to,
            owner_unit=fgw, due_on=today + dt.timedelta(days=10), done_on=today - dt.timedelta(days=days - 5),
        )  # fmt: skip
        n += 1
    return n
