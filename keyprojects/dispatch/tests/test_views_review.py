"""Review pages: the queue per role and level, a report beside last month's, approve / forward /
return, acknowledging check warnings, corrections through revisions, scope (404) and read-only roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import MonthlyReport, ReportRevision, ReportStep
from keyprojects.dispatch.services import report_review, report_save, report_submit

# The clerk who fills each region's reports: their colleague (dw.users.county, .sibling, .city,
# .other_city) reviews them (four eyes).
FILLERS = {"370102": "county_clerk", "370103": "sibling_clerk", "370100": "city_clerk", "370202": "other_city_clerk"}
REVIEWERS = {"370102": "county", "370103": "sibling", "370100": "city", "370202": "other_city"}


def filler(dw, project):
    return getattr(dw.users, FILLERS[project.region_id])


def submitted(dw, project, period, amount, **kw):
    """A report of ``project`` for ``period`` filled and submitted by its region's clerk."""
    user = filler(dw, project)
    r = report_save(user=user, project=project, period=period, data={"invested_month": amount, **kw})
    report_submit(user=user, report=r)
    r.refresh_from_db()
    return r


def approved(dw, project, period, amount, **kw):
    r = submitted(dw, project, period, amount, **kw)
    while r.status == "submitted":
        reviewer = {
            "county": getattr(dw.users, REVIEWERS[project.region_id]),
            "city": dw.users.city if project.city_code == "370100" else dw.users.other_city,
        }
        report_review(user=reviewer[r.pending_level], report=r, action="approve")
        r.refresh_from_db()
    return r


def queue_ids(client, user, query=""):
    client.force_login(user)
    resp = client.get("/dispatch/review/" + query)
    assert resp.status_code == 200
    return {r.pk for r in resp.context["reports"]}


def messages_of(resp):
    return [str(m) for m in resp.context["messages"]] if resp.context else []


# --- the queue ------------------------------------------------------------------------------


def test_queue_shows_reports_waiting_for_the_users_level(dw, client):
    own = submitted(dw, dw.projects.own_county, dw.p1, "100")  # chain county → city
    sib = submitted(dw, dw.projects.sibling_county, dw.p1, "50")  # county list: county only
    city = submitted(dw, dw.projects.city_level, dw.p1, "70")  # city-level project: city only
    other = submitted(dw, dw.projects.other_city, dw.p1, "90")
    u = dw.users
    assert queue_ids(client, u.county) == {own.pk}
    assert queue_ids(client, u.sibling) == {sib.pk}
    assert queue_ids(client, u.city) == {city.pk}  # own county's report is not the city's turn yet
    assert queue_ids(client, u.other_city) == {other.pk}  # 市南区 has no county account: its step goes to the city
    assert queue_ids(client, u.other_city_clerk) == set()  # who filled it never reviews it
    assert queue_ids(client, u.province) == set()
    assert queue_ids(client, u.superuser) == {own.pk, sib.pk, city.pk, other.pk}
    for role in ("leader", "department", "enterprise"):
        assert queue_ids(client, getattr(u, role)) == set(), role
    client.force_login(u.auditor)  # an administrator opens no business page (三权分立)
    assert client.get("/dispatch/review/").status_code == 403

    report_review(user=u.county, report=own, action="approve")
    assert queue_ids(client, u.county) == set()
    assert queue_ids(client, u.city) == {city.pk, own.pk}


def test_queue_period_filter_and_last_month_beside(dw, client):
    p = dw.projects.own_county
    approved(dw, p, dw.p1, "100")
    feb = submitted(dw, p, dw.p2, "150")
    mar = submitted(dw, dw.projects.sibling_county, dw.p3, "5")
    assert queue_ids(client, dw.users.county, "?period=2026-02") == {feb.pk}
    assert queue_ids(client, dw.users.sibling, "?period=2026-02") == set()
    assert queue_ids(client, dw.users.sibling, "?period=2026-03") == {mar.pk}
    assert queue_ids(client, dw.users.county, "?period=bogus") == {feb.pk}  # an invalid choice filters nothing
    client.force_login(dw.users.county)
    resp = client.get("/dispatch/review/")
    (row,) = resp.context["reports"]
    assert row.previous.invested_month == D(100) and row.month_change == D(50)
    html = resp.content.decode()
    assert f'href="/dispatch/reports/{feb.pk}/"' in html and "+50.00" in html
    # htmx: only the queue fragment
    part = client.get("/dispatch/review/?period=2026-02", headers={"HX-Request": "true"})
    assert b"<html" not in part.content and b'id="queue"' in part.content


# --- one report -----------------------------------------------------------------------------


def test_report_page_compares_with_last_month(dw, client):
    p = dw.projects.own_county
    approved(dw, p, dw.p1, "100", physical_progress="基础施工", physical_progress_pct="20")
    feb = submitted(dw, p, dw.p2, "150", physical_progress="主体施工", physical_progress_pct="35", problems="用地指标未落实")
    client.force_login(dw.users.county)
    resp = client.get(f"/dispatch/reports/{feb.pk}/")
    assert resp.status_code == 200
    rows = {str(r["label"]): r for r in resp.context["comparison"]}
    assert rows["本月完成投资（万元）"]["previous"] == D(100) and rows["本月完成投资（万元）"]["change"] == D(50)
    assert rows["1-N月累计完成投资（万元）"]["current"] == D(250) and rows["1-N月累计完成投资（万元）"]["previous"] == D(100)
    assert rows["开工至今累计完成投资（万元）"]["current"] == D(550)  # 300 before + 100 + 150
    assert rows["形象进度（%）"]["change"] == D(15)
    html = resp.content.decode()
    for text in ("2026年1月", "主体施工", "基础施工", "用地指标未落实", "审核通过", "退回"):
        assert text in html, text
    # the schedule through the one set of metrics: 250 / 1200 = 20.83%, 序时进度 16.67%
    assert resp.context["completion_pct"] == D("20.83") and "超序时进度" in resp.context["schedule"]


@pytest.mark.parametrize(
    "role,status",
    [
        ("county", 200),
        ("city", 200),
        ("province", 200),
        ("leader", 200),
        ("enterprise", 200),
        ("department", 200),
        ("sibling", 404),
        ("other_city", 404),
        ("other_enterprise", 404),
    ],
)
def test_report_page_scope(dw, client, role, status):
    r = submitted(dw, dw.projects.own_county, dw.p1, "100")
    client.force_login(getattr(dw.users, role))
    resp = client.get(f"/dispatch/reports/{r.pk}/")
    assert resp.status_code == status
    if status == 200 and role not in ("county",):
        assert b'data-testid="approve"' not in resp.content  # not their turn, or read-only
    if status == 404:
        assert AuditEvent.objects.filter(action="permission_denied", object_id=str(r.pk)).exists()


def test_out_of_scope_posts_are_404(dw, client):
    r = submitted(dw, dw.projects.own_county, dw.p1, "100")
    client.force_login(dw.users.sibling)
    for url, data in (
        (f"/dispatch/reports/{r.pk}/review/", {"action": "approve"}),
        (f"/dispatch/reports/{r.pk}/acknowledge/", {}),
        (f"/dispatch/reports/{r.pk}/revise/", {"reason": "x", "invested_month": "1"}),
    ):
        assert client.post(url, data).status_code == 404, url
    r.refresh_from_db()
    assert r.status == "submitted" and r.pending_level == "county"


# --- approve, forward, return ---------------------------------------------------------------


def test_county_forwards_city_approves_through_the_pages(dw, client):
    r = submitted(dw, dw.projects.own_county, dw.p1, "100")
    client.force_login(dw.users.county)
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    assert resp.status_code == 302 and resp.url == "/dispatch/review/?period=2026-01"
    r.refresh_from_db()
    assert r.status == "submitted" and r.pending_level == "city"
    assert "报市级审定" in messages_of(client.get(resp.url))[0]

    # the county cannot act again; the city can
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    assert resp.status_code == 200 and "不由您所在层级审核" in messages_of(resp)[0]
    client.force_login(dw.users.city)
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version}, follow=True)
    r.refresh_from_db()
    assert r.status == "approved" and r.approved_by == dw.users.city
    assert "已审定" in messages_of(resp)[0]
    assert list(r.steps.values_list("action", flat=True)) == ["save", "submit", "forward", "approve"]
    page = client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    assert "审核通过并上报" in page and 'data-testid="approve"' not in page


def test_return_needs_an_opinion_and_keeps_what_was_typed(dw, client):
    r = submitted(dw, dw.projects.city_level, dw.p1, "70")
    client.force_login(dw.users.city)
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "return", "opinion": "  ", "version": r.version})
    assert resp.status_code == 200
    assert "退回须填写意见" in resp.content.decode()
    r.refresh_from_db()
    assert r.status == "submitted"
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "return", "opinion": "请补充形象进度", "version": r.version})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == "returned" and r.return_opinion == "请补充形象进度"
    assert AuditEvent.objects.filter(action="return", object_id=str(r.pk), message="请补充形象进度").exists()
    page = client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    assert "请补充形象进度" in page


def test_stale_page_gets_a_conflict_message(dw, client):
    r = submitted(dw, dw.projects.city_level, dw.p1, "70")
    client.force_login(dw.users.city)
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "return", "opinion": "重填", "version": r.version - 1})
    assert resp.status_code == 200 and "已被他人处理或修改" in messages_of(resp)[0]
    assert "重填" in resp.content.decode()  # typed opinion kept
    r.refresh_from_db()
    assert r.status == "submitted"
    # the page now carries the saved version: sent again after checking, the return goes through
    # (it met the same conflict for ever)
    form = resp.context["review_form"]
    assert form["version"].value() == str(r.version) and form["opinion"].value() == "重填"
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "return", "opinion": "重填", "version": form["version"].value()})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == "returned" and r.return_opinion == "重填"


def test_leader_is_read_only(dw, client):
    r = submitted(dw, dw.projects.city_level, dw.p1, "70")
    client.force_login(dw.users.leader)
    page = client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    assert 'data-testid="approve"' not in page and 'data-testid="revision-request"' not in page
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    assert resp.status_code == 200 and messages_of(resp)
    r.refresh_from_db()
    assert r.status == "submitted"


# --- check warnings -------------------------------------------------------------------------


def test_warnings_must_be_acknowledged_before_approving(dw, client):
    # a zero without 本月无进展 while under construction: a warning the filler explains and the
    # reviewer accepts, a reason each
    type(dw.projects.own_county).objects.filter(pk=dw.projects.own_county.pk).update(actual_start=dt.date(2025, 6, 1))
    r = submitted(dw, dw.projects.own_county, dw.p1, "0", warning_reasons={"zero_without_reason": "设备到货待安装，本月未计量"})
    flag = r.flags.get(code="zero_without_reason", severity="warning")
    assert flag.reason == "设备到货待安装，本月未计量"
    client.force_login(dw.users.county)
    page = client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    assert "确认校验提示" in page and "未勾选" in page and "设备到货待安装" in page
    assert 'name="reason_zero_without_reason"' in page
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "opinion": "同意上报", "version": r.version})
    assert resp.status_code == 200 and messages_of(resp) == ["请先确认校验提示后再审核通过"]
    assert resp.content.decode().count("请先确认校验提示") == 1  # shown once, not again under the form
    assert "同意上报" in resp.content.decode()
    r.refresh_from_db()
    assert r.pending_level == "county"

    # only the reviewer whose turn it is may acknowledge
    client.force_login(dw.users.city)
    resp = client.post(f"/dispatch/reports/{r.pk}/acknowledge/", {"reason_zero_without_reason": "x"}, follow=True)
    assert "只有当前审核层级" in messages_of(resp)[0]
    assert r.flags.filter(acknowledged_at__isnull=True).exists()

    client.force_login(dw.users.county)
    resp = client.post(f"/dispatch/reports/{r.pk}/acknowledge/", {"reason_zero_without_reason": " "}, follow=True)
    assert "逐条填写理由" in messages_of(resp)[0]  # a reason per warning
    assert r.flags.filter(acknowledged_at__isnull=True).exists()
    resp = client.post(f"/dispatch/reports/{r.pk}/acknowledge/", {"reason_zero_without_reason": "已电话核实，属实"}, follow=True)
    assert "已确认 1 条校验提示" in messages_of(resp)[0]
    flag = r.flags.get()
    assert flag.acknowledged_by == dw.users.county and flag.acknowledge_reason == "已电话核实，属实"
    page = resp.content.decode()
    assert "已确认" in page and "已电话核实，属实" in page  # in the flags and in the history
    assert r.steps.filter(action="acknowledge", opinion__contains="已电话核实").exists()
    resp = client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.pending_level == "city"


def test_queue_marks_unacknowledged_warnings(dw, client):
    type(dw.projects.own_county).objects.filter(pk=dw.projects.own_county.pk).update(actual_start=dt.date(2025, 6, 1))
    r = submitted(dw, dw.projects.own_county, dw.p1, "0", warning_reasons={"zero_without_reason": "冬季停工"})
    client.force_login(dw.users.county)
    resp = client.get("/dispatch/review/")
    (row,) = resp.context["reports"]
    assert row.pk == r.pk and row.unacked == 1
    assert 'data-testid="unacked"' in resp.content.decode()


# --- corrections ----------------------------------------------------------------------------


def test_revision_requested_and_decided_one_level_up(dw, client):
    p = dw.projects.own_county
    jan = approved(dw, p, dw.p1, "100")
    feb = approved(dw, p, dw.p2, "50")
    client.force_login(dw.users.county)
    page = client.get(f"/dispatch/reports/{jan.pk}/").content.decode()
    assert "申请更正" in page

    # a missing reason: the form comes back with the typed value kept
    resp = client.post(f"/dispatch/reports/{jan.pk}/revise/", {"reason": "", "invested_month": "80"})
    assert resp.status_code == 200 and not ReportRevision.objects.exists()
    form = resp.context["revision_form"]
    assert "reason" in form.errors and form["invested_month"].value() == "80"
    # nothing changed: the service says so
    resp = client.post(f"/dispatch/reports/{jan.pk}/revise/", {"reason": "核对", "invested_month": "100"})
    assert "更正内容与原值相同" in messages_of(resp)[0]

    resp = client.post(
        f"/dispatch/reports/{jan.pk}/revise/",
        {"reason": "误将2月数据计入1月", "invested_month": "80", "physical_progress": "", "problems": ""},
    )
    assert resp.status_code == 302
    rev = ReportRevision.objects.get()
    assert rev.approval_level == "province" and rev.new_values == {"invested_month": "80.0000"}
    jan.refresh_from_db()
    assert jan.invested_month == D(100)  # not applied before approval

    # the city may not decide; it is not shown a decision form either
    client.force_login(dw.users.city)
    assert 'data-testid="revision-decide"' not in client.get(f"/dispatch/reports/{jan.pk}/").content.decode()
    resp = client.post(f"/dispatch/revisions/{rev.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "上一级" in messages_of(resp)[0]

    # the province finds it in its queue and decides; a rejection needs an opinion
    client.force_login(dw.users.province)
    queue = client.get("/dispatch/review/")
    assert [r.pk for r in queue.context["revisions"]] == [rev.pk]
    resp = client.post(f"/dispatch/revisions/{rev.pk}/decide/", {"decision": "reject", "opinion": ""})
    assert resp.status_code == 200 and "驳回更正须填写意见" in resp.content.decode()
    resp = client.post(f"/dispatch/revisions/{rev.pk}/decide/", {"decision": "approve", "opinion": "同意"})
    assert resp.status_code == 302
    rev.refresh_from_db()
    jan.refresh_from_db()
    feb.refresh_from_db()
    assert rev.status == "approved" and jan.invested_month == D(80) and feb.invested_ytd == D(130)
    assert AuditEvent.objects.filter(action="revision_approve", object_id=str(jan.pk)).exists()
    assert not client.get("/dispatch/review/").context["revisions"]


def test_revision_form_only_for_approved_reports_and_editors(dw, client):
    r = submitted(dw, dw.projects.city_level, dw.p1, "70")
    client.force_login(dw.users.city)
    assert 'data-testid="revision-request"' not in client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    resp = client.post(f"/dispatch/reports/{r.pk}/revise/", {"reason": "x", "invested_month": "1"})
    assert "只有已审定的月报" in messages_of(resp)[0]
    client.post(f"/dispatch/reports/{r.pk}/review/", {"action": "approve", "version": r.version})
    r.refresh_from_db()
    assert r.status == "approved"
    client.force_login(dw.users.leader)
    assert 'data-testid="revision-request"' not in client.get(f"/dispatch/reports/{r.pk}/").content.decode()
    assert MonthlyReport.objects.filter(pk=r.pk, invested_month=D(70)).exists()


def test_steps_and_people_without_a_user_show_system(dw, client):
    """Imported and seeded reports have steps, a submitter and an approver with no user: the
    fill page, the report page and the queue show 系统 instead of failing."""
    p = dw.projects.own_county
    jan = approved(dw, p, dw.p1, "100")
    feb = submitted(dw, p, dw.p2, "50")
    MonthlyReport.objects.filter(pk__in=[jan.pk, feb.pk]).update(submitted_by=None, approved_by=None)
    ReportStep.objects.filter(report__in=[jan, feb]).update(actor=None)
    client.force_login(dw.users.county)
    for url in (f"/dispatch/reports/{jan.pk}/", f"/dispatch/reports/{feb.pk}/", f"/dispatch/2026-01/projects/{p.pk}/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "系统" in resp.content.decode(), url
    assert feb.pk in queue_ids(client, dw.users.county)


def test_queue_search_region_filter_and_export(dw, client):
    """Search by project name or code, a region below the user's, and the filtered queue as .xlsx
    (Chinese headers, every page); the region list offers only regions below the user's."""
    import io

    from openpyxl import load_workbook

    from keyprojects.projects.models import Project

    own = submitted(dw, dw.projects.own_county, dw.p1, "100")
    sib = submitted(dw, dw.projects.sibling_county, dw.p1, "50")
    city = submitted(dw, dw.projects.city_level, dw.p1, "70")
    other = submitted(dw, dw.projects.other_city, dw.p1, "90")
    Project.objects.filter(pk=dw.projects.other_city.pk).update(project_code="2403-370202-04-01-654321")
    root = dw.users.superuser
    assert queue_ids(client, root, "?region=370100") == {own.pk, sib.pk, city.pk}  # the city with its counties
    assert queue_ids(client, root, "?region=370103") == {sib.pk}
    assert queue_ids(client, root, "?q=市南") == {other.pk}
    assert queue_ids(client, root, "?q=654321") == {other.pk}  # by project code
    assert queue_ids(client, root, "?q=历下&region=370100") == {own.pk}
    assert queue_ids(client, root, "?region=999999") == {own.pk, sib.pk, city.pk, other.pk}  # not offered: ignored

    client.force_login(dw.users.city)
    form = client.get("/dispatch/review/").context["form"]
    offered = {code for code, _label in form.fields["region"].choices if code}
    assert "370100" in offered and "370102" in offered and "370202" not in offered and "370000" not in offered
    page = client.get("/dispatch/review/?q=济南").content.decode()
    assert 'data-testid="queue-export"' in page and "/dispatch/review/export.xlsx?q=" in page

    client.force_login(root)
    resp = client.get("/dispatch/review/export.xlsx", {"region": "370100", "q": "区"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows()]
    header = next(r for r in rows if r and r[0] == "序号")
    assert header[:5] == ["序号", "调度期", "项目名称", "项目代码", "所属区域"]
    names = {r[2] for r in rows[rows.index(header) + 1 :]}
    assert names == {"历下区项目", "市中区项目"}
    assert AuditEvent.objects.filter(action="export", changes__kind="review_queue", changes__rows=2).exists()
    for role in ("enterprise", "leader", "department"):  # the role reviews nothing: refused, not an empty file
        client.force_login(getattr(dw.users, role))
        assert client.get("/dispatch/review/export.xlsx").status_code == 403, role


def test_a_corrections_amounts_read_as_everywhere_else(dw, client):
    """The report page lists a correction's before → after as the 已更正 lists and the bulletin
    do (analytics.corrections.change_value): 1,200.00万元, not the stored "1200.0000"."""
    jan = approved(dw, dw.projects.own_county, dw.p1, "1200")
    client.force_login(dw.users.county)
    client.post(f"/dispatch/reports/{jan.pk}/revise/", {"reason": "漏报设备款", "invested_month": "1234.5", "physical_progress_pct": "45"})
    page = client.get(f"/dispatch/reports/{jan.pk}/").content.decode()
    assert "1200.0000" not in page and "1234.5000" not in page
    assert "1,200.00万元</span> → 1,234.50万元" in page
