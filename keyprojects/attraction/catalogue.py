"""The default service standard of each stage (Dongying's standardised service of an attracted
project): stalled-lead days and checklist items. The migration installs it once; the province
keeps it in /config/ afterwards."""

from __future__ import annotations

from typing import Any

DEFAULT_STANDARDS: list[tuple[str, int, str, list[str]]] = [
    ("info", 60, "线索登记后及时研判、明确责任领导和责任单位", ["线索登记建档", "研判投资方实力与项目可行性", "明确责任领导和责任单位"]),
    ("negotiation", 90, "制定对接方案，组织考察，提出要素保障方案", ["制定对接方案", "组织实地考察", "提供要素保障方案", "商定合作条件"]),
    ("signed", 180, "签约前合法性审查，签约后建立服务专班推动落地", ["协议合法性审查", "签约并明确双方承诺", "建立项目服务专班"]),
    ("landed", 180, "代办审批手续、协调要素，推动开工投产", ["项目公司注册", "代办审批手续", "协调要素保障", "推动开工建设"]),
    ("feedback", 365, "定期回访，收集意见，评价履约", ["回访企业", "收集意见并改进服务", "评价双方履约情况"]),
]


def ensure_standards(stage_model: Any = None, item_model: Any = None) -> None:
    """Create the default standards and items that do not exist yet (never overwrites)."""
    if stage_model is None or item_model is None:
        from .models import ServiceItem, StageStandard

        stage_model, item_model = StageStandard, ServiceItem
    for stage, days, description, items in DEFAULT_STANDARDS:
        stage_model.objects.get_or_create(stage=stage, defaults={"stall_days": days, "description": description})
        for order, name in enumerate(items, start=1):
            item_model.objects.get_or_create(stage=stage, name=name, defaults={"order": order})
