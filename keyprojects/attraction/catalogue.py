"""The default service standard of each stage (Dongying's standardised service of an attracted
project): stalled-lead days and checklist items, each item with its English name. Migration 0002
installed it once (0008 adds the items' English names); the province keeps it in /config/
afterwards."""

from __future__ import annotations

from typing import Any

#: (stage, stall days, service standard, [(item, its English name), …])
DEFAULT_STANDARDS: list[tuple[str, int, str, list[tuple[str, str]]]] = [
    ("info", 60, "线索登记后及时研判、明确责任领导和责任单位", [
        ("线索登记建档", "Register and file the lead"),
        ("研判投资方实力与项目可行性", "Assess the investor's strength and the project's feasibility"),
        ("明确责任领导和责任单位", "Assign the responsible leader and unit"),
    ]),
    ("negotiation", 90, "制定对接方案，组织考察，提出要素保障方案", [
        ("制定对接方案", "Draw up an engagement plan"),
        ("组织实地考察", "Organise a site visit"),
        ("提供要素保障方案", "Offer a factor support plan"),
        ("商定合作条件", "Agree the terms of cooperation"),
    ]),
    ("signed", 180, "签约前合法性审查，签约后建立服务专班推动落地", [
        ("协议合法性审查", "Legal review of the agreement"),
        ("签约并明确双方承诺", "Sign and set out both sides' commitments"),
        ("建立项目服务专班", "Set up a dedicated project service team"),
    ]),
    ("landed", 180, "代办审批手续、协调要素，推动开工投产", [
        ("项目公司注册", "Register the project company"),
        ("代办审批手续", "Handle the approval procedures on the investor's behalf"),
        ("协调要素保障", "Coordinate factor support"),
        ("推动开工建设", "Push for the start of construction"),
    ]),
    ("feedback", 365, "定期回访，收集意见，评价履约", [
        ("回访企业", "Follow-up visit to the enterprise"),
        ("收集意见并改进服务", "Collect feedback and improve the service"),
        ("评价双方履约情况", "Evaluate how both sides kept the agreement"),
    ]),
]  # fmt: skip


def ensure_standards(stage_model: Any = None, item_model: Any = None) -> None:
    """Create the default standards and items that do not exist yet (never overwrites)."""
    if stage_model is None or item_model is None:
        from .models import ServiceItem, StageStandard

        stage_model, item_model = StageStandard, ServiceItem
    for stage, days, description, items in DEFAULT_STANDARDS:
        stage_model.objects.get_or_create(stage=stage, defaults={"stall_days": days, "description": description})
        for order, (name, name_en) in enumerate(items, start=1):
            item_model.objects.get_or_create(stage=stage, name=name, defaults={"order": order, "name_en": name_en})
