"""The xlsx exports next to the 比武打擂 and 双考核双评价 tables, read back with openpyxl: title,
subtitle (period and range), headers as on the page, the same rows and values as the page's
context, numbers typed as numbers, formula-like text neutralised, the page's scope (404 where
the page answers 404), a Chinese file name in ``filename*``, and pinned query counts.

The data is the ranking world of test_rankings (``rw``); February is closed for Jinan in
``closed`` (test_assessment), with the county scheme 县区考核 of Jinan.
"""

from __future__ import annotations

import io
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.analytics.assessment import snapshot_tables
from keyprojects.analytics.models import AssessmentScheme, AssessmentSnapshot
from keyprojects.analytics.services_assessment import assessment_snapshot
from keyprojects.analytics.tests.test_assessment import closed, make_scheme  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401
from keyprojects.audit.models import AuditEvent
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RANKINGS = reverse("analytics:rankings")
RANKINGS_FEB = reverse("analytics:rankings_xlsx", kwargs={"period": "2026-02"})


def _book(resp):
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(resp.content))


def _filename(resp) -> str:
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    return disposition.split("filename*=UTF-8''", 1)[1]


def _num(value):
    """A page value (Decimal) as openpyxl reads the number back."""
    return None if value is None else float(value)


# --- 比武打擂 --------------------------------------------------------------------------------


def test_ranking_export_is_the_page_table(rw, client):  # noqa: F811
    client.force_login(rw.users.city)
    page = client.get(RANKINGS, {"period": "2026-02"})
    html = page.content.decode()
    link = f"{RANKINGS_FEB}?kind=region&amp;indicator=completion_rate"
    assert f'href="{link}"' in html and 'data-testid="ranking-xlsx"' in html

    resp = client.get(RANKINGS_FEB, {"kind": "region", "indicator": "completion_rate"})
    wb = _book(resp)
    assert wb.sheetnames == ["排名"]
    ws = wb["排名"]
    assert ws["A1"].value == "济南市 · 2026年2月 · 按年度投资完成率排名"
    assert ws["A2"].value == ("调度期：2026年2月 · 范围：济南市 · 排名对象：区域 · 较上月：与2026年1月名次相比 · 未关账，数据可能变化")
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0] == (
        "名次",
        "县（市、区）",
        "年度投资完成率（%）",
        "较上月",
        "项目数",
        "年度计划（万元）",
        "2026年1-2月累计完成投资（万元）",  # the month's year to date, as the importer reads it (not 开工至今)
        "完成率（%）",
        "序时进度",
    )
    expected = [
        (
            item.row.rank,
            item.row.unit.name,
            "不适用" if item.row.display is None else _num(item.row.display),
            item.row.movement,
            item.f.projects,
            _num(item.f.annual_plan),
            _num(item.f.invested_ytd),
            _num(item.completion_pct),
            item.schedule,
        )
        for item in page.context["rows"]
    ]
    assert rows[1:] == expected
    assert [r[1] for r in rows[1:]] == ["市中区", "槐荫区", "历下区", "天桥区"]
    assert rows[1][:8] == (1, "市中区", 50, 0, 1, 800, 400, 50)
    assert rows[3][3] == -2 and rows[4][2] == "不适用" and rows[4][3] is None  # 历下 ↓2; 天桥 n/a
    # numbers are numbers (with the page's ↑/↓/持平 shown by the number format)
    assert ws["A4"].data_type == "n" and ws["C4"].data_type == "n" and ws["F4"].data_type == "n"
    assert ws["D4"].number_format == '"↑"0;"↓"0;"持平"'
    assert _filename(resp) == quote("2026年2月济南市比武打擂排名（年度投资完成率）.xlsx")
    assert resp["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="export", changes__kind="rankings")
    assert event.changes["region"] == "370100" and event.changes["indicator"] == "completion_rate"


def test_ranking_export_follows_the_filters(rw, client):  # noqa: F811
    client.force_login(rw.users.province)
    page = client.get(RANKINGS, {"period": "2026-02", "region": "370100", "kind": "department", "indicator": "ahead_points"})
    link = f"{RANKINGS_FEB}?kind=department&amp;indicator=ahead_points&amp;region=370100"
    assert f'href="{link}"' in page.content.decode()
    wb = _book(client.get(RANKINGS_FEB, {"kind": "department", "indicator": "ahead_points", "region": "370100"}))
    ws = wb["排名"]
    assert ws["A1"].value == "济南市 · 2026年2月 · 按超/落后序时进度排名"
    assert "排名对象：责任单位" in ws["A2"].value
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0][1:3] == ("责任单位", "超/落后序时进度（百分点）")
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(i.row.rank, i.row.unit.name, _num(i.row.display)) for i in page.context["rows"]]
    # the province itself: its cities; an unknown indicator falls back like the page
    wb = _book(client.get(RANKINGS_FEB, {"indicator": "nonsense"}))
    rows = list(wb["排名"].iter_rows(min_row=3, values_only=True))
    assert rows[0][1:3] == ("市", "年度投资完成率（%）")
    assert [r[:3] for r in rows[1:]] == [(1, "青岛市", 50), (2, "济南市", 34.29)]


def test_ranking_export_neutralises_formula_text(rw, client):  # noqa: F811
    Unit.objects.filter(pk=rw.dept.pk).update(name='=HYPERLINK("http://x","点我")')
    client.force_login(rw.users.city)
    ws = _book(client.get(RANKINGS_FEB, {"kind": "department"}))["排名"]
    cell = ws["B4"]
    assert cell.value == '\'=HYPERLINK("http://x","点我")' and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_ranking_export_scope(rw, client):  # noqa: F811
    client.force_login(rw.users.city)
    assert client.get(RANKINGS_FEB, {"region": "370200"}).status_code == 404  # another city
    assert client.get(RANKINGS_FEB, {"region": "370000"}).status_code == 404  # its province
    assert client.get(reverse("analytics:rankings_xlsx", kwargs={"period": "2031-01"})).status_code == 404
    assert client.get(reverse("analytics:rankings_xlsx", kwargs={"period": "2026-13"})).status_code == 404
    for user in (rw.users.county, rw.users.department, rw.users.enterprise, rw.users.auditor):
        client.force_login(user)
        assert client.get(RANKINGS, {"period": "2026-02"}).status_code == 403, user.username  # as the page
        assert client.get(RANKINGS_FEB).status_code == 403, user.username
    client.logout()
    assert client.get(RANKINGS_FEB).status_code == 302  # to the login page
    assert not AuditEvent.objects.filter(action="export", changes__kind="rankings").exists()


# --- 双考核双评价 ----------------------------------------------------------------------------


@pytest.fixture
def snap(closed):  # noqa: F811
    closed.snapshot, _ = assessment_snapshot(user=closed.users.city, scheme=closed.scheme, period=closed.p2)
    closed.result_url = reverse("analytics:assessment_result", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})
    closed.xlsx_url = reverse("analytics:assessment_xlsx", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})
    return closed


def test_assessment_export_is_the_result_page(snap, client):
    client.force_login(snap.users.city)
    page = client.get(snap.result_url)
    html = page.content.decode()
    assert html.count(f'href="{snap.xlsx_url}"') == 2  # next to both tables
    resp = client.get(snap.xlsx_url)
    wb = _book(resp)
    assert wb.sheetnames == ["得分与名次", "得分说明", "指标与权重"]

    ws = wb["得分与名次"]
    assert ws["A1"].value == "县区考核 · 2026年2月考核结果"
    subtitle = ws["A2"].value
    assert subtitle.startswith("调度期：2026年2月 · 范围：济南市 · 考核对象：区县（市） · 根据已关账数据于 ")
    assert snap.snapshot.digest[:12] in subtitle
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("名次", "考核对象", "项目数", "得分")
    units = page.context["units"]
    assert rows[1:] == [(u["rank"], u["name"], u["projects"], _num(u["score"])) for u in units]
    assert [r[1] for r in rows[1:]] == ["槐荫区", "市中区", "天桥区", "历下区"]
    assert rows[2][3] == 94.67 and rows[4][3] == 64.67
    assert ws["D4"].data_type == "n" and ws["A4"].data_type == "n"

    lines = list(wb["得分说明"].iter_rows(min_row=3, values_only=True))
    assert lines[0] == ("考核对象", "指标", "数值", "单位", "名次", "参与排名数", "权重", "得分", "依据", "项目", "计入分子的项目")
    assert len(lines) - 1 == sum(len(u["lines"]) for u in units)
    by = {(r[0], r[1]): r for r in lines[1:]}
    assert by[("历下区", "年度投资完成率")] == (
        "历下区",
        "年度投资完成率",
        25,
        "%",
        3,
        3,
        60,
        50,
        "累计完成 300.00 万元 / 年度计划 1,200.00 万元",
        "历下区项目",
        None,
    )
    assert by[("天桥区", "年度投资完成率")][2:4] == ("不适用", "%")
    huaiyin = by[("槐荫区", "按时报送率")]
    assert huaiyin[2] == 100 and huaiyin[4:8] == (1, 4, 40, 100) and huaiyin[8] == "1 / 1"
    assert huaiyin[9] == "槐荫区项目" and huaiyin[10] == "槐荫区项目"

    items = list(wb["指标与权重"].iter_rows(min_row=3, values_only=True))
    assert items == [
        ("指标", "权重", "方向", "计分规则"),
        ("年度投资完成率", 60, "越高越好", "线性计分：0 及以下 0 分，50 及以上 100 分"),
        ("按时报送率", 40, "越高越好", "按名次计分：第一名 100 分，末位 60 分"),
    ]
    assert _filename(resp) == quote("县区考核2026年2月考核结果.xlsx")
    assert AuditEvent.objects.filter(action="export", changes__kind="assessment", changes__period="2026-02").count() == 1


def test_assessment_export_words_a_lower_is_better_rule_as_the_page_does(closed, client):  # noqa: F811
    """越低越好 in the export: its own column and the rule "50 及以上 0 分，0 及以下 100 分" the scheme
    page shows (the export had said "50 及以下 0 分，0 及以上 100 分", the opposite)."""
    closed.scheme.indicators = [
        {"indicator": "completion_rate", "weight": "60", "rule": "linear", "direction": "down", "floor": "50", "target": "0"},
        {"indicator": "approvals_overdue", "weight": "40", "rule": "rank", "direction": "down", "last_points": "60"},
    ]
    closed.scheme.save()
    assessment_snapshot(user=closed.users.city, scheme=closed.scheme, period=closed.p2)
    client.force_login(closed.users.city)
    page = client.get(reverse("analytics:assessment_result", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})).content.decode()
    assert "线性计分：50 及以上 0 分，0 及以下 100 分" in page
    wb = _book(client.get(reverse("analytics:assessment_xlsx", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})))
    assert list(wb["指标与权重"].iter_rows(min_row=4, values_only=True)) == [
        ("年度投资完成率", 60, "越低越好", "线性计分：50 及以上 0 分，0 及以下 100 分"),
        ("审批超时件数", 40, "越低越好", "按名次计分：第一名 100 分，末位 60 分"),
    ]


def test_assessment_export_shows_only_visible_projects(snap, client):
    """A project that left the city after the snapshot shows as its id, on the page and in the
    export alike (the names come through Project.visible_to)."""
    moved = snap.projects.own_county
    Project.objects.filter(pk=moved.pk).update(region_id="370202", city_code="370200")
    client.force_login(snap.users.city)
    page_units = client.get(snap.result_url).context["units"]
    lines = list(load_workbook(io.BytesIO(client.get(snap.xlsx_url).content))["得分说明"].iter_rows(min_row=4, values_only=True))
    lixia = next(r for r in lines if r[:2] == ("历下区", "年度投资完成率"))
    assert lixia[9] == str(moved.pk)
    page_line = next(line for u in page_units if u["name"] == "历下区" for line in u["lines"] if line["indicator"] == "completion_rate")
    assert page_line["project_list"] == [{"pk": moved.pk, "name": None, "counted": False}]
    assert "历下区项目" not in {v for r in lines for v in r}


def test_assessment_export_neutralises_formula_text(snap, client):
    AssessmentScheme.objects.filter(pk=snap.scheme.pk).update(name="=1+2考核")
    Project.objects.filter(pk=snap.projects.own_county.pk).update(name="@SUM(A1)项目")
    client.force_login(snap.users.city)
    resp = client.get(snap.xlsx_url)
    wb = _book(resp)
    assert wb["得分与名次"]["A1"].value == "'=1+2考核 · 2026年2月考核结果"
    lines = list(wb["得分说明"].iter_rows(min_row=4, values_only=True))
    assert next(r for r in lines if r[:2] == ("历下区", "年度投资完成率"))[9] == "'@SUM(A1)项目"
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert _filename(resp) == quote("=1+2考核2026年2月考核结果.xlsx")  # a file name is not a cell


def test_assessment_export_scope(snap, client):
    province_scheme = make_scheme(snap, name="各市考核", region="370000")
    client.force_login(snap.users.leader)  # reads what the page shows
    assert client.get(snap.xlsx_url).status_code == 200
    u = snap.users
    # another city's scheme is not found, nor is an unpublished result by the county it assesses, nor a
    # region scheme by a department (it assesses no department); a role without the pages is refused them
    for user, status in ((u.other_city, 404), (u.county, 404), (u.department, 404), (u.enterprise, 403)):
        client.force_login(user)
        assert client.get(snap.result_url).status_code == status, user.username  # as the page
        assert client.get(snap.xlsx_url).status_code == status, user.username
    client.force_login(snap.users.city)
    for pk, period in ((snap.scheme.pk, "2026-01"), (snap.scheme.pk, "2031-01"), (province_scheme.pk, "2026-02"), (999999, "2026-02")):
        url = reverse("analytics:assessment_xlsx", kwargs={"pk": pk, "period": period})
        assert client.get(url).status_code == 404, url
    assert AssessmentSnapshot.objects.count() == 1


def test_snapshot_tables_are_what_the_page_renders(snap):
    tables = snapshot_tables(user=snap.users.city, snapshot=snap.snapshot)
    assert [i["label"] for i in tables.items] == ["年度投资完成率", "按时报送率"]
    assert [u["score"] for u in tables.units] == ["100.00", "94.67", "86.67", "64.67"]
    assert tables.units[0]["lines"][0]["value"] == str(D("50.00"))


# --- speed ---------------------------------------------------------------------------------


def test_query_counts_are_pinned(snap, client, django_assert_num_queries):
    """An export reads what its page reads (without the page's period list) and writes one
    audit row: savepoint, last hash, insert, release (+ the advisory lock on PostgreSQL).
    Rankings: session, user, region, period, then for this month and the last the summaries and
    unit names (the problems only when ranked on 问题办结率), and the closures; then the corrections after the close (the first
    closure, the corrections: issue 10 §4). Result: session, user, region, scheme, period,
    snapshot, the visible project names, and the same two for the corrections."""
    audit = 5 if connection.vendor == "postgresql" else 4
    client.force_login(snap.users.city)
    client.get(RANKINGS_FEB)
    for url, n in (
        (f"{RANKINGS}?period=2026-02", 13),
        (RANKINGS_FEB, 10 + audit),
        (snap.result_url, 9),
        (snap.xlsx_url, 7 + audit),
    ):
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200, url


def test_every_indicator_has_its_own_unit_named_once():
    from keyprojects.analytics.exports import unit_suffix, value_header
    from keyprojects.analytics.rankings import INDICATORS

    assert {i.kind for i in INDICATORS.values()} <= {"rate", "points", "days", "count"}
    assert [unit_suffix(k) for k in ("rate", "points", "days", "count")] == ["%", "百分点", "工作日", "件"]
    assert value_header(INDICATORS["completion_rate"]) == "年度投资完成率（%）"
    assert value_header(INDICATORS["ahead_points"]) == "超/落后序时进度（百分点）"
    assert value_header(INDICATORS["approval_avg_days"]) == "审批平均用时（工作日）"  # its label names the unit
    assert value_header(INDICATORS["approvals_overdue"]) == "审批超时件数（件）"
