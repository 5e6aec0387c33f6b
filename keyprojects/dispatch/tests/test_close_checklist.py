"""A checked close (issue 10 §3): before 关账 the checklist names what is open per city and county
(未报 with drafts, waiting at each level, 数据存疑 not acknowledged, returned); a close with
anything open is refused without the typed confirmation and stores what was open; drafts count
nowhere and are shown as 未报（草稿未提交） afterwards.

Jinan in February: 历下 submitted (waiting at county, a warning not acknowledged), 市中 a draft,
槐荫 returned, the 济南市本级 project nothing, 天桥 approved. Qingdao is outside Jinan's close.
"""

from __future__ import annotations

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import PeriodClosure, ReportFlag
from keyprojects.dispatch.selectors_close import checklist_items, close_checklist
from keyprojects.dispatch.services import CloseNotConfirmed, period_close, report_review, report_save, report_submit
from keyprojects.regions.models import Region


@pytest.fixture
def open_month(dw):
    su = dw.users.superuser
    p = dw.projects
    dw.huaiyin = ProjectFactory(name="槐荫区项目", region_id="370104", stage="construction", plan=(2026, 1000, "county"))
    dw.tianqiao = ProjectFactory(name="天桥区项目", region_id="370105", stage="construction", plan=(2026, 600, "county"))
    r = report_save(user=su, project=p.own_county, period=dw.p2, data={"invested_month": "20"})
    report_submit(user=su, report=r)
    ReportFlag.objects.create(report=r, code="unit_slip", severity="warning", message="疑似单位错误")
    dw.lixia_report = r
    report_save(user=su, project=p.sibling_county, period=dw.p2, data={"invested_month": "5"})  # a draft
    r = report_save(user=su, project=dw.huaiyin, period=dw.p2, data={"invested_month": "7"})
    report_submit(user=su, report=r)
    report_review(user=dw.users.superuser_reviewer, report=r, action="return", opinion="请核实")  # four eyes
    r = report_save(user=su, project=dw.tianqiao, period=dw.p2, data={"invested_month": "9"})
    report_submit(user=su, report=r)
    report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
    dw.jinan = Region.objects.get(code="370100")
    dw.province = Region.objects.get(code="370000")
    return dw


def test_checklist_per_county_of_the_city(open_month):
    c = close_checklist(period=open_month.p2, region=open_month.jinan)
    by = {r.code: r for r in c.rows}
    assert set(by) == {"370100", "370102", "370103", "370104", "370105"}
    assert by["370100"].name == "济南市（市本级）" and by["370100"].counts["missing"] == 1
    assert by["370102"].counts["waiting_county"] == 1 and by["370102"].counts["doubtful"] == 1 and by["370102"].counts["missing"] == 0
    assert by["370103"].counts["missing"] == 1 and by["370103"].counts["drafts"] == 1  # a draft is 未报
    assert by["370104"].counts["returned"] == 1 and by["370104"].counts["missing"] == 0
    assert by["370105"].open == 0 and by["370105"].due == 1
    t = c.total.counts
    assert (c.total.due, t["missing"], t["drafts"], t["waiting_county"], t["doubtful"], t["returned"]) == (5, 2, 1, 1, 1, 1)
    assert c.open == 2 + 1 + 1 + 1
    # the lists behind the counts: the same conditions
    names = {p.name for p in checklist_items(period=open_month.p2, region=open_month.jinan, item="missing")}
    assert names == {"济南市本级项目", "市中区项目"}
    assert [p.name for p in checklist_items(period=open_month.p2, region=open_month.jinan, item="doubtful")] == ["历下区项目"]
    assert [p.name for p in checklist_items(period=open_month.p2, region=open_month.jinan, item="returned")] == ["槐荫区项目"]


def test_province_checklist_per_city_then_county(open_month):
    c = close_checklist(period=open_month.p2, region=open_month.province)
    by = {r.code: r for r in c.rows}
    assert set(by) == {"370100", "370200"}
    assert [k.code for k in by["370100"].children] == ["370100", "370102", "370103", "370104", "370105"]
    assert by["370100"].open == 5 and by["370200"].counts["missing"] == 1  # 青岛市南 has not reported
    assert c.total.counts["missing"] == 3


def test_close_with_open_items_needs_the_typed_confirmation(open_month):
    w = open_month
    for typed in ("", "yes", "2026-03", "确认"):
        with pytest.raises(CloseNotConfirmed) as exc:
            period_close(user=w.users.city, period=w.p2, confirm=typed)
        assert "未报2个（其中草稿1个）" in exc.value.message and "数据存疑未确认1个" in exc.value.message
        assert exc.value.extra["checklist"]["total"]["missing"] == 2
    assert not PeriodClosure.objects.exists() and not AuditEvent.objects.filter(action="period_close").exists()

    closure = period_close(user=w.users.city, period=w.p2, confirm=" 2026-02 ")
    assert closure.open_items == 5 and closure.confirmation == "2026-02"
    assert closure.checklist["total"]["missing"] == 2 and closure.checklist["total"]["drafts"] == 1
    assert {r["code"] for r in closure.checklist["rows"]} == {"370100", "370102", "370103", "370104", "370105"}
    ev = AuditEvent.objects.get(action="period_close")
    assert ev.changes["open_items"] == 5 and ev.changes["confirmation"] == "2026-02"
    assert closure.frozen_figures  # the snapshot of the frozen figures


def test_close_with_nothing_open_needs_no_confirmation(dw):
    from keyprojects.projects.models import Project

    Project.objects.exclude(pk=dw.projects.other_city.pk).update(stage="reserve")  # nothing due in Jinan
    closure = period_close(user=dw.users.city, period=dw.p2)
    assert closure.open_items == 0 and closure.confirmation == ""


def test_close_reports_progress(open_month):
    seen = []
    period_close(user=open_month.users.province, period=open_month.p2, confirm="确认关账", progress=lambda *a: seen.append(a))
    phases = [p for p, _, _ in seen]
    assert phases[0] == "核对清单" and "重建事实表" in phases and phases[-1] == "保存快照"
    last = [(d, t) for p, d, t in seen if p == "重建事实表"][-1]
    assert last[0] == last[1]


def test_close_command_lists_refuses_and_closes(open_month):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("close_period", "2026-02", "--user", "jinan", "--check", stdout=out)
    text = out.getvalue()
    assert "济南市2026-02 关账检查：应报 5 个，未完成事项 5 项" in text and "其中草稿未提交 1 个" in text
    assert not PeriodClosure.objects.exists()
    with pytest.raises(CommandError, match="仍有未完成事项"):
        call_command("close_period", "2026-02", "--user", "jinan", stdout=io.StringIO(), stderr=io.StringIO())
    err = io.StringIO()
    call_command("close_period", "2026-02", "--user", "jinan", "--confirm", "2026-02", stdout=out, stderr=err)
    assert "济南市2026年2月已关账" in out.getvalue()
    assert PeriodClosure.objects.get().open_items == 5
    with pytest.raises(CommandError, match="无权关账"):
        call_command("close_period", "2026-02", "--user", "lixia", stdout=io.StringIO())


def test_a_draft_left_in_a_closed_month_shows_as_not_reported(open_month, client):
    from django.urls import reverse

    w = open_month
    period_close(user=w.users.city, period=w.p2, confirm="确认关账")
    client.force_login(w.users.city)
    html = client.get("/dispatch/2026-02/board/").content.decode()
    missing = html[html.index('data-testid="missing"') :]
    assert "未报（草稿未提交）" in missing and 'data-testid="closures"' in html and "关账时有 5 项未完成" in html
    draft = w.projects.sibling_county.reports.get(period=w.p2)
    assert "未报（草稿未提交）" in client.get(f"/dispatch/reports/{draft.pk}/").content.decode()
    url = reverse("dispatch:fill", kwargs={"project_pk": w.projects.sibling_county.pk, "period": "2026-02"})
    assert "未报（草稿未提交）" in client.get(url).content.decode()
    ev = AuditEvent.objects.get(action="period_close")
    assert ev.changes["open"] == {"missing": 2, "drafts": 1, "waiting_county": 1, "doubtful": 1, "returned": 1}
    # the list behind a count, with the state after the close, and its export
    resp = client.get("/dispatch/2026-02/board/open/?region=370103&item=missing")
    assert resp.status_code == 200 and "未报（草稿未提交）" in resp.content.decode()
    resp = client.get("/dispatch/2026-02/board/open/?region=370103&item=missing&format=xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/dispatch/2026-02/board/open/?region=370202&item=missing").status_code == 404  # Qingdao: not Jinan's
    assert client.get("/dispatch/2026-02/board/open/?item=nonsense").status_code == 404


def test_a_city_closed_before_the_province_is_shown_not_counted_again(open_month):
    w = open_month
    period_close(user=w.users.city, period=w.p2, confirm="确认关账")
    c = close_checklist(period=w.p2, region=w.province)
    by = {r.code: r for r in c.rows}
    assert by["370100"].closed and by["370100"].open == 5 and not by["370200"].closed
    assert c.open == 1 and c.total.counts["missing"] == 1  # only 青岛市南
    assert c.as_json()["rows"][0]["closed"] is True
    with pytest.raises(CloseNotConfirmed):
        period_close(user=w.users.province, period=w.p2)


def test_the_list_behind_a_count_is_titled_in_the_page_language(open_month, client, compiled):  # noqa: F811
    client.force_login(open_month.users.city)
    url = "/dispatch/2026-02/board/open/?region=370103&item=missing"
    assert '<h1 class="h4 mb-0 me-auto">市中区2026年2月未报</h1>' in client.get(url).content.decode()
    _switch_to_english(client)
    html = client.get(url).content.decode()
    assert '<h1 class="h4 mb-0 me-auto">市中区 · Feb 2026 · Not reported</h1>' in html and "2026年2月" not in html
