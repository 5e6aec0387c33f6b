"""The demo's 审批事项 and 四张清单 (issue 14): present, valid, some overdue, one escalated."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from keyprojects.accounts.models import User
from keyprojects.approvals.models import ApprovalItem, FactorNeed, ProjectApproval
from keyprojects.approvals.selectors import department_board, with_timing


def _seed(**more: object) -> None:
    opts = {"projects": 40, "seed": 7, "year": 2024, "month": 2, "months": 0, "verbosity": 0, "interactive": False, **more}
    call_command("seed_demo", stdout=io.StringIO(), **opts)


@pytest.mark.django_db
def test_demo_approvals_and_needs():
    _seed()
    assert ProjectApproval.objects.count() >= 50
    for a in ProjectApproval.objects.select_related("item"):
        a.full_clean()
    for n in FactorNeed.objects.all():
        n.full_clean()
    # a project already under construction (or further) went through its approvals: none open
    started = ProjectApproval.objects.exclude(project__stage__in=("reserve", "preparation"))
    assert not started.exclude(status__in=("done", "not_needed")).exists()
    timed = with_timing(ProjectApproval.objects.select_related("item"))
    assert any(a.timing.code == "red" for a in timed) and any(a.timing.code == "yellow" for a in timed)
    assert FactorNeed.objects.filter(level="province").exists()
    assert set(FactorNeed.objects.values_list("kind", flat=True)) == {"land", "funds", "environment", "energy"}
    jinan = User.objects.get(username="jinan")
    assert ProjectApproval.objects.visible_to(jinan).exists() and FactorNeed.objects.visible_to(jinan).exists()
    dept = User.objects.get(username="jinan_fgw")
    assert ProjectApproval.objects.editable_by(dept).exists()
    assert department_board(User.objects.get(username="province"))
    from keyprojects.approvals.models import Consultation

    assert Consultation.objects.count() == 2
    # A reset keeps the catalogue (the seeder restores it).
    _seed(reset=True)
    assert ApprovalItem.objects.count() >= 9 and ProjectApproval.objects.exists()


@pytest.mark.django_db
def test_demo_approval_numbers_read_like_the_issuing_authoritys():
    """批复文号 read 济发改投资〔2025〕120号, 济环审〔2026〕12号 (the authority's short name per item),
    not 济PRO〔2025〕120号 built from the catalogue's internal codes; no two alike."""
    import re

    from keyprojects.demo.reference import APPROVAL_NUMBER_WORDS

    _seed()
    done = list(ProjectApproval.objects.filter(status="done").select_related("item", "project"))
    assert done
    numbers = [a.approval_number for a in done]
    assert len(set(numbers)) == len(numbers)
    for a in done:
        m = re.fullmatch(r"(济宁|济|[青淄枣东烟潍泰威日临德聊滨菏鲁])(.+)〔(\d{4})〕(\d+)号", a.approval_number)
        assert m, a.approval_number
        assert m.group(2) == APPROVAL_NUMBER_WORDS[a.item.code] and int(m.group(3)) == a.completed_on.year
        assert not re.search(r"[A-Z]", a.approval_number)
    by_item = {a.item.code: a.approval_number for a in done if a.project.city_code == "370100"}
    if "project-approval" in by_item:
        assert by_item["project-approval"].startswith("济发改投资〔")
