"""The period board: counts agree with hand-computed figures and with the region summaries
(through the one set of metrics); the missing list and its export; refresh only on POST (audited);
month close through the page freezes the period."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from keyprojects.analytics import metrics
from keyprojects.analytics.models import RegionPeriodSummary
from keyprojects.analytics.services import region_metrics
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.dispatch.models import PeriodClosure, ProjectWarning, ReportingPeriod
from keyprojects.dispatch.services import PeriodClosed, report_review, report_save

from .test_views_review import approved, messages_of, submitted

FAR = dt.date(2100, 1, 5)


@pytest.fixture
def board(dw):
    """2026-02 in 济南: 历下区 has an approved on-time report and a returned one, 市中区 a late
    submitted one, the city-level project nothing; 青岛 nothing either."""
    dw.lixia2 = ProjectFactory(name="历下区二号项目", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    ReportingPeriod.objects.filter(pk=dw.p2.pk).update(fill_end=FAR)  # still inside the window: on time
    dw.p2.refresh_from_db()
    approved(dw, dw.projects.own_county, dw.p2, "200")
    returned = submitted(dw, dw.lixia2, dw.p2, "30")
    report_review(user=dw.users.county, report=returned, action="return", opinion="请核实")
    ReportingPeriod.objects.filter(pk=dw.p2.pk).update(fill_end=dt.date(2026, 3, 5))  # the window has ended: late
    dw.p2.refresh_from_db()
    submitted(dw, dw.projects.sibling_county, dw.p2, "80")
    return dw


def rows_by_code(resp):
    return {r["code"]: r for r in resp.context["rows"]}


COUNTS = ("due", "reported", "on_time", "late", "returned", "missing", "approved")


def counts(row):
    return tuple(row[k] for k in COUNTS)


def test_city_board_counts_agree_with_hand_computed_figures(board, client):
    client.force_login(board.users.city)
    resp = client.get("/dispatch/2026-02/board/")
    assert resp.status_code == 200
    rows = rows_by_code(resp)
    #                                due rep on  late ret miss appr
    assert counts(rows["370102"]) == (2, 1, 1, 0, 1, 0, 1)  # 历下区
    assert counts(rows["370103"]) == (1, 1, 0, 1, 0, 0, 0)  # 市中区
    assert counts(rows["370100"]) == (1, 0, 0, 0, 0, 1, 0)  # 市本级
    assert rows["370100"]["name"] == "市本级" and not rows["370100"]["drill"]
    assert counts(rows["370104"]) == (0,) * 7  # 槐荫区: nothing due
    assert counts(resp.context["total"]) == (4, 2, 1, 1, 1, 1, 1)
    assert [p.name for p in resp.context["missing"]] == ["济南市本级项目"]
    html = resp.content.decode()
    assert 'href="/dispatch/2026-02/board/?region=370102"' in html  # drill down into a county
    assert "济南市本级项目" in html and 'data-testid="close"' in html and 'href="/dispatch/2026-02/board/close/"' in html


def test_province_board_by_city_and_drill_down(board, client):
    client.force_login(board.users.province)
    resp = client.get("/dispatch/2026-02/board/")
    rows = rows_by_code(resp)
    assert len(rows) == 16  # the cities of Shandong
    assert counts(rows["370100"]) == (4, 2, 1, 1, 1, 1, 1)
    assert counts(rows["370200"]) == (1, 0, 0, 0, 0, 1, 0)
    assert counts(resp.context["total"]) == (5, 2, 1, 1, 1, 2, 1)
    assert {p.name for p in resp.context["missing"]} == {"济南市本级项目", "青岛市南区项目"}
    drill = client.get("/dispatch/2026-02/board/?region=370100")
    assert drill.context["focus"].code == "370100" and counts(drill.context["total"]) == (4, 2, 1, 1, 1, 1, 1)
    county = client.get("/dispatch/2026-02/board/?region=370103")
    assert list(rows_by_code(county)) == ["370103"] and [r.name for r in county.context["crumbs"]] == ["山东省", "济南市"]


@pytest.mark.parametrize(
    "role,query,status",
    [
        ("city", "?region=370200", 404),  # another city
        ("city", "?region=370000", 404),  # above the user
        ("county", "?region=370100", 404),
        ("county", "?region=370103", 404),
        ("county", "", 200),
        ("leader", "", 200),
        ("department", "", 403),  # the role may not open the board (403 with the reason), not "not found"
        ("enterprise", "", 403),
        ("auditor", "", 403),  # an administrator opens no business page (三权分立)
        ("city", "?region=bogus", 404),
    ],
)
def test_board_scope(board, client, role, query, status):
    client.force_login(getattr(board.users, role))
    assert client.get(f"/dispatch/2026-02/board/{query}").status_code == status


def test_county_sees_its_county_only(board, client):
    client.force_login(board.users.county)
    resp = client.get("/dispatch/2026-02/board/")
    assert list(rows_by_code(resp)) == ["370102"]
    assert counts(resp.context["total"]) == (2, 1, 1, 0, 1, 0, 1)
    assert list(resp.context["missing"]) == []
    html = resp.content.decode()
    assert 'data-testid="close"' not in html and 'data-testid="refresh"' in html


def test_unknown_period_is_404_and_latest_redirects(board, client):
    client.force_login(board.users.city)
    assert client.get("/dispatch/2030-01/board/").status_code == 404
    resp = client.get("/dispatch/board/")
    assert resp.status_code == 302 and resp.url == "/dispatch/2026-03/board/"
    resp = client.get("/dispatch/board/?period=2026-02&region=370102")
    assert resp.url == "/dispatch/2026-02/board/?region=370102"


def test_summaries_only_on_post_refresh_and_they_agree_with_the_board(board, client):
    client.force_login(board.users.city)
    # approvals refresh the facts of their project; clear them to see a never-computed period
    RegionPeriodSummary.objects.all().delete()
    resp = client.get("/dispatch/2026-02/board/")
    assert resp.context["summaries_missing"] and 'data-testid="summaries-missing"' in resp.content.decode()
    assert not RegionPeriodSummary.objects.exists()  # GET never computes

    resp = client.post("/dispatch/2026-02/board/refresh/", {"region": ""})
    assert resp.status_code == 302 and resp.url == "/dispatch/2026-02/board/"
    ev = AuditEvent.objects.get(action="summaries_refresh")
    assert ev.changes["region"] == "370100" and ev.changes["facts"] == 4
    resp = client.get("/dispatch/2026-02/board/")
    assert not resp.context["summaries_missing"]
    city = RegionPeriodSummary.objects.get(period=board.p2, region_id="370100")
    total = resp.context["total"]
    # counts: the summary's due / in / on-time equal the live board
    assert (city.reports_due, city.reports_in, city.reports_on_time) == (total["due"], total["reported"], total["on_time"])
    # money: plan 1200 + 600 + 800 + 500; reported figures 200 (approved) + 80 (submitted, counted)
    assert (city.annual_plan, city.invested_ytd) == (D(3100), D(280))
    m = region_metrics(city, 2)
    assert m["completion_rate"] == metrics.completion_rate(D(280), D(3100)) == D("0.0903")
    assert total["completion_pct"] == D("9.03") and total["points"] == D("-7.64") == metrics.ahead_points(D("0.0903"), 2)
    assert total["schedule"] == "落后序时进度7.64个百分点"
    lixia = rows_by_code(resp)["370102"]
    assert lixia["completion_pct"] == metrics.as_percent(metrics.completion_rate(D(200), D(1800)))
    # 市本级 has no summary of its own: its figures are the sums of its projects' facts, and the
    # rows add up to the city's total
    own = rows_by_code(resp)["370100"]
    assert (own["summary"].annual_plan, own["summary"].invested_ytd, own["completion_pct"]) == (D(500), D(0), D("0.00"))
    assert sum(r["summary"].annual_plan for r in resp.context["rows"] if r["summary"]) == city.annual_plan
    # its 滞后项目 link lists the city's own projects, not its counties': lagging is judged on
    # reported figures (rules.lag_measured), so the city-level project reports 5 of its 500
    submitted(board, board.projects.city_level, board.p2, "5")
    resp = client.get("/dispatch/2026-02/board/")
    link = re.search(r'data-region="370100">.*?href="([^"]+)" data-testid="lagging-link"', resp.content.decode(), re.S).group(1)
    assert "own=1" in link and "region=370100" in link
    listed = client.get(link.replace("&amp;", "&"))
    assert [p.name for p in listed.context["projects"]] == ["济南市本级项目"]
    everything = client.get(link.replace("&amp;", "&").replace("own=1&", ""))
    assert len(everything.context["projects"]) > 1  # the whole city's lagging projects
    # warnings were refreshed for the open period, too: the late report is warned as such
    assert ProjectWarning.objects.filter(period=board.p2, project=board.projects.city_level, kind="late_report").exists()


def test_missing_list_export(board, client):
    client.force_login(board.users.city)
    resp = client.get("/dispatch/2026-02/board/missing.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [(v[1], v[3], v[8]) for v in values] == [("济南市本级项目", "济南市", "未报")]
    assert AuditEvent.objects.filter(action="export", changes__rows=1).exists()
    resp = client.get("/dispatch/2026-02/board/missing.xlsx?region=370102")
    assert len(list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=3))) == 0
    assert client.get("/dispatch/2026-02/board/missing.xlsx?region=370202").status_code == 404


def test_close_through_the_page_freezes_the_period(board, client):
    client.force_login(board.users.county)
    assert client.post("/dispatch/2026-02/board/close/").status_code == 403
    client.force_login(board.users.leader)
    assert client.post("/dispatch/2026-02/board/close/").status_code == 403
    assert client.post("/dispatch/2026-02/board/refresh/").status_code == 403
    assert not PeriodClosure.objects.exists()

    client.force_login(board.users.city)
    resp = client.post("/dispatch/2026-02/board/close/", {"region": "370102"})
    assert resp.status_code == 400 and "仍有未完成事项" in resp.content.decode()  # the typed confirmation is missing
    assert not PeriodClosure.objects.exists()
    resp = client.post("/dispatch/2026-02/board/close/", {"region": "370102", "confirm": "2026-02"}, follow=True)
    assert resp.redirect_chain[-1][0].startswith("/dispatch/2026-02/board/close/jobs/")  # the close's progress, then its result
    assert 'data-testid="close-result"' in resp.content.decode() and "济南市 2026年2月已关账" in resp.content.decode()
    assert PeriodClosure.objects.filter(period=board.p2, region_id="370100").exists()
    assert AuditEvent.objects.filter(action="period_close").exists()
    resp = client.get("/dispatch/2026-02/board/")
    html = resp.content.decode()
    assert resp.context["frozen"] and 'data-testid="close"' not in html and 'data-testid="refresh"' not in html
    assert RegionPeriodSummary.objects.get(period=board.p2, region_id="370100").frozen
    # a second close, a refresh: refused with a message, nothing changes
    resp = client.post("/dispatch/2026-02/board/close/", follow=True)
    assert "已关账" in messages_of(resp)[0]
    resp = client.post("/dispatch/2026-02/board/refresh/", follow=True)
    assert "已冻结" in messages_of(resp)[0]
    # filling is closed for Jinan, open for Qingdao
    with pytest.raises(PeriodClosed):
        report_save(user=board.users.city, project=board.projects.city_level, period=board.p2, data={"invested_month": "1"})
    report_save(user=board.users.other_city, project=board.projects.other_city, period=board.p2, data={"invested_month": "1"})
    # and the review of a pending report of the closed month is refused
    client.force_login(board.users.sibling)
    r = board.projects.sibling_county.reports.get(period=board.p2)
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    assert "已关账" in messages_of(resp)[0]


def test_fill_page_after_close_says_closed(board, client):
    """The filling pages (views_fill) answer a closed month with the closed message."""
    from django.urls import reverse

    client.force_login(board.users.city)
    client.post("/dispatch/2026-02/board/close/", {"confirm": "确认关账"})
    url = reverse("dispatch:fill", kwargs={"project_pk": board.projects.city_level.pk, "period": "2026-02"})
    assert "已关账" in client.get(url).content.decode()
    resp = client.post(url, {"invested_month": "5", "action": "save"}, follow=True)
    assert "本期已关账" in resp.content.decode()
    assert not board.projects.city_level.reports.filter(period=board.p2).exists()


def test_province_close_closes_the_whole_period(board, client):
    client.force_login(board.users.province)
    resp = client.post("/dispatch/2026-02/board/close/", {"confirm": "2026-02"}, follow=True)
    assert "山东省" in resp.content.decode() and 'data-testid="close-result"' in resp.content.decode()
    board.p2.refresh_from_db()
    assert board.p2.status == "closed"
    with pytest.raises(PeriodClosed):
        report_save(user=board.users.other_city, project=board.projects.other_city, period=board.p2, data={"invested_month": "1"})
    client.force_login(board.users.city)
    html = client.get("/dispatch/2026-02/board/").content.decode()
    assert 'data-testid="close"' not in html and "已关账" in html


def test_missing_list_paginates_with_htmx_fragment(board, client):
    for i in range(55):
        ProjectFactory(name=f"槐荫区项目{i:02d}", region_id="370104", stage="construction", plan=(2026, 10, "county"))
    client.force_login(board.users.city)
    resp = client.get("/dispatch/2026-02/board/")
    assert resp.context["page_obj"].paginator.count == 56 and len(resp.context["missing"]) == 50
    part = client.get("/dispatch/2026-02/board/?page=2", headers={"HX-Request": "true"})
    assert b"<html" not in part.content and part.content.count(b'data-testid="missing-row"') == 6
    assert rows_by_code(resp)["370104"]["missing"] == 55


def test_refresh_is_one_transaction(board, client):
    from unittest import mock

    RegionPeriodSummary.objects.all().delete()
    ProjectWarning.objects.filter(period=board.p2).delete()  # (the approvals refreshed the real ones)
    client.force_login(board.users.city)
    with mock.patch("keyprojects.dispatch.views_board.audit_record", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        client.post("/dispatch/2026-02/board/refresh/")
    assert not RegionPeriodSummary.objects.exists()
    assert not ProjectWarning.objects.filter(period=board.p2).exists()
