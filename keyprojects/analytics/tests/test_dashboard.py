"""The home dashboard (issue 5 §1): figures in the user's scope from the summary tables, equal to
the selectors over the facts; a table view and a project-list link for every chart; a pinned
number of queries.

The world (``hw``): Jinan's counties 历下 (plan 1200, city list, 300 done), 市中 (800, county
list, 10 done: behind 序时进度) and 槐荫 (1000, county list, nothing reported); the Jinan
city-level project (500, province + city list, 100 done); Qingdao 市南 (900, province list).
Months 2026-01..03 open; an approval refreshes the later months too, so 2026-03 is the latest
period with figures; the tests read 2026-01 (序时进度 8.33%) through the period selector.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from keyprojects.analytics import dashboard as db
from keyprojects.analytics.models import DimensionPeriodSummary
from keyprojects.analytics.selectors import breakdown, totals
from keyprojects.analytics.services import facts_refresh, summaries_refresh
from keyprojects.analytics.services_dashboard import dimension_summaries_refresh
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dispatch.models import ProjectWarning
from keyprojects.dispatch.services import report_acknowledge, report_review, report_save, report_submit, warnings_refresh


def approve(dw, project, period, amount):
    su = dw.users.superuser
    r = report_save(user=su, project=project, period=period, data={"invested_month": amount})
    report_submit(user=su, report=r, reasons=EXPLAINED)
    r.refresh_from_db()
    while r.status == "submitted":
        report_acknowledge(user=dw.users.superuser_reviewer, report=r, reason="已核实")  # four eyes
        report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
        r.refresh_from_db()
    return r


def refresh(*periods):
    for p in periods:
        facts_refresh(period=p)
        warnings_refresh(period=p)
        summaries_refresh(period=p)


@pytest.fixture
def hw(dw):
    return dashboard_world(dw)


def dashboard_world(dw):
    dw.huaiyin = ProjectFactory(
        name="槐荫区项目", region_id="370104", stage="construction", industry_section="C", plan=(2026, 1000, "county")
    )
    p = dw.projects
    approve(dw, p.own_county, dw.p1, "300")
    approve(dw, p.sibling_county, dw.p1, "10")
    approve(dw, p.city_level, dw.p1, "100")
    refresh(dw.p1)
    return dw


JAN = "/?period=2026-01"


def login(client, user):
    client.force_login(user)
    return client


# --- the figures ---------------------------------------------------------------------------


def test_city_dashboard_figures_equal_the_selectors(client, hw):
    user = hw.users.city
    r = login(client, user).get(JAN)
    assert r.status_code == 200
    board = r.context["board"]
    assert board.source == "summary" and board.period == hw.p1 and board.region.code == "370100"
    t = board.totals.figures
    expected = totals(user=user, period=hw.p1)
    assert (t.projects, t.annual_plan, t.invested_ytd, t.planned_ytd) == (
        expected.projects,
        expected.annual_plan,
        expected.invested_ytd,
        expected.planned_ytd,
    )
    assert (t.projects, t.annual_plan, t.invested_ytd) == (4, D(3500), D(410))  # 1200 + 800 + 1000 + 500
    assert t.completion_rate == D("0.1171") and t.schedule_phrase == "超序时进度3.38个百分点"
    jinan = (hw.projects.own_county, hw.projects.sibling_county, hw.huaiyin, hw.projects.city_level)
    assert board.totals.total_investment == sum(p.total_investment for p in jinan)
    for dimension in ("category", "industry", "stage", "level"):
        got = {g.key: (g.figures.projects, g.figures.annual_plan, g.figures.invested_ytd) for g in board.breakdowns[dimension]}
        want = {
            str(f.key): (f.projects, f.annual_plan, f.invested_ytd)
            for f in breakdown(user=user, period=hw.p1, dimension=dimension)
            if f.projects
        }
        assert got == want, dimension
    # the counties of Jinan (the city-level project is in none of them)
    regions = {g.key: g for g in board.regions}
    assert set(regions) == {"370102", "370103", "370104"}
    assert regions["370102"].rate_pct == D("25.00") and not regions["370102"].behind
    assert regions["370103"].figures.ahead_points == D("-7.08") and regions["370103"].behind  # 10 / 800 = 1.25%
    assert regions["370104"].behind and regions["370104"].band == "behind"  # 0%: 8.33 points behind
    assert [g.key for g in board.top][:1] == ["370102"] and board.bottom[0].key == "370104"


def test_curve_is_cumulative_over_the_year(client, hw):
    approve(hw, hw.projects.own_county, hw.p2, "150")
    refresh(hw.p2)
    board = login(client, hw.users.city).get("/").context["board"]
    assert board.period == hw.p3  # the latest period with figures (it carries the year so far)
    assert [(p.month, p.invested_month, p.invested_ytd) for p in board.curve] == [
        (1, D(410), D(410)),
        (2, D(150), D(560)),
        (3, D(0), D(560)),
    ]
    assert board.curve[1].time_plan == D("583.3333")  # 3500 × 2/12
    # another period from the selector
    board = client.get(JAN).context["board"]
    assert board.period == hw.p1 and len(board.curve) == 1
    assert [p.label for p in board.periods] == ["2026-03", "2026-02", "2026-01"]


def test_province_and_county_dashboards(client, hw):
    board = login(client, hw.users.province).get(JAN).context["board"]
    assert board.totals.figures.projects == 5 and board.regions_are == "city"
    assert {g.key for g in board.regions} == {"370100", "370200"}
    client.logout()
    board = login(client, hw.users.county).get(JAN).context["board"]
    assert board.totals.figures.projects == 1 and board.regions == [] and board.ranked == "project"
    assert [g.label for g in board.top] == ["历下区项目"]


def test_a_county_ranks_its_projects_by_their_rate_not_by_whole_numbers(client, hw):
    """A county (no child regions) ranks its projects. Whole amounts are integers in SQLite, and
    an integer division made every rate below 100 % equal to 0 (58,086 / 60,100 ranked with
    0 / 1,000): the order is by the real rate on both databases."""
    plans = {"历下甲": (60100, "58086"), "历下乙": (1000, "0"), "历下丙": (3000, "1000"), "历下丁": (100, "107")}
    for name, (plan, done) in plans.items():
        p = ProjectFactory(name=name, region_id="370102", stage="construction", total_investment=plan * 3, plan=(2026, plan, "county"))
        approve(hw, p, hw.p1, done)
    # a listed project not due to report (谋划储备, 0 of its plan) is not ranked on carried figures
    ProjectFactory(name="历下储备", region_id="370102", stage="reserve", plan=(2026, 500, "county"))
    refresh(hw.p1)
    board = login(client, hw.users.county).get(JAN).context["board"]
    assert board.ranked == "project"
    # 历下区项目 300 / 1200 = 25 %; 历下丁 107 %, 历下甲 96.65 %, 历下丙 33.33 %, 历下乙 0 %
    assert [g.label for g in board.top] == ["历下丁", "历下甲", "历下丙", "历下区项目", "历下乙"]
    assert [g.label for g in board.bottom] == ["历下乙", "历下区项目", "历下丙", "历下甲", "历下丁"]
    rates = [g.figures.completion_rate for g in board.top]
    assert rates == sorted(rates, reverse=True)


def test_warnings_and_lagging_counts(client, hw):
    user = hw.users.city
    board = login(client, user).get(JAN).context["board"]
    scoped = ProjectWarning.objects.visible_to(user).filter(period=hw.p1)
    assert board.totals.warned == scoped.values("project").distinct().count() > 0
    assert board.totals.lagging == scoped.filter(kind="behind_schedule").count()
    assert {w.kind: w.count for w in board.warnings} == {
        k: scoped.filter(kind=k).count() for k in scoped.values_list("kind", flat=True).distinct()
    }
    html = client.get(JAN).content.decode()
    # the lagging tile opens the project list behind by more than the threshold, with as many rows
    tile = "/projects/?period=2026-01&year=2026&lag=far&sort=lag"
    assert f'href="{tile.replace("&", "&amp;")}"' in html
    assert client.get(tile).context["count"] == board.totals.lagging
    # and says which lag it counts (the board's 滞后项目 links list any lag)
    assert "个项目落后序时进度超过10个百分点" in html


def test_scope_department_and_enterprise_read_their_own_projects(client, hw):
    board = login(client, hw.users.department).get(JAN).context["board"]
    assert board.source == "facts"  # not a region: the facts in scope
    assert board.totals.figures.projects == totals(user=hw.users.department, period=hw.p1).projects == 1
    assert board.totals.figures.invested_ytd == D(300)
    client.logout()
    board = login(client, hw.users.other_enterprise).get(JAN).context["board"]
    assert board.totals.figures.projects == 1 and board.totals.figures.invested_ytd == D(0)
    assert "历下区项目" not in client.get(JAN).content.decode()


def test_facts_fallback_equals_the_summaries(client, hw):
    """A period whose dimension summaries are not built yet reads the facts: same figures."""
    login(client, hw.users.city)
    before = client.get(JAN).context["board"]
    DimensionPeriodSummary.objects.all().delete()
    after = client.get(JAN).context["board"]
    assert after.source == "facts"
    assert after.totals.figures == before.totals.figures
    assert after.totals.total_investment == before.totals.total_investment
    assert (after.totals.warned, after.totals.lagging) == (before.totals.warned, before.totals.lagging)
    for dimension in ("level", "category", "industry", "stage"):
        assert after.breakdowns[dimension] == before.breakdowns[dimension], dimension
    assert [(g.key, g.figures) for g in after.regions] == [(g.key, g.figures) for g in before.regions]
    assert [w.count for w in after.warnings] == [w.count for w in before.warnings]
    assert dimension_summaries_refresh(period=hw.p1) > 0
    assert client.get(JAN).context["board"].source == "summary"


def test_no_figures_yet(client, dw):
    r = login(client, dw.users.city).get("/")
    assert r.status_code == 200 and r.context["board"].period is None
    assert 'data-testid="dashboard-empty"' in r.content.decode()


def test_anonymous_goes_to_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


# --- tables, links, charts ------------------------------------------------------------------


def test_every_chart_has_a_table_and_links_into_the_project_list(client, hw):
    html = login(client, hw.users.city).get(JAN).content.decode()
    for name in ("curve", "regions", "level", "category", "industry", "stage"):
        assert f'data-kp-chart="{name}"' in html and f'data-testid="table-{name}"' in html, name
        assert f'id="chart-data-{name}" type="application/json"' in html, name
    # a region opens its lagging projects, most behind first (issue 10 §5)
    assert 'href="/projects/?region=370103&amp;year=2026&amp;period=2026-01&amp;lag=behind&amp;sort=lag"' in html
    assert 'href="/projects/?level=county&amp;year=2026&amp;period=2026-01"' in html
    assert 'href="/projects/?industry_section=C&amp;year=2026&amp;period=2026-01"' in html
    assert 'href="/projects/?stage=construction&amp;year=2026&amp;period=2026-01"' in html
    # the lagging county is marked in the table view, coloured in the grid
    row = re.search(r'<tr data-testid="row-regions" class="kp-behind" data-behind="1">\s*<td><a href="([^"]+)"[^>]*>市中区', html)
    assert row is not None
    assert re.search(
        r'class="kp-cell kp-band-behind" href="/projects/\?region=370103&amp;year=2026&amp;period=2026-01&amp;lag=behind', html
    )


def test_chart_links_filter_the_project_list(client, hw):
    login(client, hw.users.city)
    board = client.get(JAN).context["board"]
    county = next(g for g in board.regions if g.key == "370103")
    r = client.get(county.url)
    assert r.status_code == 200
    assert [p.name for p in r.context["projects"]] == ["市中区项目"]
    stage = next(g for g in board.breakdowns["stage"] if g.key == "construction")
    assert parse_qs(urlparse(stage.url).query) == {"stage": ["construction"], "year": ["2026"], "period": ["2026-01"]}
    assert client.get(stage.url).context["count"] == stage.figures.projects
    for g in board.breakdowns["level"]:
        assert client.get(g.url).context["count"] == g.figures.projects, g.key


def test_chart_json_matches_the_tables(client, hw):
    r = login(client, hw.users.city).get(JAN)
    charts = r.context["charts"]
    regions = charts["regions"]
    assert regions["type"] == "rates" and regions["time"] == 8.33
    assert dict(zip(regions["labels"], regions["rate"], strict=True))["历下区"] == 25.0
    assert regions["links"][regions["labels"].index("市中区")] == "/projects/?region=370103&year=2026&period=2026-01&lag=behind&sort=lag"
    assert charts["curve"]["ytd"] == [0.04]  # 410 万元 = 0.04 亿元
    assert sum(charts["stage"]["values"]) == 4


def test_no_inline_script_in_the_rendered_page(client, hw):
    html = login(client, hw.users.city).get(JAN).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html


def test_htmx_period_switch_renders_the_body_only(client, hw):
    login(client, hw.users.city)
    r = client.get(JAN, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html and 'id="dashboard-body"' in html
    assert r["HX-Push-Url"] == "/?period=2026-01"


# --- speed ---------------------------------------------------------------------------------


def test_query_count_is_pinned(client, hw, django_assert_num_queries):
    """A region user's dashboard: session, user, region, periods, the periods' closures (which
    are closed for the region), own dimension rows, the children's rows, the year's curve, the
    open gap of the 四张清单 (one grouped query), the warning threshold the lagging tile names —
    10 queries whatever the number of projects."""
    login(client, hw.users.city)
    client.get(JAN)
    with django_assert_num_queries(10):
        assert client.get(JAN).status_code == 200
    ProjectFactory.create_batch(5, region_id="370103", stage="construction", plan=(2026, 100, "county"))
    refresh(hw.p1)
    with django_assert_num_queries(10):
        assert client.get(JAN).status_code == 200


def test_dimension_rows_roll_up_county_city_province(hw):
    rows = {
        (r.region_id, r.dimension, r.key): r for r in DimensionPeriodSummary.objects.filter(period=hw.p1, dimension__in=["all", "level"])
    }
    assert rows[("370102", "all", "")].invested_ytd == D(300)
    assert rows[("370100", "all", "")].invested_ytd == D(410) and rows[("370100", "all", "")].projects == 4
    assert rows[("370000", "all", "")].projects == 5 and rows[("370000", "all", "")].annual_plan == D(4400)
    assert rows[("370000", "level", "province")].annual_plan == D(1400)  # 500 + 900
    assert db.band_of(None) == "none" and db.band_of(D("0")) == "ahead" and db.band_of(D("-10.01")) == "far"


def test_the_dashboard_says_a_month_its_city_closed_is_closed(dw, client):
    """As the rankings and the bulletin: after the city's own close, the city's dashboard reads
    已关账 (it said 未关账，数据可能变化) and marks the month so in the period list; another
    city's dashboard still says the month is open."""
    from keyprojects.dispatch.services import period_close
    from keyprojects.dispatch.tests.test_close import approved

    approved(dw, dw.projects.own_county, dw.p1, "100")
    period_close(user=dw.users.city, period=dw.p1, confirm="确认关账")

    def read(user):
        client.force_login(user)
        html = client.get(reverse("analytics:dashboard") + f"?period={dw.p1.label}").content.decode()
        return re.search(r'data-testid="period-status">([^<]*)<', html).group(1), f'{dw.p1.label}" selected>' in html, html

    status, selected, html = read(dw.users.city)
    assert (status, selected) == ("已关账", True) and "（已关账）</option>" in html
    status, _selected, html = read(dw.users.province)
    assert status == "未关账，数据可能变化" and "（已关账）</option>" not in html
