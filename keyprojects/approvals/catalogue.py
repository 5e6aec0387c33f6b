"""The usual approval chain of a fixed-asset investment project: (code, name, English name,
department, the department's English name, legal limit in working days). Migration 0002 seeds it
(0006 adds the English names); the demo seeder restores it after a reset."""

from __future__ import annotations

ITEMS: list[tuple[str, str, str, str, str, int]] = [
    ("project-approval", "项目审批/核准/备案", "Project approval, verification or filing",
     "发展改革部门", "Development and reform department", 20),
    ("land-pre-review", "用地预审与选址意见书", "Land use pre-review and site selection opinion",
     "自然资源部门", "Natural resources department", 20),
    ("land-planning", "建设用地规划许可", "Planning permit for construction land use", "自然资源部门", "Natural resources department", 20),
    ("works-planning", "建设工程规划许可", "Planning permit for construction works", "自然资源部门", "Natural resources department", 20),
    ("eia", "环评批复", "Environmental impact assessment approval", "生态环境部门", "Ecology and environment department", 30),
    ("energy-review", "节能审查", "Energy conservation review", "发展改革部门", "Development and reform department", 20),
    ("soil-water", "水土保持方案审批", "Soil and water conservation plan approval", "水利部门", "Water resources department", 20),
    ("social-risk", "社会稳定风险评估", "Social stability risk assessment",
     "政法（维稳）部门", "Political and legal affairs department (stability)", 20),
    ("construction-permit", "施工许可", "Construction permit", "住房城乡建设部门", "Housing and urban-rural development department", 7),
]  # fmt: skip


def ensure_catalogue() -> int:
    """Create the standard items that are missing; returns how many were created."""
    from .models import ApprovalItem

    created = 0
    for order, (code, name, name_en, dept, dept_en, limit) in enumerate(ITEMS, start=1):
        defaults = {
            "name": name,
            "name_en": name_en,
            "department_name": dept,
            "department_name_en": dept_en,
            "legal_limit_days": limit,
            "order": order * 10,
        }
        _obj, new = ApprovalItem.objects.get_or_create(code=code, defaults=defaults)
        created += new
    if created:
        from keyprojects.core.localized import forget_english_names

        forget_english_names("approvals.ApprovalItem", ("name", "department_name"))
    return created
