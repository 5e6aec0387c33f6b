"""The 招商项目推进表: the pipeline as one workbook in the shape investment-promotion offices
report it (one row per lead: investor, source, chain, amounts, stage and days in it, signing,
landing, 到资, the registry project's stage), with the funnel on a second sheet."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.analytics import metrics
from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese

from . import selectors
from .models import Lead

PIPELINE_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", "text", 32),
    Column("投资方", "text", 28),
    Column("投资方来源", "text", 8),
    Column("投资方所在地", "text", 14),
    Column("线索来源", "text", 12),
    Column("产业链", "text", 14),
    Column("链长", "text", 10),
    Column("意向投资额（万元）", "money", 14),
    Column("当前阶段", "text", 10),
    Column("进入本阶段日期", "date", 12),
    Column("本阶段天数", "int", 8),
    Column("停滞预警", "text", 8),
    Column("签约日期", "date", 12),
    Column("签约额（万元）", "money", 14),
    Column("签约企业", "text", 26),
    Column("落地日期", "date", 12),
    Column("到资（万元）", "money", 14),
    Column("项目库项目", "text", 30),
    Column("项目阶段", "text", 10),
    Column("责任领导", "text", 10),
    Column("责任单位", "text", 20),
    Column("所属区域", "text", 10),
    Column("获取日期", "date", 12),
]
FUNNEL_COLUMNS = [
    Column("分组", "text", 20),
    Column("线索数", "int", 8),
    Column("考察洽谈", "int", 8),
    Column("签约", "int", 8),
    Column("落地", "int", 8),
    Column("开工", "int", 8),
    Column("到资", "int", 8),
    Column("投产", "int", 8),
    Column("线索转化率（%）", "number", 12),
    Column("签约落地率（%）", "number", 12),
    Column("开工率（%）", "number", 12),
    Column("到资项目比例（%）", "number", 12),
    Column("投产率（%）", "number", 12),
    Column("签约额（万元）", "money", 14),
    Column("到资额（万元）", "money", 14),
    Column("资金到位率（%）", "number", 12),
]


def _pct(rate: Any) -> Any:
    return metrics.as_percent(rate)


def funnel_row(row: selectors.FunnelRow) -> list[Any]:
    return [
        row.label, row.leads, row.negotiated, row.signed, row.landed, row.started, row.funded, row.producing,
        _pct(row.conversion_rate), _pct(row.landing_rate), _pct(row.start_rate), _pct(row.funded_rate), _pct(row.production_rate),
        row.signed_amount, row.arrived_amount, _pct(row.funds_rate),
    ]  # fmt: skip


@in_chinese
def export_pipeline(leads: QuerySet[Lead], *, by: str = "region", region_name: str = "") -> tuple[bytes, int]:
    leads = leads.select_related(
        "region", "chain", "chain__chain_leader", "leader", "unit", "agreement", "agreement__enterprise", "project"
    ).order_by("region_id", "stage", "-obtained_on", "id")
    days = selectors.stall_days()
    arrived = {r["pk"]: r["arrived"] for r in selectors.lead_facts(leads)}
    rows = []
    for n, lead in enumerate(leads, start=1):
        p = lead.project
        rows.append(
            [
                n,
                lead.name,
                lead.investor_name,
                lead.get_investor_origin_display(),
                lead.investor_location,
                lead.get_source_display(),
                lead.chain.display_name if lead.chain else "",  # the Chinese (in_chinese)
                str(lead.chain.chain_leader or "") if lead.chain else "",
                lead.intended_amount,
                lead.get_stage_display(),
                lead.stage_entered_on,
                lead.days_in_stage,
                "是" if selectors.is_stalled(lead, days) else "",
                lead.signed_on,
                lead.signed_amount,
                str(lead.enterprise or ""),
                lead.landed_on,
                arrived.get(lead.pk) or None,
                p.name if p else "",
                p.get_stage_display() if p else "",
                lead.leader.name if lead.leader else "",
                lead.unit.name if lead.unit else "",
                lead.region.name,
                lead.obtained_on,
            ]
        )
    total, groups = selectors.funnel(leads, by=by)
    subtitle = f"{region_name} 截至 {timezone.localdate():%Y-%m-%d} 单位：万元".strip()
    content, (count, _n) = build_workbook(
        [
            Sheet("招商项目推进表", "招商引资项目推进情况表", PIPELINE_COLUMNS, rows, subtitle),
            Sheet("转化漏斗", f"招商引资转化与履约情况（按{selectors.GROUPS.get(by, '')}）", FUNNEL_COLUMNS,
                  [funnel_row(g) for g in groups] + [funnel_row(total)], subtitle),
        ]
    )  # fmt: skip
    return content, count


ACTIVITY_COLUMNS = [
    Column("序号", "int", 6),
    Column("日期", "date", 12),
    Column("活动类型", "text", 10),
    Column("天数", "int", 6),
    Column("地点/目的地", "text", 14),
    Column("带队领导", "text", 12),
    Column("参加人员", "text", 30),
    Column("对接企业", "text", 24),
    Column("成果", "text", 30),
    Column("获得线索", "int", 8),
    Column("所属区域", "text", 10),
]


@in_chinese
def export_activities(activities: QuerySet[Any]) -> tuple[bytes, int]:
    """The 招商活动 list (trips, visits, meetings, events) with the leads each produced."""
    from django.db.models import Count

    rows = [
        [
            n,
            a.held_on,
            a.get_kind_display(),
            a.days,
            a.destination,
            a.leader.name if a.leader else "",
            a.participants,
            a.investors_met,
            a.result,
            a.found,
            a.region.name,
        ]
        for n, a in enumerate(activities.annotate(found=Count("leads_found")), start=1)
    ]
    subtitle = f"截至 {timezone.localdate():%Y-%m-%d}"
    content, (count,) = build_workbook([Sheet("招商活动", "招商活动登记表", ACTIVITY_COLUMNS, rows, subtitle)])
    return content, count
