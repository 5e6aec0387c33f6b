"""包保领导 list: pages of 25 (the project list's pager), a search box that keeps the period,
a 合计 row over the whole filtered list (累计完成 = the sum of the rows' figures) and a number of
queries that does not grow with the number of leaders."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.analytics.dashboard import leader_figures
from keyprojects.analytics.selectors import breakdown
from keyprojects.analytics.tests.test_dashboard import approve, refresh
from keyprojects.audit.models import AuditEvent
from keyprojects.core.money import format_wan
from keyprojects.core.testing import LeaderFactory, ProjectFactory
from keyprojects.projects.models import Project, SponsorLeader
from keyprojects.projects.selectors import leader_project_totals, leader_projects, project_list_totals
from keyprojects.projects.views import PAGE_SIZE

URL = "/leaders/"
JAN = "period=2026-01"


def names(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="leader-row">\s*<td><a href="/leaders/\d+/">([^<]+)</a>', html)


def add_leaders(n: int, *, region: str = "370100", prefix: str = "测试领导", title: str = "副市长") -> list:
    return [LeaderFactory(name=f"{prefix}{i:03d}", title=title, region_id=region) for i in range(n)]


@pytest.fixture
def figured(dw):
    """Three leaders with approved January figures in 济南 (one of them with two projects)."""
    a = LeaderFactory(name="甲领导", title="常务副区长", region_id="370100")
    b = LeaderFactory(name="乙领导", title="副区长", region_id="370100")
    pa = ProjectFactory(name="甲一", region_id="370102", stage="construction", sponsor_leader=a, plan=(2026, 1000, "county"))
    pa2 = ProjectFactory(name="甲二", region_id="370103", stage="construction", sponsor_leader=a, plan=(2026, 500, "county"))
    pb = ProjectFactory(name="乙一", region_id="370104", stage="construction", sponsor_leader=b, plan=(2026, 2000, "county"))
    for project, amount in ((pa, "120"), (pa2, "30.5"), (pb, "400"), (dw.projects.own_county, "300")):
        approve(dw, project, dw.p1, amount)
    refresh(dw.p1)
    dw.a, dw.b = a, b
    return dw


# --- paging ------------------------------------------------------------------------------------


def test_province_list_is_paged_with_the_project_pager(world, client):
    add_leaders(2 * PAGE_SIZE + 3)
    client.force_login(world.users.province)
    r = client.get(URL)
    total = r.context["count"]
    assert total >= 2 * PAGE_SIZE + 3
    first = names(r.content.decode())
    assert len(first) == PAGE_SIZE and r.context["page_obj"].paginator.num_pages == -(-total // PAGE_SIZE)
    assert 'rel="next"' in r.content.decode() and "?page=2" in r.content.decode()
    seen = list(first)
    for page in range(2, r.context["page_obj"].paginator.num_pages + 1):
        seen += names(client.get(f"{URL}?page={page}").content.decode())
    assert len(seen) == total == len(set(seen))  # every leader once, in a stable order
    # the rows in the order of the page before paging: most projects first, then total, then name
    assert seen[0] == "张市长"
    # a page number out of range shows the last page (Paginator.get_page), not an error
    assert client.get(f"{URL}?page=999").status_code == 200


def test_pager_links_keep_the_search_and_the_period(figured, client):
    add_leaders(PAGE_SIZE + 5)
    client.force_login(figured.users.province)
    html = client.get(f"{URL}?q=测试领导&{JAN}").content.decode()
    found = re.search(r'href="([^"]*)" rel="next"', html)
    assert found is not None
    nxt = found.group(1)
    assert "q=%E6%B5%8B%E8%AF%95%E9%A2%86%E5%AF%BC" in nxt and "period=2026-01" in nxt and "page=2" in nxt


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "want"),
    [("甲领导", {"甲领导"}), ("常务", {"甲领导"}), ("副区长", {"甲领导", "乙领导"}), ("没有这个人", set())],
)
def test_search_by_name_and_title(figured, client, q, want):
    client.force_login(figured.users.province)
    r = client.get(URL, {"q": q, "period": "2026-01"})
    html = r.content.decode()
    assert set(names(html)) == want
    assert r.context["count"] == len(want)
    assert f'value="{q}"' in html  # the box keeps what was typed
    assert '<input type="hidden" name="period" value="2026-01">' in html  # … and the period chosen
    if not want:
        assert "没有符合条件的包保领导" in html


def test_search_by_region(world, client):
    LeaderFactory(name="青岛领导", region_id="370200")
    client.force_login(world.users.province)
    assert names(client.get(URL, {"q": "青岛"}).content.decode()) == ["青岛领导"]


def test_period_form_keeps_the_search(figured, client):
    client.force_login(figured.users.province)
    html = client.get(URL, {"q": "甲", "period": "2026-01"}).content.decode()
    form = html[html.index('data-testid="leader-period"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="q" value="甲">' in form


def test_search_stays_in_scope(world, client):
    LeaderFactory(name="青岛领导", region_id="370200")
    client.force_login(world.users.city)  # 济南
    assert names(client.get(URL, {"q": "青岛"}).content.decode()) == []


# --- the 合计 row -------------------------------------------------------------------------------


def test_total_row_cumulative_is_the_sum_of_the_rows(figured, client):
    client.force_login(figured.users.province)
    r = client.get(f"{URL}?{JAN}")
    rows = r.context["rows"]
    ytd = [row["fig"].figures.invested_ytd for row in rows if row["fig"]]
    assert r.context["sum_ytd"] == sum(ytd, D(0)) == D("850.5")  # 120 + 30.5 + 400 + 300
    # the same figure as the analytics breakdown by leader in the user's scope
    by_leader = breakdown(user=figured.users.province, period=figured.p1, dimension="leader")
    assert r.context["sum_ytd"] == sum((f.invested_ytd for f in by_leader if f.key is not None), D(0))
    html = r.content.decode()
    assert f'data-testid="sum-ytd">{format_wan(D("850.5"))}<' in html
    assert f'data-testid="sum-count">{sum(row["n"] for row in rows)}<' in html
    plan = sum((row["fig"].figures.annual_plan for row in rows if row["fig"]), D(0))
    assert r.context["sum_rate_pct"] == (D("850.5") / plan * 100).quantize(D("0.01"))


def test_total_row_covers_the_whole_filtered_list_not_the_page(figured, client):
    add_leaders(2 * PAGE_SIZE)  # the figured leaders land on the first page (most projects first)
    client.force_login(figured.users.province)
    first = client.get(f"{URL}?{JAN}").context
    last = client.get(f"{URL}?{JAN}&page=3").context
    assert not any(row["fig"] for row in last["rows"])
    for key in ("sum_n", "sum_total", "sum_plan", "sum_ytd", "sum_warned", "sum_lagging", "count"):
        assert first[key] == last[key], key
    assert last["sum_ytd"] == D("850.5")
    # a search narrows the total to the leaders found
    found = client.get(URL, {"q": "乙领导", "period": "2026-01"}).context
    assert found["sum_ytd"] == leader_figures(user=figured.users.province, period=figured.p1)[figured.b.pk].figures.invested_ytd
    assert found["sum_ytd"] == D(400) and found["sum_n"] == 1


def test_total_row_without_a_period_has_no_figures(world, client):
    client.force_login(world.users.city)
    r = client.get(URL)
    assert r.context["period"] is None and 'data-testid="sum-ytd"' not in r.content.decode()


def test_leader_totals_equal_the_project_list_totals_of_each_leader(figured):
    """The grouped selector of the page gives, for each leader, what the project list's totals
    give for that leader's projects (same count, total investment and annual plan)."""
    user = figured.users.province
    got = leader_project_totals(projects=Project.objects.visible_to(user), year=2026)
    assert set(got) == set(Project.objects.exclude(sponsor_leader=None).values_list("sponsor_leader", flat=True))
    for leader_id, row in got.items():
        leader = SponsorLeader.objects.get(pk=leader_id)
        want = project_list_totals(projects=leader_projects(user=user, leader=leader), year=2026)
        assert (row["n"], row["total"], row["plan"]) == (want["n"], want["total"], want["plan"])
    assert got[figured.a.pk]["plan"] == D(1500) and got[figured.a.pk]["active"] == 2


# --- the export: the whole filtered list, not a page --------------------------------------------


def _sheet(response) -> list[list]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_writes_every_leader_of_the_filtered_list_and_the_total(figured, client):
    add_leaders(2 * PAGE_SIZE)
    client.force_login(figured.users.province)
    page = client.get(f"{URL}?{JAN}&page=2")
    html = page.content.decode()
    assert 'href="/leaders/export.xlsx?period=2026-01"' in html  # the page's filters, not its page number
    r = client.get(f"/leaders/export.xlsx?{JAN}&page=2")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(r)
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    data, total = rows[header + 1 : -1], rows[-1]
    assert len(data) == page.context["count"] > PAGE_SIZE
    shown = []  # the page's rows, page after page
    for number in range(1, page.context["page_obj"].paginator.num_pages + 1):
        shown += names(client.get(f"{URL}?{JAN}&page={number}").content.decode())
    assert [row[1] for row in data] == shown
    assert total[0] == "合计" and total[4] == page.context["sum_n"]
    assert D(str(total[8])) == page.context["sum_ytd"] == sum((D(str(row[8])) for row in data if row[8] is not None), D(0))
    assert AuditEvent.objects.filter(action="export", object_type="projects.sponsorleader").exists()


def test_export_keeps_the_search(figured, client):
    client.force_login(figured.users.province)
    html = client.get(URL, {"q": "乙领导", "period": "2026-01"}).content.decode()
    assert "/leaders/export.xlsx?q=%E4%B9%99%E9%A2%86%E5%AF%BC&amp;period=2026-01" in html
    rows = _sheet(client.get("/leaders/export.xlsx", {"q": "乙领导", "period": "2026-01"}))
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    assert [row[1] for row in rows[header + 1 : -1]] == ["乙领导"]
    assert D(str(rows[-1][8])) == D(400)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_export_is_chinese_in_any_language(figured, client, lang):
    """The 包保领导 workbook is the Chinese list whatever the page's language (core.xlsx)."""
    client.force_login(figured.users.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    rows = _sheet(client.get(f"/leaders/export.xlsx?{JAN}"))
    head = next(row for row in rows if row[1] == "姓名")
    assert head[:5] == ["序号", "姓名", "职务", "所属区划", "项目数"]
    assert head[7] == "2026年度计划（万元）" and rows[0][0].startswith("包保领导项目统计（2026年度计划")
    assert rows[-1][0] == "合计"
    assert isinstance(rows[head_index(rows) + 1][0], int)  # 序号 a number


def head_index(rows: list[list[object]]) -> int:
    return next(i for i, row in enumerate(rows) if row[1] == "姓名")


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_export_has_no_business_data_for_administrators(world, client, who):
    client.force_login(getattr(world.users, who))
    r = client.get("/leaders/export.xlsx")
    assert r.status_code in (200, 403, 404)
    if r.status_code == 200:
        assert "张市长" not in {str(v) for row in _sheet(r) for v in row}


# --- queries -----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_leaders(figured, client):
    client.force_login(figured.users.province)
    url = f"{URL}?{JAN}"
    _queries(client, url)  # warm caches (session, regions)
    few = _queries(client, url)
    for i, leader in enumerate(add_leaders(3 * PAGE_SIZE, prefix="加")):
        ProjectFactory(name=f"加项目{i}", region_id="370102", sponsor_leader=leader, plan=(2026, 100, "county"))
    many = _queries(client, url)
    assert many == few, (few, many)
    assert _queries(client, f"{url}&page=2&q=加") == few


def test_queries_are_bounded(figured, client, django_assert_max_num_queries):
    add_leaders(3 * PAGE_SIZE)
    client.force_login(figured.users.province)
    client.get(f"{URL}?{JAN}")
    with django_assert_max_num_queries(15):
        client.get(f"{URL}?{JAN}")


# --- both languages ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "words"), [("zh-hans", ["合计", "搜索", "位包保领导"]), ("en", ["Total", "Search", "sponsor leader"])])
def test_page_renders_in_both_languages(figured, client, lang, words):
    add_leaders(PAGE_SIZE + 1)
    client.force_login(figured.users.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang  # what the language switch sets
    r = client.get(f"{URL}?{JAN}")
    html = r.content.decode()
    assert r.status_code == 200 and f'<html lang="{lang}">' in html
    for w in words:
        assert w in html, (lang, w)
