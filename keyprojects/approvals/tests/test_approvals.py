"""审批事项: catalogue, recording, scope and policy, working-day timing, 红黄码, ranking and the
before/after comparison (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.approvals.choices import ApprovalStatus, Code
from keyprojects.approvals.models import ApprovalItem, ProjectApproval
from keyprojects.approvals.selectors import compare_periods, department_board, with_timing
from keyprojects.approvals.services import approval_items_set, approval_update
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, PermissionDenied, ValidationFailed
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def items(world):
    eia = ApprovalItem.objects.get(code="eia")
    eia.department_unit = world.dept
    eia.save()
    return {i.code: i for i in ApprovalItem.objects.all()}


def test_catalogue_is_seeded():
    names = list(ApprovalItem.objects.values_list("name", flat=True))
    assert names[0] == "项目审批/核准/备案" and "施工许可" in names and len(names) >= 9


def test_county_records_items_and_department_works_its_own(world, items):
    p = world.projects.own_county
    county, dept = world.users.county, world.users.department
    rows = approval_items_set(user=county, project=p, item_ids=[items["project-approval"].pk, items["eia"].pk])
    assert {a.item.code for a in rows} == {"project-approval", "eia"}
    eia = ProjectApproval.objects.get(project=p, item=items["eia"])
    assert eia.handling_unit == world.dept  # the catalogue's unit handles it
    approval_update(
        user=dept,
        approval=eia,
        expected_version=eia.version,
        data={"status": ApprovalStatus.IN_PROGRESS, "applied_on": D(2025, 9, 22), "accepted_on": D(2025, 9, 26)},
    )
    eia.refresh_from_db()
    assert eia.status == ApprovalStatus.IN_PROGRESS and eia.version == 2
    # The department may not work an item it does not handle, nor move who handles it.
    other = ProjectApproval.objects.get(project=p, item=items["project-approval"])
    with pytest.raises(PermissionDenied):
        approval_update(user=dept, approval=other, expected_version=other.version, data={"status": "in_progress"})
    with pytest.raises(PermissionDenied):
        approval_update(user=dept, approval=eia, expected_version=eia.version, data={"handling_unit": None})
    # Stale version: conflict, nothing saved.
    with pytest.raises(ConflictError):
        approval_update(user=county, approval=eia, expected_version=1, data={"approval_number": "X"})
    eia.refresh_from_db()
    assert eia.approval_number == ""
    assert AuditEvent.objects.filter(action="approval.update").count() == 1
    assert AuditEvent.objects.filter(action="approval.items_set").count() == 1
    # Unticking a not-started item keeps it as 不需办理.
    approval_items_set(user=county, project=p, item_ids=[items["eia"].pk])
    assert ProjectApproval.objects.get(project=p, item=items["project-approval"]).status == ApprovalStatus.NOT_NEEDED


def test_scope_and_read_only_roles(world, items):
    p = world.projects.own_county
    approval_items_set(user=world.users.county, project=p, item_ids=[items["eia"].pk])
    a = ProjectApproval.objects.get(project=p)
    assert ProjectApproval.objects.visible_to(world.users.city).filter(pk=a.pk).exists()
    assert ProjectApproval.objects.visible_to(world.users.enterprise).filter(pk=a.pk).exists()
    for user in (world.users.sibling, world.users.other_city, world.users.other_enterprise, world.users.sysadmin, world.users.auditor):
        assert not ProjectApproval.objects.visible_to(user).filter(pk=a.pk).exists()
    for user in (world.users.leader, world.users.enterprise, world.users.sibling):
        with pytest.raises(PermissionDenied):
            approval_update(user=user, approval=a, expected_version=a.version, data={"note": "x"})
    with pytest.raises(PermissionDenied):
        approval_items_set(user=world.users.sibling, project=p, item_ids=[])
    with pytest.raises(PermissionDenied):
        approval_items_set(user=world.users.department, project=p, item_ids=[])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "done", "applied_on": D(2025, 1, 2)}, "completed_on"),
        ({"status": "in_progress"}, "applied_on"),
        ({"status": "in_progress", "applied_on": D(2025, 3, 2), "accepted_on": D(2025, 3, 1)}, "accepted_on"),
        ({"status": "not_applied", "applied_on": D(2025, 3, 2)}, "status"),
        ({"status": "in_progress", "applied_on": D(2099, 3, 2)}, "applied_on"),
        ({"status": "bogus"}, "status"),
    ],
)
def test_bad_input_is_refused_with_a_field_message(world, items, data, field):
    approval_items_set(user=world.users.county, project=world.projects.own_county, item_ids=[items["eia"].pk])
    a = ProjectApproval.objects.get()
    with pytest.raises(ValidationFailed) as exc:
        approval_update(user=world.users.county, approval=a, expected_version=a.version, data=data)
    assert field in exc.value.extra["fields"]
    a.refresh_from_db()
    assert a.status == ApprovalStatus.NOT_APPLIED and a.version == 1


def _record(world, item, project, **data):
    a, _ = ProjectApproval.objects.get_or_create(project=project, item=item, defaults={"handling_unit": item.department_unit})
    approval_update(user=world.users.province, approval=a, expected_version=a.version, data=data)
    a.refresh_from_db()
    return a


def test_durations_codes_ranking_and_comparison(world, items):
    eia, permit = items["eia"], items["construction-permit"]  # 30 and 7 working days
    p1, p2, p3 = world.projects.own_county, world.projects.sibling_county, world.projects.city_level
    today = D(2025, 10, 11)
    # Accepted Fri 2025-09-26, still open on 10-11: 6 working days over 国庆 (limit 7 → yellow).
    open_permit = _record(world, permit, p1, status="in_progress", applied_on=D(2025, 9, 26), accepted_on=D(2025, 9, 26))
    # Accepted 2025-08-01, still open: far past 30 working days → red.
    open_eia = _record(world, eia, p2, status="in_progress", applied_on=D(2025, 8, 1), accepted_on=D(2025, 8, 1))
    # Completed EIA in 2024: 46 working days (late).
    _record(world, eia, p3, status="done", applied_on=D(2024, 1, 2), accepted_on=D(2024, 1, 2), completed_on=D(2024, 3, 11))
    late = ProjectApproval.objects.get(project=p3, item=eia)
    _record(world, permit, p3, status="done", applied_on=D(2025, 5, 6), accepted_on=D(2025, 5, 6), completed_on=D(2025, 5, 13))
    fast = ProjectApproval.objects.get(project=p3, item=permit)
    timed = {a.pk: a.timing for a in with_timing(ProjectApproval.objects.select_related("item"), today)}
    assert timed[open_permit.pk].days == 6 and timed[open_permit.pk].code == Code.YELLOW
    assert timed[open_eia.pk].overdue and timed[open_eia.pk].code == Code.RED
    # 2024-01-02 → 2024-03-11 across 春节 (2/10–2/17 off, 2/4 and 2/18 worked).
    assert timed[late.pk].days == 46 and timed[late.pk].overdue and timed[late.pk].code == Code.GREEN
    assert timed[fast.pk].days == 5 and not timed[fast.pk].overdue  # 五一 is before 5/6

    board = {r.department: r for r in department_board(world.users.province, today=today)}
    env = board[world.dept.name]
    assert env.code == Code.RED and env.overdue_open == 1 and env.done == 1 and env.average_days == 46 and env.overdue == 2
    housing = board["住房城乡建设部门"]
    assert housing.code == Code.YELLOW and housing.average_days == 5
    ranked = [r.department for r in department_board(world.users.province, today=today)]
    assert ranked.index("住房城乡建设部门") < ranked.index(world.dept.name)
    # The county sees only its own project's items.
    assert [r.department for r in department_board(world.users.county, today=today)] == ["住房城乡建设部门"]

    # Before/after: EIA completed in 2024 vs 2025.
    _record(world, eia, p1, status="done", applied_on=D(2025, 3, 3), accepted_on=D(2025, 3, 3), completed_on=D(2025, 3, 14))
    cmp = compare_periods(world.users.province, item=eia, before=(D(2024, 1, 1), D(2024, 12, 31)), after=(D(2025, 1, 1), D(2025, 12, 31)))
    assert cmp["before"].average_days == 46 and cmp["after"].average_days == 9 and cmp["after"].count == 1
    assert cmp["change_pct"] == round((9 - 46) / 46 * 100, 1)


def test_compare_form_refuses_reversed_dates_in_the_page_language(compiled):  # noqa: F811
    from django.utils import translation

    from keyprojects.approvals.forms import CompareForm

    item = ApprovalItem.objects.create(code="zz_test", name="测试事项", department_name="测试部门", legal_limit_days=5)
    data = {
        "item": item.pk,
        "before_start": "2025-02-01",
        "before_end": "2025-01-01",
        "after_start": "2025-03-01",
        "after_end": "2025-04-01",
    }
    with translation.override("zh-hans"):
        form = CompareForm(data)
        assert not form.is_valid() and form.errors["before_end"] == ["结束日期不能早于开始日期"]
    with translation.override("en"):
        form = CompareForm(data)
        assert not form.is_valid() and form.errors["before_end"] == ["The end date cannot be before the start date"]
