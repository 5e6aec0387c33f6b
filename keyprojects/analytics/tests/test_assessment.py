"""双考核双评价: scores on a worked example, every point explained down to the projects, one
snapshot per scheme and closed period, identical when asked again, refused for open periods.

The data is the ranking world of test_rankings (``rw``); February is closed for Jinan. There:
  completion rate  历下 25%, 市中 50%, 槐荫 50%, 天桥 — (no annual plan)
  on-time rate     槐荫 100% (1st), 历下 / 市中 / 天桥 0% (2nd, tied)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from keyprojects.analytics.assessment import (
    assessment_compute,
    linear_points,
    normalise_indicators,
    rank_points,
    result_digest,
    schemes_visible_to,
)
from keyprojects.analytics.models import AssessmentScheme, AssessmentSnapshot
from keyprojects.analytics.services_assessment import PeriodNotClosed, assessment_snapshot, scheme_delete, scheme_save
from keyprojects.analytics.tests.test_rankings import approve, rw  # noqa: F401  (the fixture)
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.dispatch.models import ProblemItem
from keyprojects.dispatch.services import period_close, revision_decide, revision_request
from keyprojects.dispatch.services_problems import problem_create

TZ = dt.timezone(dt.timedelta(hours=8))
COUNTY_SCHEME = [
    {"indicator": "completion_rate", "weight": 60, "rule": "linear", "floor": 0, "target": 50},
    {"indicator": "on_time_rate", "weight": 40, "rule": "rank", "last_points": 60},
]


def make_scheme(dw, *, name="县区考核", region="370100", kind="region", indicators=COUNTY_SCHEME):
    return scheme_save(user=dw.users.province, scheme=AssessmentScheme(name=name, unit_kind=kind, region_id=region, indicators=indicators))


@pytest.fixture
def closed(rw):  # noqa: F811
    period_close(user=rw.users.city, period=rw.p2, confirm="确认关账")  # Jinan's February
    rw.scheme = make_scheme(rw)
    return rw


def _units(result):
    return [(u["key"], u["score"], u["rank"]) for u in result["units"]]


def test_rules_by_hand():
    assert linear_points(D("25"), D(0), D(50)) == D("50.00")
    assert linear_points(D("-3"), D(0), D(50)) == D("0.00")
    assert linear_points(D("75"), D(0), D(50)) == D("100.00")
    assert linear_points(D("-5"), D(-10), D(10)) == D("25.00")  # 序时进度 in points
    assert rank_points(1, 4, D(60)) == D("100.00")
    assert rank_points(2, 4, D(60)) == D("86.67")  # 100 − 40/3
    assert rank_points(4, 4, D(60)) == D("60.00")
    assert rank_points(1, 1, D(60)) == D("100.00")


def test_worked_example(closed):
    result = assessment_compute(scheme=closed.scheme, period=closed.p2)
    # 槐荫  (60×100 + 40×100)   / 100 = 100.00
    # 市中  (60×100 + 40×86.67) / 100 = 94.67
    # 天桥  completion n/a: 40×86.67 / 40 = 86.67
    # 历下  (60×50  + 40×86.67) / 100 = 64.67
    assert _units(result) == [("370104", "100.00", 1), ("370103", "94.67", 2), ("370105", "86.67", 3), ("370102", "64.67", 4)]
    assert result["period"] == "2026-02" and result["scheme"]["indicators"][0] == {
        "indicator": "completion_rate",
        "weight": "60",
        "rule": "linear",
        "floor": "0",
        "target": "50",
    }
    lixia = result["units"][3]
    assert lixia["name"] == "历下区" and lixia["projects"] == 1
    rate, on_time = lixia["indicators"]
    assert (rate["value"], rate["points"], rate["rank"], rate["applicable"]) == ("25.00", "50.00", 3, True)
    assert rate["basis"]["invested_ytd"] == "300.0000" and rate["basis"]["annual_plan"] == "1200.0000"
    assert rate["basis"]["projects"] == [closed.projects.own_county.pk]
    assert (on_time["value"], on_time["rank"], on_time["ranked"], on_time["points"]) == ("0.00", 2, 4, "86.67")
    assert on_time["basis"]["projects"] == [closed.projects.own_county.pk] and on_time["basis"]["counted"] == []

    huaiyin = result["units"][0]["indicators"][1]
    assert huaiyin["basis"]["counted"] == [closed.huaiyin.pk] and (huaiyin["basis"]["numerator"], huaiyin["basis"]["denominator"]) == (1, 1)
    tianqiao = result["units"][2]["indicators"][0]
    assert (tianqiao["value"], tianqiao["points"], tianqiao["applicable"]) == (None, None, False)


def test_snapshot_once_and_identical(closed):
    s1, created = assessment_snapshot(user=closed.users.city, scheme=closed.scheme, period=closed.p2)
    assert created and s1.digest == result_digest(s1.result)
    assert assessment_compute(scheme=closed.scheme, period=closed.p2) == assessment_compute(scheme=closed.scheme, period=closed.p2)
    ev = AuditEvent.objects.get(action="assessment_compute")
    assert ev.changes["digest"] == s1.digest and ev.changes["period"] == "2026-02"

    # after the close: a January correction (rolls into later months), a late problem, a scheme change
    jan = closed.projects.own_county.reports.get(period=closed.p1)
    rev = revision_request(user=closed.users.county, report=jan, reason="更正", new_values={"invested_month": "600"})
    revision_decide(user=closed.users.province, revision=rev, approve=True)
    assert assessment_compute(scheme=closed.scheme, period=closed.p2)["units"] == s1.result["units"]  # frozen facts
    item = problem_create(user=closed.users.city, project=closed.projects.own_county, description="新问题")
    ProblemItem.objects.filter(pk=item.pk).update(created_at=dt.datetime(2026, 2, 3, tzinfo=TZ))
    closed.scheme.indicators = [{"indicator": "problem_closure_rate", "weight": 1, "rule": "rank"}]
    scheme_save(user=closed.users.province, scheme=closed.scheme)

    s2, created = assessment_snapshot(user=closed.users.province, scheme=closed.scheme, period=closed.p2)
    assert not created and s2.pk == s1.pk
    s2.refresh_from_db()
    assert s2.result == s1.result and s2.digest == s1.digest == result_digest(s2.result)
    assert s2.result["scheme"]["indicators"][0]["indicator"] == "completion_rate"  # the scheme as it was
    assert AssessmentSnapshot.objects.count() == 1 and AuditEvent.objects.filter(action="assessment_compute").count() == 1


def test_open_periods_are_refused(closed):
    with pytest.raises(PeriodNotClosed) as exc:
        assessment_snapshot(user=closed.users.city, scheme=closed.scheme, period=closed.p3)
    assert "尚未关账" in exc.value.message
    province = make_scheme(closed, name="各市考核", region="370000")
    with pytest.raises(PeriodNotClosed):  # Jinan closed February, the province has not
        assessment_snapshot(user=closed.users.province, scheme=province, period=closed.p2)
    assert not AssessmentSnapshot.objects.exists()


def test_who_may_compute(closed):
    for user in (closed.users.county, closed.users.department, closed.users.other_city, closed.users.auditor, closed.users.leader):
        with pytest.raises(NotFound):
            assessment_snapshot(user=user, scheme=closed.scheme, period=closed.p2)
    assert list(schemes_visible_to(closed.users.leader)) == [closed.scheme]  # may read, not compute
    assert not schemes_visible_to(closed.users.other_city).exists()
    assert list(schemes_visible_to(closed.users.province)) == [closed.scheme]


def test_department_scheme_on_the_province(rw):  # noqa: F811
    period_close(user=rw.users.province, period=rw.p2, confirm="确认关账")
    scheme = make_scheme(
        rw,
        name="市直部门考核",
        region="370000",
        kind="department",
        indicators=[
            {"indicator": "completion_rate", "weight": 50, "rule": "linear", "floor": 0, "target": 50},
            {"indicator": "problem_closure_rate", "weight": 50, "rule": "rank"},
        ],
    )
    snap, _ = assessment_snapshot(user=rw.users.province, scheme=scheme, period=rw.p2)
    # 青岛工信局 450/900 = 50% → 100; 发改委 800/2200 = 36.36% → 72.72; no problems: n/a
    assert _units(snap.result) == [(str(rw.other_dept.pk), "100.00", 1), (str(rw.dept.pk), "72.72", 2)]
    dept = snap.result["units"][1]
    assert dept["indicators"][0]["basis"]["projects"] == sorted([rw.projects.own_county.pk, rw.huaiyin.pk])
    assert dept["indicators"][1]["applicable"] is False


def test_scheme_validation_and_audit(rw):  # noqa: F811
    bad = [
        ([], "至少"),
        ([{"indicator": "nonsense", "weight": 1}], "不存在"),
        ([{"indicator": "start_rate", "weight": 0, "target": 1}], "大于0"),
        ([{"indicator": "start_rate", "weight": 1, "floor": 50, "target": 50}], "目标值"),
        ([{"indicator": "start_rate", "weight": 1, "rule": "rank", "last_points": 120}], "末位"),
        ([{"indicator": "start_rate", "weight": 1, "rule": "rank"}, {"indicator": "start_rate", "weight": 1, "rule": "rank"}], "重复"),
        ([{"indicator": "start_rate", "weight": "x", "rule": "rank"}], "数字"),
    ]
    for items, words in bad:
        with pytest.raises(ValueError, match=words):
            normalise_indicators(items)
    with pytest.raises(ValidationFailed):
        make_scheme(rw, indicators=[{"indicator": "nonsense", "weight": 1}])
    with pytest.raises(ValidationFailed):
        make_scheme(rw, region="370102")  # a county has nothing below it to assess
    with pytest.raises(PermissionDenied):  # a city writes its own schemes (issue 10), not the province's
        scheme_save(user=rw.users.city, scheme=AssessmentScheme(name="x", region_id="370000", indicators=COUNTY_SCHEME))
    for user in (rw.users.county, rw.users.leader):
        with pytest.raises(PermissionDenied):
            scheme_save(user=user, scheme=AssessmentScheme(name="x", region_id="370100", indicators=COUNTY_SCHEME))

    scheme = make_scheme(rw)
    scheme.indicators = [{"indicator": "completion_rate", "weight": "100", "target": "60"}]
    scheme_save(user=rw.users.province, scheme=scheme)
    ev = AuditEvent.objects.filter(action="config", object_id=str(scheme.pk)).order_by("id").last()
    old, new = ev.changes["indicators"]
    assert old[1]["indicator"] == "on_time_rate"
    assert new == [{"indicator": "completion_rate", "weight": "100", "rule": "linear", "floor": "0", "target": "60"}]
    period_close(user=rw.users.city, period=rw.p2, confirm="确认关账")
    assessment_snapshot(user=rw.users.city, scheme=scheme, period=rw.p2)
    with pytest.raises(ApplicationError):
        scheme_delete(user=rw.users.province, scheme=scheme)


def test_admin_changes_are_audited(rw, client):  # noqa: F811
    client.force_login(rw.users.province)  # business configuration: province staff (issue 11)
    url = "/config/analytics/assessmentscheme/"
    assert client.get(f"{url}add/").status_code == 200
    resp = client.post(
        f"{url}add/",
        {
            "name": "县区考核",
            "unit_kind": "region",
            "region": "370100",
            "indicators": json_of([{"indicator": "on_time_rate", "weight": 1, "rule": "rank"}]),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    scheme = AssessmentScheme.objects.get()
    assert scheme.indicators == [{"indicator": "on_time_rate", "weight": "1", "rule": "rank", "last_points": "60"}]
    resp = client.post(
        f"{url}{scheme.pk}/change/",
        {"name": "县区考核", "unit_kind": "region", "region": "370100", "indicators": '[{"indicator": "nonsense", "weight": 1}]'},
    )
    assert resp.status_code == 200 and "不存在" in resp.content.decode()
    resp = client.post(
        f"{url}{scheme.pk}/change/",
        {"name": "县区考核", "unit_kind": "department", "region": "370100", "indicators": json_of(COUNTY_SCHEME), "is_active": "on"},
    )
    assert resp.status_code == 302
    events = list(AuditEvent.objects.filter(action="config", object_type="analytics.assessmentscheme").order_by("id"))
    assert [e.message for e in events] == ["新增考核方案", "修改考核方案"]
    assert events[1].changes["unit_kind"] == ["region", "department"]

    city = rw.users.city
    city.is_staff = True
    city.save()
    client.force_login(city)
    assert client.post(f"{url}{scheme.pk}/change/", {"name": "改名"}).status_code == 403
    for who in ("sysadmin", "secadmin", "auditor"):
        client.force_login(getattr(rw.users, who))
        assert client.get(f"{url}add/").status_code == 403
        with pytest.raises(PermissionDenied):
            scheme_save(user=getattr(rw.users, who), scheme=AssessmentScheme(name="x", region_id="370100", indicators=COUNTY_SCHEME))


def json_of(items):
    import json

    return json.dumps(items)
