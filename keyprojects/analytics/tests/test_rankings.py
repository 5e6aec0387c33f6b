"""比武打擂: rankings of regions, departments and zones agree with hand-computed examples
(ties share a rank, "not applicable" ranks last, movement = last month's rank − this rank).

The ranking world (``rw``): Jinan's counties 历下 (plan 1200, 发改委), 市中 (800), 槐荫 (1000,
发改委) and 天桥 (plan 0: no completion rate); the Jinan city-level project (500, in the 起步区
zone); Qingdao 市南 (900, 青岛工信局).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from keyprojects.analytics import metrics
from keyprojects.analytics.rankings import rank_values, ranking, unit_figures
from keyprojects.analytics.services import facts_refresh, summaries_refresh
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dispatch.models import MonthlyReport, ProblemItem
from keyprojects.dispatch.services import report_acknowledge, report_review, report_save, report_submit
from keyprojects.dispatch.services_problems import problem_create
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

TZ = dt.timezone(dt.timedelta(hours=8))


def approve(dw, project, period, amount, *, on_time=False):
    """Fill, submit and approve ``project``'s report (as the superuser, through every level)."""
    su = dw.users.superuser
    r = report_save(user=su, project=project, period=period, data={"invested_month": amount})
    report_submit(user=su, report=r, reasons=EXPLAINED)
    r.refresh_from_db()
    while r.status == "submitted":
        report_acknowledge(user=dw.users.superuser_reviewer, report=r, reason="已核实")  # four eyes
        report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
        r.refresh_from_db()
    if on_time:  # the fixture's months lie in the past: every report is late unless we say so
        MonthlyReport.objects.filter(pk=r.pk).update(is_late=False)
    return r


def refresh(*periods):
    for p in periods:
        facts_refresh(period=p)
        summaries_refresh(period=p)


@pytest.fixture
def rw(dw):
    dw.huaiyin = ProjectFactory(
        name="槐荫区项目", region_id="370104", stage="construction", responsible_unit=dw.dept, plan=(2026, 1000, "city")
    )
    dw.tianqiao = ProjectFactory(name="天桥区项目", region_id="370105", stage="construction", plan=(2026, 0, "city"))
    dw.jinan = Region.objects.get(code="370100")
    dw.province = Region.objects.get(code="370000")
    p = dw.projects
    approve(dw, p.own_county, dw.p1, "300", on_time=True)  # 历下 300 / 1200 = 25%
    approve(dw, p.sibling_county, dw.p1, "200")  # 市中 200 / 800 = 25% (late)
    approve(dw, dw.huaiyin, dw.p1, "100", on_time=True)  # 槐荫 100 / 1000 = 10%
    approve(dw, p.sibling_county, dw.p2, "200")  # 市中 400 / 800 = 50%
    approve(dw, dw.huaiyin, dw.p2, "400", on_time=True)  # 槐荫 500 / 1000 = 50%
    approve(dw, p.other_city, dw.p2, "450")  # 青岛 0% in January, 450 / 900 = 50% in February
    refresh(dw.p1, dw.p2)
    return dw


def _table(r):
    return [(row.unit.key, row.display, row.rank, row.movement) for row in r.rows]


def test_rank_values_ties_and_not_applicable():
    values = {"a": D("0.5"), "b": D("0.7"), "c": D("0.5"), "d": None, "e": D("0.1"), "f": None}
    assert rank_values(values) == {"b": 1, "a": 2, "c": 2, "e": 4, "d": 5, "f": 5}
    assert rank_values({}) == {}
    assert rank_values({"x": None}) == {"x": 1}


def test_counties_of_a_city_on_completion_rate_with_movement(rw):
    jan = ranking(period=rw.p1, kind="region", root=rw.jinan, indicator="completion_rate")
    assert _table(jan) == [
        ("370102", D("25.00"), 1, None),  # 历下 tied with 市中
        ("370103", D("25.00"), 1, None),
        ("370104", D("10.00"), 3, None),  # the next rank skips
        ("370105", None, 4, None),  # 天桥: no annual plan, ranks last
    ]
    assert jan.previous_period is None  # no December 2025: no movement

    feb = ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="completion_rate")
    assert _table(feb) == [
        ("370103", D("50.00"), 1, 0),  # 市中 stays first (1 → 1)
        ("370104", D("50.00"), 1, 2),  # 槐荫 moves up from 3rd
        ("370102", D("25.00"), 3, -2),  # 历下 drops from 1st
        ("370105", None, 4, None),
    ]
    assert [r.unit.name for r in feb.rows] == ["市中区", "槐荫区", "历下区", "天桥区"]
    assert feb.previous_period == rw.p1

    # 超/落后序时进度 orders the same; the values are the metric's (50% − 2/12 = 33.33 points)
    pts = ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="ahead_points")
    assert [(r.unit.key, r.value, r.rank) for r in pts.rows][:3] == [
        ("370103", D("33.33"), 1),
        ("370104", D("33.33"), 1),
        ("370102", metrics.ahead_points(D("0.25"), 2), 3),
    ]


def test_cities_of_the_province_swap_places(rw):
    jan = ranking(period=rw.p1, kind="region", root=rw.province, indicator="completion_rate")
    # 济南 600 / 3500 (1200 + 800 + 500 + 1000 + 0) = 17.14%; 青岛 0 / 900
    assert _table(jan) == [("370100", D("17.14"), 1, None), ("370200", D("0.00"), 2, None)]
    feb = ranking(period=rw.p2, kind="region", root=rw.province, indicator="completion_rate")
    # 济南 1200 / 3500 = 34.29%; 青岛 450 / 900 = 50%
    assert _table(feb) == [("370200", D("50.00"), 1, 1), ("370100", D("34.29"), 2, -1)]
    names = {r.unit.key: r.unit.name for r in feb.rows}
    assert names == {"370200": "青岛市", "370100": "济南市"}


def test_departments_and_zones(rw):
    prov = ranking(period=rw.p2, kind="department", root=rw.province, indicator="completion_rate")
    # 发改委: 历下 300 + 槐荫 500 of 1200 + 1000 = 36.36%; 青岛工信局: 450 / 900 = 50%
    assert _table(prov) == [(str(rw.other_dept.pk), D("50.00"), 1, 1), (str(rw.dept.pk), D("36.36"), 2, -1)]
    assert prov.rows[1].unit.name == "济南市发展和改革委员会"
    assert prov.rows[1].unit.figures.projects == 2
    jinan = ranking(period=rw.p2, kind="department", root=rw.jinan, indicator="completion_rate")
    assert _table(jinan) == [(str(rw.dept.pk), D("36.36"), 1, 0)]  # only Jinan's facts
    zones = ranking(period=rw.p2, kind="zone", root=rw.jinan, indicator="completion_rate")
    assert _table(zones) == [(str(rw.zone.pk), D("0.00"), 1, 0)]


def test_on_time_and_start_rates(rw):
    # reports in February: 市中 late, 槐荫 on time; 历下 and 天桥 did not report
    on_time = ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="on_time_rate")
    assert _table(on_time) == [
        ("370104", D("100.00"), 1, 0),  # January: 历下 and 槐荫 on time (1st), 市中 and 天桥 not (3rd)
        ("370102", D("0.00"), 2, -1),
        ("370103", D("0.00"), 2, 1),
        ("370105", D("0.00"), 2, 1),
    ]
    # 开工率: started new projects / planned new projects (all are 新开工)
    Project.objects.filter(pk__in=[rw.projects.own_county.pk, rw.huaiyin.pk]).update(actual_start=dt.date(2026, 1, 15))
    Project.objects.filter(pk=rw.projects.sibling_county.pk).update(actual_start=dt.date(2026, 2, 10))
    refresh(rw.p1, rw.p2)
    start = ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="start_rate")
    assert _table(start) == [
        ("370102", D("100.00"), 1, 0),
        ("370103", D("100.00"), 1, 2),  # started in February: 3rd in January
        ("370104", D("100.00"), 1, 0),
        ("370105", D("0.00"), 4, -1),
    ]


def test_problem_closure_rate_counts_by_the_end_of_the_month(rw):
    def problem(project, created, solved=None):
        item = problem_create(user=rw.users.city, project=project, description="用地手续未办结")
        fields = {"created_at": dt.datetime(*created, 10, tzinfo=TZ)}
        if solved:
            fields.update(status="solved", solved_at=dt.datetime(*solved, 10, tzinfo=TZ), resolution="已办结")
        ProblemItem.objects.filter(pk=item.pk).update(**fields)
        return item

    problem(rw.projects.own_county, (2026, 1, 10), solved=(2026, 2, 20))
    problem(rw.projects.own_county, (2026, 2, 5))
    problem(rw.projects.sibling_county, (2026, 2, 6), solved=(2026, 3, 2))  # solved after February
    problem(rw.huaiyin, (2026, 3, 1))  # raised after February: not counted yet
    feb = ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="problem_closure_rate")
    # January: 历下 0 of 1 (1st, alone with a value); February: 历下 1 of 2, 市中 0 of 1
    assert _table(feb) == [
        ("370102", D("50.00"), 1, 0),
        ("370103", D("0.00"), 2, None),  # no problem in January: no value, no movement
        ("370104", None, 3, None),  # raised in March
        ("370105", None, 3, None),
    ]
    lixia = feb.rows[0].unit
    assert (lixia.problems_raised, lixia.problems_solved) == (2, 1)
    assert feb.rows[0].value == metrics.problem_closure_rate(1, 2) == D("0.5000")


def test_problems_are_read_only_for_the_indicator_that_needs_them(rw, monkeypatch):
    """A ranking on another indicator (the bulletin's completion rate) does not scan the
    province's problems; unit_figures (the assessment's) still counts them by default."""
    from keyprojects.analytics import rankings

    item = problem_create(user=rw.users.city, project=rw.projects.own_county, description="用地手续未办结")
    ProblemItem.objects.filter(pk=item.pk).update(created_at=dt.datetime(2026, 2, 5, 10, tzinfo=TZ))
    calls = []
    counted = rankings.problem_counts
    monkeypatch.setattr(rankings, "problem_counts", lambda **kw: calls.append(kw) or counted(**kw))
    ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="completion_rate")
    assert calls == []
    ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="problem_closure_rate")
    assert len(calls) == 2  # this month and the month before (the movement)
    units = {u.key: u for u in unit_figures(period=rw.p2, kind="region", root=rw.jinan)}
    assert units["370102"].problems_raised == 1


def test_unit_figures_of_regions_equal_the_summaries(rw):
    units = {u.key: u for u in unit_figures(period=rw.p2, kind="region", root=rw.jinan)}
    assert set(units) == {"370102", "370103", "370104", "370105"}  # the 市本级 project is no county
    assert units["370104"].figures.invested_ytd == D(500) and units["370104"].figures.annual_plan == D(1000)
    assert units["370105"].figures.completion_rate is None


def test_unknown_indicator_or_kind(rw):
    with pytest.raises(ValueError):
        ranking(period=rw.p2, kind="region", root=rw.jinan, indicator="nonsense")
    with pytest.raises(ValueError):
        unit_figures(period=rw.p2, kind="nonsense", root=rw.jinan)
