"""The usual approval chain of a fixed-asset investment project: (code, name, department, legal
limit in working days). Migration 0002 seeds it; the demo seeder restores it after a reset."""

from __future__ import annotations

ITEMS: list[tuple[str, str, str, int]] = [
    ("project-approval", "项目审批/核准/备案", "发展改革部门", 20),
    ("land-pre-review", "用地预审与选址意见书", "自然资源部门", 20),
    ("land-planning", "建设用地规划许可", "自然资源部门", 20),
    ("works-planning", "建设工程规划许可", "自然资源部门", 20),
    ("eia", "环评批复", "生态环境部门", 30),
    ("energy-review", "节能审查", "发展改革部门", 20),
    ("soil-water", "水土保持方案审批", "水利部门", 20),
    ("social-risk", "社会稳定风险评估", "政法（维稳）部门", 20),
    ("construction-permit", "施工许可", "住房城乡建设部门", 7),
]


def ensure_catalogue() -> int:
    """Create the standard items that are missing; returns how many were created."""
    from .models import ApprovalItem

    created = 0
    for order, (code, name, dept, limit) in enumerate(ITEMS, start=1):
        _obj, new = ApprovalItem.objects.get_or_create(
            code=code, defaults={"name": name, "department_name": dept, "legal_limit_days": limit, "order": order * 10}
        )
        created += new
    return created
