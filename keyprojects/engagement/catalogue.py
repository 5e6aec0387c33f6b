"""The usual 诉求类别 with their resolve limits in working days (editable in /config/).
Migration 0002 seeds them (0006 adds their English names); tests that start from an emptied
database (a transactional test flushes every table, migration data included) and the demo seeder
restore them here."""

from __future__ import annotations

#: (code, name, English name, description, resolve limit in working days)
CATEGORIES: list[tuple[str, str, str, str, int]] = [
    ("factor", "要素保障", "Factor support", "用地、用能、环境容量、资金等要素需求", 15),
    ("approval", "审批服务", "Approval services", "项目审批、许可、验收等办理中的问题", 10),
    ("finance", "融资", "Financing", "贷款、担保、基金、债券等融资需求", 15),
    ("labour", "用工", "Workforce", "招工、培训、人才引进等用工需求", 10),
    ("policy", "政策兑现", "Policy benefits", "奖补资金、税费优惠等政策兑现", 20),
    ("other", "其他", "Other", "其他需要协调解决的问题", 15),
]


def ensure_categories() -> int:
    """Create the usual categories that are missing; returns how many were created."""
    from .models import RequestCategory

    created = 0
    for order, (code, name, name_en, description, limit) in enumerate(CATEGORIES, start=1):
        defaults = {"name": name, "name_en": name_en, "description": description, "resolve_limit_days": limit, "order": order * 10}
        _obj, new = RequestCategory.objects.get_or_create(code=code, defaults=defaults)
        created += new
    return created
