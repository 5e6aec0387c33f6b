"""审批超时 and 要素保障逾期 as warning kinds of the one refresh action, shown with their 责任单位;
审批平均用时, 审批超时件数 and 要素逾期未保障数 as indicators of rankings and 双考核双评价 schemes.

The worked example (2026-03, the calendar has no holiday in March; working days are counted after
the day of acceptance):
  dept A (济南市发改委)  项目审批 3/2 → 3/16: 10 days; 节能审查 3/2 → 3/30: 20 days (limit 20, on time)
                          → average 15.0, overdue 0, overdue needs 0
  dept B (自然资源局)    用地预审 accepted 2/2, open on 3/31: 37 days > 20 → overdue 1
                          a land need owned by B, due 3/10, pending → overdue needs 1
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from keyprojects.analytics.assessment import assessment_compute
from keyprojects.analytics.models import AssessmentScheme
from keyprojects.analytics.rankings import ranking
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.analytics.services_assessment import scheme_save
from keyprojects.approvals.models import ApprovalItem, FactorNeed, ProjectApproval
from keyprojects.approvals.services import approval_items_set, approval_update
from keyprojects.approvals.services_needs import factor_need_create, factor_need_update
from keyprojects.core.testing import UnitFactory
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import ProjectWarning
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db
DAY = dt.date


def _record(user, project, code, unit, **data):
    item = ApprovalItem.objects.get(code=code)
    current = list(ProjectApproval.objects.filter(project=project).values_list("item_id", flat=True))
    approval_items_set(user=user, project=project, item_ids=[*current, item.pk])
    a = ProjectApproval.objects.get(project=project, item=item)
    return approval_update(user=user, approval=a, expected_version=a.version, data={"handling_unit": unit.pk, **data})


@pytest.fixture
def ex(dw):
    dw.land_bureau = UnitFactory(name="济南市自然资源和规划局", region_id="370100")
    county, city = dw.users.county, dw.users.city
    own, sibling = dw.projects.own_county, dw.projects.sibling_county
    done = {"status": "done", "applied_on": DAY(2026, 3, 2), "accepted_on": DAY(2026, 3, 2)}
    dw.a1 = _record(county, own, "project-approval", dw.dept, **done, completed_on=DAY(2026, 3, 16))
    dw.a2 = _record(city, sibling, "energy-review", dw.dept, **done, completed_on=DAY(2026, 3, 30))
    dw.late = _record(
        county, own, "land-pre-review", dw.land_bureau, status="in_progress", applied_on=DAY(2026, 2, 2), accepted_on=DAY(2026, 2, 2)
    )
    dw.need = factor_need_create(
        user=county,
        project=own,
        data={"kind": "land", "subtype": "new_quota", "quantity": D("80"), "owner_unit": dw.land_bureau.pk, "due_on": DAY(2026, 3, 10)},
    )
    return dw


def _warnings(period, kind):
    return {w.project_id: w for w in ProjectWarning.objects.filter(period=period, kind=kind)}


def test_overdue_approval_and_need_are_warnings_of_the_refresh_with_their_unit(ex):
    own = ex.projects.own_county
    # The services called the refresh for the running month (March): both warnings are there.
    late = _warnings(ex.p3, "approval_overdue")
    assert set(late) == {own.pk}
    assert late[own.pk].owner == "济南市自然资源和规划局"
    assert late[own.pk].value == 17  # 37 working days, limit 20
    assert "用地预审与选址意见书已办理37个工作日，超过法定时限20个工作日" in late[own.pk].message
    need = _warnings(ex.p3, "need_overdue")
    assert set(need) == {own.pk} and need[own.pk].owner == "济南市自然资源和规划局" and "保障时限2026-03-10已过" in need[own.pk].message
    # January as of its last day: the approval had not started, the need was not due.
    refresh_periods(periods=[ex.p1, ex.p2])
    assert not _warnings(ex.p1, "approval_overdue") and not _warnings(ex.p1, "need_overdue")
    # February 28: 17 working days (the Spring Festival holiday does not count), within the limit.
    assert not _warnings(ex.p2, "approval_overdue")
    # Completing the approval and securing the need clears both (the services refresh).
    approval_update(
        user=ex.users.county, approval=ex.late, expected_version=ex.late.version, data={"status": "done", "completed_on": DAY(2026, 4, 1)}
    )
    assert set(_warnings(ex.p3, "approval_overdue")) == {own.pk}  # on 3/31 it was still open and late
    ex.late.refresh_from_db()
    approval_update(user=ex.users.county, approval=ex.late, expected_version=ex.late.version, data={"completed_on": DAY(2026, 3, 20)})
    assert not _warnings(ex.p3, "approval_overdue")
    factor_need_update(
        user=ex.users.county,
        need=ex.need,
        expected_version=ex.need.version,
        data={"status": "secured", "secured": D("80")},
    )
    assert not _warnings(ex.p3, "need_overdue")


def test_warnings_list_and_export_show_the_unit_that_must_act(ex, client):
    client.force_login(ex.users.city)
    page = client.get("/dispatch/warnings/", {"kind": "approval_overdue", "period": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "审批超时" in html and "济南市自然资源和规划局" in html and "历下区项目" in html
    # the dashboard's warning counts and the API list every kind, these included
    client.logout()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(ex.users.city)
    data = api.get("/api/v1/warnings/", {"kind": "need_overdue"}).json()
    assert [(w["kind"], w["owner"]) for w in data["results"]] == [("need_overdue", "济南市自然资源和规划局")]


def test_department_indicators_and_a_scheme_that_scores_them(ex):
    root = Region.objects.get(code="370100")
    a, b = str(ex.dept.pk), str(ex.land_bureau.pk)
    avg = ranking(period=ex.p3, kind="department", root=root, indicator="approval_avg_days")
    assert [(r.unit.key, r.value, r.rank) for r in avg.rows] == [(a, D("15.0"), 1), (b, None, 2)]
    late = ranking(period=ex.p3, kind="department", root=root, indicator="approvals_overdue")
    assert [(r.unit.key, r.value, r.rank) for r in late.rows] == [(a, 0, 1), (b, 1, 2)]  # fewer is better

    scheme = scheme_save(
        user=ex.users.province,
        scheme=AssessmentScheme(
            name="部门审批效率考核",
            unit_kind="department",
            region_id="370100",
            indicators=[
                {"indicator": "approval_avg_days", "weight": 50, "rule": "linear", "direction": "down", "floor": 30, "target": 10},
                {"indicator": "approvals_overdue", "weight": 30, "rule": "rank", "direction": "down", "last_points": 60},
                {"indicator": "needs_overdue", "weight": 20, "rule": "linear", "direction": "down", "floor": 2, "target": 0},
            ],
        ),
    )
    result = assessment_compute(scheme=scheme, period=ex.p3)
    # A: (50×75 + 30×100 + 20×100) / 100 = 87.50 (15 days: 75 points between 30 and 10)
    # B: average not applicable; (30×60 + 20×50) / 50 = 56.00
    assert [(u["key"], u["score"], u["rank"]) for u in result["units"]] == [(a, "87.50", 1), (b, "56.00", 2)]
    lines = {line["indicator"]: line for line in result["units"][1]["indicators"]}
    assert lines["approvals_overdue"]["basis"]["approvals"] == [ex.late.pk]
    assert lines["needs_overdue"]["basis"]["needs"] == [ex.need.pk]
    assert lines["approval_avg_days"]["applicable"] is False
    a_lines = {line["indicator"]: line for line in result["units"][0]["indicators"]}
    assert a_lines["approval_avg_days"]["basis"]["days"] == [10, 20]


def test_region_indicators_group_by_county(ex):
    root = Region.objects.get(code="370100")
    from keyprojects.approvals.figures import unit_approval_figures

    figures = unit_approval_figures(period=ex.p3, kind="region", root=root)
    assert figures["370102"].average_days == D("10.0") and len(figures["370102"].overdue_approvals) == 1
    assert figures["370103"].average_days == D("20.0") and not figures["370103"].overdue_needs
    assert FactorNeed.objects.count() == 1


def test_the_warnings_are_stored_in_chinese_and_read_in_english(ex, compiled):  # noqa: F811
    """A refresh run from an English request stores the Chinese messages (the factor kind's label
    too); the English UI says them again — the catalogue's item by its English name, a unit's
    name as written."""
    from django.utils import translation

    with translation.override("en"):
        refresh_periods(periods=[ex.p3])
    own = ex.projects.own_county
    late, need = _warnings(ex.p3, "approval_overdue")[own.pk], _warnings(ex.p3, "need_overdue")[own.pk]
    assert late.message == "用地预审与选址意见书已办理37个工作日，超过法定时限20个工作日（济南市自然资源和规划局）"
    assert need.message == "土地要素缺口80亩，保障时限2026-03-10已过（济南市自然资源和规划局）"
    with translation.override("zh-hans"):
        assert (late.shown_message, need.shown_message) == (late.message, need.message)
    with translation.override("en"):
        assert late.shown_message == (
            "Land use pre-review and site selection opinion: in handling for 37 working days, over its legal limit of 20 working days "
            "(济南市自然资源和规划局)"
        )
        assert need.shown_message == "Land need short by 80 (mu), deadline 2026-03-10 passed (济南市自然资源和规划局)"


def test_a_large_gap_is_written_with_thousands_separators(ex, compiled):  # noqa: F811
    """The stored sentence writes its figure as the pages write amounts (12,500.5), and the
    English UI reads it back."""
    from django.utils import translation

    FactorNeed.objects.filter(pk=ex.need.pk).update(quantity=D("12580.5"), secured=D("80"))
    refresh_periods(periods=[ex.p3])
    need = _warnings(ex.p3, "need_overdue")[ex.projects.own_county.pk]
    assert need.message == "土地要素缺口12,500.5亩，保障时限2026-03-10已过（济南市自然资源和规划局）"
    with translation.override("en"):
        assert need.shown_message == "Land need short by 12,500.5 (mu), deadline 2026-03-10 passed (济南市自然资源和规划局)"
