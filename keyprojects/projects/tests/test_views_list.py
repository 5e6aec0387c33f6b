"""The project list page: filters, sort, pagination, htmx partial, query count and the export."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.projects.selectors import current_year

from .test_views_scope import listed_names


def rows_in_order(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="project-row">\s*<td><a href="/projects/\d+/">([^<]+)</a>', html)


@pytest.fixture
def variety(world):
    """A few extra Jinan projects that differ in one attribute each."""
    y = current_year()
    return {
        "steel": ProjectFactory(
            name="钢铁技改项目",
            region_id="370102",
            category="industry",
            nature="continuing",
            stage="construction",
            industry_section="C",
            total_investment=Decimal("50000"),
            in_statistics=True,
            plan=(y, 3000, "province"),
        ),
        "school": ProjectFactory(
            name="实验学校新建工程",
            region_id="370103",
            category="social",
            nature="new",
            industry_section="P",
            total_investment=Decimal("8000"),
            responsible_unit=world.dept,
            plan=(y, 2000, "county"),
        ),
        "road": ProjectFactory(
            name="经十路改造",
            region_id="370100",
            category="infrastructure",
            nature="completing",
            project_code="2403-370100-04-01-12345A",
            sponsor_leader=world.leader,
            total_investment=Decimal("120000"),
        ),
    }


def names_for(client, query: str) -> set[str]:
    return listed_names(client.get(f"/projects/?{query}").content.decode())


def test_filters_filter(world, client, variety):
    client.force_login(world.users.city)
    assert names_for(client, "q=钢铁") == {"钢铁技改项目"}
    assert names_for(client, "q=2403-370100") == {"经十路改造"}
    assert names_for(client, "q=比亚迪") == {world.projects.own_county.name}  # owner name
    assert names_for(client, "region=370103") == {"实验学校新建工程", world.projects.sibling_county.name}
    assert names_for(client, "region=370100") == names_for(client, "")  # the city means all its counties
    assert names_for(client, "stage=construction") == {"钢铁技改项目"}
    assert names_for(client, "nature=completing") == {"经十路改造"}
    assert names_for(client, "category=social") == {"实验学校新建工程"}
    assert names_for(client, "industry_section=P") == {"实验学校新建工程"}
    assert names_for(client, "in_statistics=true") == {"钢铁技改项目"}
    assert names_for(client, f"responsible_unit={world.dept.pk}") == {"实验学校新建工程", world.projects.own_county.name}
    assert names_for(client, f"sponsor_leader={world.leader.pk}") == {"经十路改造", world.projects.own_county.name}
    y = current_year()
    extra = {"钢铁技改项目", "实验学校新建工程", "经十路改造"}
    assert names_for(client, f"year={y}&level=province") & extra == {"钢铁技改项目"}
    assert names_for(client, f"year={y}&level=county") & extra == {"实验学校新建工程"}
    assert names_for(client, f"year={y}") & extra == {"钢铁技改项目", "实验学校新建工程"}  # 经十路 has no plan row
    assert names_for(client, "year=2026&level=province") - extra == {world.projects.city_level.name}
    assert names_for(client, "year=2001") == set()


def test_a_submitted_form_with_empty_fields_filters_only_on_what_is_set(world, client, variety):
    """A browser (and htmx) sends every field of the filter form, most of them empty."""
    client.force_login(world.users.city)
    empty = "region=&year=&level=&stage=&nature=&category=&industry_section=&responsible_unit=&sponsor_leader=&in_statistics=&sort="
    assert names_for(client, f"q=钢铁&{empty}") == {"钢铁技改项目"}
    assert len(names_for(client, f"q=&{empty}")) == 6
    html = client.get(f"/projects/?q=钢铁&{empty}").content.decode()
    assert "筛选条件有误" not in html
    assert 'href="/projects/export.xlsx?q=%E9%92%A2%E9%93%81"' in html


def test_filter_cannot_widen_scope(world, client, variety):
    client.force_login(world.users.county)
    assert names_for(client, "region=370202") == set()
    assert names_for(client, "region=370000") == {world.projects.own_county.name, "钢铁技改项目"}


def test_region_select_offers_only_regions_in_scope(world, client):
    client.force_login(world.users.city)
    html = client.get("/projects/").content.decode()
    select = re.search(r'<select name="region".*?</select>', html, re.S).group(0)
    assert 'value="370102"' in select and 'value="370100"' in select
    assert 'value="370202"' not in select and 'value="370200"' not in select


def test_sums_and_count_follow_the_filter(world, client, variety):
    client.force_login(world.users.city)
    html = client.get("/projects/?category=industry").content.decode()
    # own_county, sibling_county, city_level (factory default industry, 10000 each) + steel 50000
    assert "共 <strong>4</strong> 个项目" in html
    assert '<strong data-testid="sum-total">80,000.00</strong>' in html


def test_invalid_filter_value_shows_message_not_500(world, client):
    client.force_login(world.users.city)
    r = client.get("/projects/?year=abc&stage=bogus")
    assert r.status_code == 200
    assert "筛选条件有误" in r.content.decode()


def test_sort_by_name_and_investment(world, client, variety):
    client.force_login(world.users.city)
    asc = rows_in_order(client.get("/projects/?sort=name").content.decode())
    assert asc == sorted(asc) and len(asc) == 6
    assert rows_in_order(client.get("/projects/?sort=-name").content.decode()) == asc[::-1]
    by_amount = rows_in_order(client.get("/projects/?sort=-total_investment").content.decode())
    assert by_amount[:2] == ["经十路改造", "钢铁技改项目"]


def test_sort_links_keep_filters_and_toggle(world, client):
    client.force_login(world.users.city)
    html = client.get("/projects/?category=industry&sort=name&page=1").content.decode()
    link = re.search(r'<a href="([^"]+)" hx-get="([^"]+)"[^>]*data-sort="-name"', html)
    assert link, "the name header should offer the reverse order"
    href = link.group(1).replace("&amp;", "&")
    assert link.group(1) == link.group(2)
    assert "category=industry" in href and "sort=-name" in href and "page=" not in href


def test_pagination_keeps_query_string(world, client):
    ProjectFactory.create_batch(30, region_id="370102", category="urban")
    client.force_login(world.users.county)
    html = client.get("/projects/?category=urban").content.decode()
    assert len(rows_in_order(html)) == 25
    nxt = re.search(r'<a class="page-link" href="([^"]+)" hx-get="([^"]+)" rel="next"', html)
    assert nxt and nxt.group(1) == nxt.group(2)
    url = nxt.group(1).replace("&amp;", "&")
    assert "category=urban" in url and "page=2" in url
    assert len(rows_in_order(client.get(url).content.decode())) == 5


def test_htmx_request_gets_only_the_table(world, client):
    client.force_login(world.users.city)
    r = client.get("/projects/?q=&region=&category=industry&stage=&sort=", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "HX-Request" in r["Vary"]
    assert r["HX-Push-Url"] == "/projects/?category=industry"  # the address bar keeps only what is set
    full = client.get("/projects/?category=industry").content.decode()
    assert "<html" in full and 'hx-get="/projects/"' in full and 'id="results"' in full


def test_list_query_count_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    """session, user, scope region, count+sum, plan sum, page, plan prefetch, 3 filter choice lists."""
    client.force_login(world.users.city)
    client.get("/projects/")  # warm the session
    with django_assert_max_num_queries(11) as few:  # +1 since issue 10: the period whose figures (累计完成, 完成率) the list shows
        client.get("/projects/")
    for i in range(25):
        ProjectFactory(
            region_id="370102",
            owner=world.ent,
            responsible_unit=world.dept,
            sponsor_leader=world.leader,
            zone=world.zone,
            plan=(current_year(), i, "city"),
        )
    with django_assert_max_num_queries(11) as many:
        r = client.get("/projects/?sort=-total_investment")
    assert len(rows_in_order(r.content.decode())) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_export_content_and_audit(world, client, variety):
    ProjectFactory(name='=HYPERLINK("http://evil")', region_id="370102", location="@SUM(A1)", total_investment=Decimal("12.3456"))
    client.force_login(world.users.city)
    r = client.get("/projects/export.xlsx?region=370102&sort=name")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    ws = load_workbook(BytesIO(r.content)).active
    assert "重点项目清单" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:3] == ["序号", "项目名称", "项目代码"] and "总投资（万元）" in header
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    *rows, totals = rows  # the last row is 合计
    assert totals[:2] == ("合计", "3个项目") and totals[header.index("总投资（万元）")] == pytest.approx(sum(r[8] for r in rows))
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {'\'=HYPERLINK("http://evil")', "钢铁技改项目", world.projects.own_county.name}
    evil = by_name['\'=HYPERLINK("http://evil")']
    assert evil[header.index("建设地点")] == "'@SUM(A1)"
    assert evil[header.index("总投资（万元）")] == pytest.approx(12.3456)
    steel = by_name["钢铁技改项目"]
    assert steel[header.index("总投资（万元）")] == 50000 and isinstance(steel[header.index("总投资（万元）")], int | float)
    plan_col = next(i for i, h in enumerate(header) if h.endswith("年度计划投资（万元）"))
    assert steel[plan_col] == 3000
    assert steel[header.index("项目阶段")] == "开工建设"
    ev = AuditEvent.objects.get(action="export")
    assert ev.actor_username == world.users.city.username
    assert ev.changes["rows"] == 3 and ev.changes["filters"]["region"] == "370102"


def test_export_link_carries_the_filters(world, client):
    client.force_login(world.users.city)
    html = client.get("/projects/?category=industry&page=1").content.decode()
    assert 'href="/projects/export.xlsx?category=industry"' in html


def test_the_export_is_the_chinese_list_from_the_english_page(world, client, variety):
    """The 清单 export is the Chinese workbook offices exchange and the importer reads back: its
    headers and words stay Chinese when it is taken from the English page (not half and half)."""
    from django.conf import settings as django_settings

    client.force_login(world.users.city)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    ws = load_workbook(BytesIO(client.get("/projects/export.xlsx?region=370102&sort=name").content)).active
    header = [c.value for c in ws[2]]
    steel = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[1] == "钢铁技改项目")
    assert header[:2] == ["序号", "项目名称"]
    assert steel[header.index("项目阶段")] == "开工建设" and steel[header.index("项目类别")] == "产业项目"
