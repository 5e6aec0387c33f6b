"""The request figures per department (page) and as 双考核双评价 indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.analytics.assessment import normalise_indicators
from keyprojects.analytics.rankings import INDICATORS, UnitFigures
from keyprojects.engagement import services as s
from keyprojects.engagement.models import EnterpriseRequest
from keyprojects.engagement.selectors import department_figures, request_counts
from keyprojects.regions.models import Region

from .conftest import at, raise_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(eng):
    u = eng.users
    on_time = raise_request(eng, now=at(2026, 3, 2))
    on_time = s.request_reply(user=u.department, req=on_time, expected_version=on_time.version, reply="ok", now=at(2026, 3, 5))
    on_time = s.request_rate(user=u.enterprise, req=on_time, expected_version=on_time.version, rating="basic", now=at(2026, 3, 6))
    late = raise_request(eng, now=at(2026, 3, 2))  # 15 working days: due 2026-03-23
    late = s.request_reply(user=u.department, req=late, expected_version=late.version, reply="late", now=at(2026, 3, 30))
    late = s.request_rate(
        user=u.enterprise, req=late, expected_version=late.version, rating="unsatisfied", reason="慢", now=at(2026, 3, 31)
    )
    late = s.request_reply(user=u.department, req=late, expected_version=late.version, reply="again", now=at(2026, 4, 2))
    late = s.request_rate(
        user=u.enterprise, req=late, expected_version=late.version, rating="unsatisfied", reason="还是慢", now=at(2026, 4, 3)
    )
    raise_request(eng, now=at(2026, 3, 2))  # open, overdue by April
    return eng


def test_department_figures(answered):
    [row] = department_figures(EnterpriseRequest.objects.all(), today=dt.date(2026, 4, 10))
    assert row.unit_id == answered.dept.pk and row.total == 3 and row.open == 1 and row.overdue_open == 1
    # the reopened one is judged on its new deadline (15 working days from the reopening)
    assert (row.on_time, row.due) == (2, 3) and row.on_time_pct == Decimal("66.67")
    assert (row.satisfied, row.rated) == (1, 2) and row.satisfaction_pct == Decimal("50.00")
    assert row.average_days == Decimal("13.0")  # 3 and 23 working days
    assert department_figures(EnterpriseRequest.objects.all(), end=dt.date(2026, 3, 1)) == []


def test_indicators_for_assessment(answered):
    assert {"request_on_time_rate", "request_satisfaction_rate"} <= set(INDICATORS)
    items = normalise_indicators([{"indicator": "request_on_time_rate", "weight": 50, "rule": "linear", "floor": 0, "target": 100}])
    assert items[0]["indicator"] == "request_on_time_rate"
    end = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    counts = request_counts(root=Region.objects.get(code="370000"), kind="department", end=end)
    c = counts[str(answered.dept.pk)]
    assert (c.on_time, c.due, c.satisfied, c.rated) == (2, 3, 1, 2)
    by_city = request_counts(root=Region.objects.get(code="370000"), kind="region", end=end)
    assert set(by_city) == {"370100"}
    u = UnitFigures(key="x", name="x", figures=None, requests_due=c.due, requests_on_time=c.on_time, requests_rated=2, requests_satisfied=1)  # type: ignore[arg-type]
    assert u.value("request_on_time_rate") == Decimal("0.6667") and u.value("request_satisfaction_rate") == Decimal("0.5000")
    assert request_counts(root=Region.objects.get(code="370000"), kind="department", end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == {}


def test_ranking_on_a_request_indicator_runs(dw, answered):
    from keyprojects.analytics.rankings import ranking

    for kind in ("region", "department", "zone"):
        r = ranking(period=dw.p3, kind=kind, root=Region.objects.get(code="370000"), indicator="request_satisfaction_rate")
        assert r.indicator.key == "request_satisfaction_rate"
