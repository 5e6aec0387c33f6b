"""Region, level, category and unit figures roll up from the facts with the one set of metrics."""

from __future__ import annotations

from decimal import Decimal as D

from keyprojects.analytics.selectors import breakdown, project_figures, region_summaries, totals
from keyprojects.analytics.services import facts_refresh, summaries_refresh
from keyprojects.dispatch.services import report_review, report_save, report_submit


def approve(dw, project, period, amount, filler):
    r = report_save(user=filler, project=project, period=period, data={"invested_month": amount})
    report_submit(user=filler, report=r)
    r.refresh_from_db()
    while r.status == "submitted":
        reviewers = {"county": (dw.users.county, dw.users.county_clerk), "city": (dw.users.city, dw.users.city_clerk)}[r.pending_level]
        report_review(user=next(u for u in reviewers if u != filler), report=r, action="approve")  # four eyes
        r.refresh_from_db()


def test_rollups_agree_with_hand_computed_figures(dw):
    approve(dw, dw.projects.own_county, dw.p1, "300", dw.users.county)  # plan 1200, city list
    approve(dw, dw.projects.city_level, dw.p1, "100", dw.users.city)  # plan 500, province+city list
    facts_refresh(period=dw.p1)
    summaries_refresh(period=dw.p1)

    prov = totals(user=dw.users.province, period=dw.p1)
    # 4 projects in the province: 1200 + 800 + 500 + 900 = 3400 planned, 400 done
    assert (prov.projects, prov.annual_plan, prov.invested_ytd) == (4, D(3400), D(400))
    assert prov.completion_rate == D("0.1176") and prov.ahead_points == D("3.43")  # 11.76% − 8.33%

    city = totals(user=dw.users.city, period=dw.p1)
    assert (city.projects, city.annual_plan, city.invested_ytd) == (3, D(2500), D(400))
    county = totals(user=dw.users.county, period=dw.p1)
    assert (county.projects, county.annual_plan, county.invested_ytd) == (1, D(1200), D(300))
    assert county.completion_rate == D("0.2500") and county.schedule_phrase == "超序时进度16.67个百分点"

    levels = {f.key: f for f in breakdown(user=dw.users.province, period=dw.p1, dimension="level")}
    assert levels["province"].annual_plan == D(1400) and levels["province"].invested_ytd == D(100)
    assert levels["city"].annual_plan == D(1700) and levels["city"].invested_ytd == D(400)
    assert levels["county"].annual_plan == D(800)

    units = {f.key: f for f in breakdown(user=dw.users.province, period=dw.p1, dimension="unit")}
    assert units[dw.dept.pk].invested_ytd == D(300)

    jinan = {s.region_id: s for s in region_summaries(period=dw.p1, parent_code="370000")}
    assert jinan["370100"].annual_plan == D(2500) and jinan["370100"].invested_ytd == D(400)
    assert jinan["370200"].annual_plan == D(900) and jinan["370200"].invested_ytd == D(0)

    pf = project_figures(project=dw.projects.own_county, period=dw.p1)
    assert pf.completion_rate == D("0.2500") and pf.progress_index == D("3.0000")  # 300 / 100 planned


def test_scope_of_facts(dw):
    facts_refresh(period=dw.p1)
    assert totals(user=dw.users.other_city, period=dw.p1).projects == 1
    assert totals(user=dw.users.enterprise, period=dw.p1).projects == 1
    assert totals(user=dw.users.auditor, period=dw.p1).projects == 0
