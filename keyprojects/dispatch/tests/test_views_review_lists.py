"""Warnings and problem items pages (scope, filters, pagination, export, status flow), the
project page's own warnings and reports, and the dispatch settings in the admin."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
from keyprojects.dispatch.services_problems import problem_create

from .test_views_review import approved, messages_of, submitted

KEYS = ("own_county", "sibling_county", "city_level", "other_city")


@pytest.fixture
def warned(dw):
    """Every project gets a 未报 warning in January and a 落后序时进度 one in February."""
    for key in KEYS:
        p = getattr(dw.projects, key)
        ProjectWarning.objects.create(project=p, period=dw.p1, kind=WarningKind.MISSING_REPORT, message=f"{p.name}一月未报")
        ProjectWarning.objects.create(
            project=p, period=dw.p2, kind=WarningKind.BEHIND_SCHEDULE, message=f"{p.name}落后序时进度", value=D("-12")
        )
    return dw


def warning_projects(resp):
    return {(w.project.name, w.period.month, w.kind) for w in resp.context["warnings"]}


SCOPE = {
    "province": set(KEYS),
    "city": {"own_county", "sibling_county", "city_level"},
    "leader": {"own_county", "sibling_county", "city_level"},
    "county": {"own_county"},
    "department": {"own_county"},
    "enterprise": {"own_county"},
    "other_city": {"other_city"},
    "auditor": set(),
}


def test_the_warnings_list_opens_on_the_latest_warned_month(warned, client):
    """Without a 调度期 the list shows the newest month that has warnings (a lagging project is
    warned every month); 全部调度期 (period=all) lists every month; the month stays in the pager's,
    the export's and the htmx links."""
    client.force_login(warned.users.province)
    resp = client.get("/dispatch/warnings/")
    assert resp.status_code == 200
    assert {m for _, m, _ in warning_projects(resp)} == {2} and resp.context["page_obj"].paginator.count == len(KEYS)
    assert resp.context["form"]["period"].value() == "2026-02"
    assert 'value="2026-02" selected' in resp.content.decode() and 'value="all"' in resp.content.decode()
    assert "period=2026-02" in resp.context["export_url"]
    assert {k: n for k, _, n in resp.context["kinds"]} == {"behind_schedule": len(KEYS)}
    every = client.get("/dispatch/warnings/?period=all")
    assert {m for _, m, _ in warning_projects(every)} == {1, 2} and every.context["page_obj"].paginator.count == 2 * len(KEYS)
    part = client.get("/dispatch/warnings/?kind=missing_report", headers={"HX-Request": "true"})
    assert part["HX-Push-Url"] == "/dispatch/warnings/?kind=missing_report&period=2026-02"
    export = load_workbook(io.BytesIO(client.get("/dispatch/warnings/export.xlsx").content)).active
    rows = [[c.value for c in r] for r in export.iter_rows(min_row=3)]
    assert len(rows) == len(KEYS) and {r[5] for r in rows} == {"落后序时进度"}  # February's alone


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_warnings_page_follows_scope(warned, client, role):
    client.force_login(getattr(warned.users, role))
    resp = client.get("/dispatch/warnings/?period=all")
    if role in ("auditor", "sysadmin", "secadmin"):  # an administrator opens no business page (三权分立)
        assert resp.status_code == 403 and not SCOPE[role]
        return
    assert resp.status_code == 200
    names = {getattr(warned.projects, k).name for k in SCOPE[role]}
    assert {n for n, _, _ in warning_projects(resp)} == names
    assert resp.context["page_obj"].paginator.count == 2 * len(names)


def test_warnings_filters_latest_first_and_htmx(warned, client):
    client.force_login(warned.users.city)
    resp = client.get("/dispatch/warnings/?period=all")
    months = [w.period.month for w in resp.context["warnings"]]
    assert months == sorted(months, reverse=True)  # latest period first
    assert {m for _, m, _ in warning_projects(client.get("/dispatch/warnings/?period=2026-01"))} == {1}
    assert {k for _, _, k in warning_projects(client.get("/dispatch/warnings/?period=all&kind=behind_schedule"))} == {"behind_schedule"}
    only = client.get("/dispatch/warnings/?region=370103&period=2026-02&kind=")
    assert warning_projects(only) == {("市中区项目", 2, "behind_schedule")}
    # the whole city through its own code
    assert len(client.get("/dispatch/warnings/?period=all&region=370100").context["warnings"]) == 6
    # a region outside the user's scope is an invalid choice: shown, and it filters nothing
    bad = client.get("/dispatch/warnings/?period=all&region=370202")
    assert "region" in bad.context["filter_errors"] and len(bad.context["warnings"]) == 6
    part = client.get("/dispatch/warnings/?period=all&kind=missing_report", headers={"HX-Request": "true"})
    assert b"<html" not in part.content and part["HX-Push-Url"] == "/dispatch/warnings/?period=all&kind=missing_report"


def test_warnings_text_search_over_project_name_and_code(warned, client):
    """``q`` finds a project's warnings by a part of its name or its project code, and the export
    follows the same filter."""
    from keyprojects.projects.models import Project

    Project.objects.filter(pk=warned.projects.sibling_county.pk).update(project_code="2026-370103-44-01-000777")
    client.force_login(warned.users.city)
    resp = client.get("/dispatch/warnings/?period=all")
    assert 'name="q"' in resp.content.decode() and resp.context["form"].fields["q"].label == "关键字"
    by_name = client.get("/dispatch/warnings/?period=all", {"q": "历下"})
    assert {n for n, _, _ in warning_projects(by_name)} == {"历下区项目"}
    by_code = client.get("/dispatch/warnings/?period=all", {"q": "000777", "kind": "behind_schedule"})
    assert warning_projects(by_code) == {("市中区项目", 2, "behind_schedule")}
    assert client.get("/dispatch/warnings/?period=all", {"q": "没有这个项目"}).context["page_obj"].paginator.count == 0
    ws = load_workbook(io.BytesIO(client.get("/dispatch/warnings/export.xlsx?period=all", {"q": "000777"}).content)).active
    assert {r[2].value for r in ws.iter_rows(min_row=3)} == {"市中区项目"}


def test_warnings_pagination_and_export(warned, client):
    for key in KEYS:
        p = getattr(warned.projects, key)
        for period in (warned.p1, warned.p2, warned.p3):
            for kind in (WarningKind.ZERO_INVESTMENT, WarningKind.LATE_REPORT, WarningKind.LOW_PROGRESS_INDEX, WarningKind.FLAGGED_FIGURES):
                ProjectWarning.objects.create(project=p, period=period, kind=kind, message="x")
    client.force_login(warned.users.province)
    resp = client.get("/dispatch/warnings/?period=all")
    assert resp.context["page_obj"].paginator.count == 8 + 48 and len(resp.context["warnings"]) == 50
    assert len(client.get("/dispatch/warnings/?period=all&page=2").context["warnings"]) == 6
    resp = client.get("/dispatch/warnings/export.xlsx?period=all&kind=behind_schedule")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert len(rows) == 4 and {r[5] for r in rows} == {"落后序时进度"} and {r[7] for r in rows} == {-12}
    assert AuditEvent.objects.filter(action="export", object_type="dispatch.projectwarning", changes__rows=4).exists()
    client.force_login(warned.users.county)
    ws = load_workbook(io.BytesIO(client.get("/dispatch/warnings/export.xlsx?period=all").content)).active
    assert {r[2].value for r in ws.iter_rows(min_row=3)} == {"历下区项目"}


def test_project_page_shows_its_own_warnings_and_reports(warned, client):
    p = warned.projects.own_county
    jan = approved(warned, p, warned.p1, "100")
    feb = submitted(warned, p, warned.p2, "50")
    # the approval refreshed the project's real warnings; put back the fixture's two
    ProjectWarning.objects.filter(project=p).delete()
    ProjectWarning.objects.create(project=p, period=warned.p1, kind=WarningKind.MISSING_REPORT, message=f"{p.name}一月未报")
    ProjectWarning.objects.create(
        project=p, period=warned.p2, kind=WarningKind.BEHIND_SCHEDULE, message=f"{p.name}落后序时进度", value=D(-12)
    )
    client.force_login(warned.users.county)
    resp = client.get(f"/projects/{p.pk}/")
    assert [(w.period.month, w.kind) for w in resp.context["dispatch_warnings"]] == [(2, "behind_schedule"), (1, "missing_report")]
    assert [r.pk for r in resp.context["dispatch_reports"]] == [feb.pk, jan.pk]
    html = resp.content.decode()
    assert "历下区项目落后序时进度" in html and "市中区项目" not in html
    assert f'href="/dispatch/reports/{jan.pk}/"' in html and "150.00" in html and "已审定" in html
    # another project's page shows that project's warnings only
    client.force_login(warned.users.city)
    html = client.get(f"/projects/{warned.projects.sibling_county.pk}/").content.decode()
    assert "市中区项目一月未报" in html and "历下区项目" not in html


# --- problems -------------------------------------------------------------------------------


@pytest.fixture
def problems(dw):
    today = timezone.localdate()
    dw.late = problem_create(
        user=dw.users.county,
        project=dw.projects.own_county,
        description="用地指标未落实",
        responsible_unit=dw.dept,
        due_date=today - dt.timedelta(days=3),
    )
    dw.soon = problem_create(
        user=dw.users.sibling, project=dw.projects.sibling_county, description="电力接入", due_date=today + dt.timedelta(days=10)
    )
    dw.far = problem_create(user=dw.users.other_city, project=dw.projects.other_city, description="海域使用审批")
    return dw


def problem_ids(resp):
    return {p.pk for p in resp.context["problems"]}


def test_problems_scope_and_overdue(problems, client):
    d = problems
    expected = {
        "city": {d.late.pk, d.soon.pk},
        "county": {d.late.pk},
        "department": {d.late.pk},  # its unit is responsible
        "other_city": {d.far.pk},
        "province": {d.late.pk, d.soon.pk, d.far.pk},
        "leader": {d.late.pk, d.soon.pk},
        "enterprise": {d.late.pk},
    }
    for role, ids in expected.items():
        client.force_login(getattr(d.users, role))
        assert problem_ids(client.get("/dispatch/problems/")) == ids, role
    client.force_login(d.users.city)
    resp = client.get("/dispatch/problems/")
    html = resp.content.decode()
    assert html.count('data-testid="overdue"') == 1 and 'class="kp-overdue"' in html
    assert problem_ids(client.get("/dispatch/problems/?overdue=on")) == {d.late.pk}
    assert problem_ids(client.get("/dispatch/problems/?q=电力")) == {d.soon.pk}


def test_problem_status_flow(problems, client):
    d = problems
    client.force_login(d.users.county)
    url = f"/dispatch/problems/{d.late.pk}/status/"
    resp = client.post(url, {"status": "in_progress", "version": d.late.version, "back": "status=all"})
    assert resp.status_code == 302 and resp.url == "/dispatch/problems/?status=all"
    d.late.refresh_from_db()
    assert d.late.status == "in_progress"

    # 已解决 needs a resolution: the form comes back open with the choice kept
    resp = client.post(url, {"status": "solved", "resolution": " ", "version": d.late.version})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "标记已解决须填写办理结果" in html and '<option value="solved" selected>' in html
    d.late.refresh_from_db()
    assert d.late.status == "in_progress"

    # a stale version is a conflict, nothing is written
    resp = client.post(url, {"status": "solved", "resolution": "已协调", "version": d.late.version - 1})
    assert "已被他人修改" in messages_of(resp)[0]
    assert "已协调" in resp.content.decode()

    resp = client.post(url, {"status": "solved", "resolution": "已协调解决用地指标", "version": d.late.version}, follow=True)
    assert "已解决" in messages_of(resp)[0]
    d.late.refresh_from_db()
    assert d.late.status == "solved" and d.late.solved_at and d.late.resolution == "已协调解决用地指标"
    assert AuditEvent.objects.filter(action="update", object_type="dispatch.problemitem", object_id=str(d.late.pk)).count() == 2
    # solved items leave the default list, stay under "solved", and are no longer overdue
    assert d.late.pk not in problem_ids(client.get("/dispatch/problems/"))
    solved = client.get("/dispatch/problems/?status=solved")
    assert problem_ids(solved) == {d.late.pk} and 'data-testid="overdue"' not in solved.content.decode()


def test_a_conflicting_status_change_keeps_the_input_and_saves_when_sent_again(problems, client):
    """Two windows: the first marks the problem solved; the second's change meets a conflict. Its
    page shows the problem (though the unsolved list no longer takes it in), with what was typed
    and the current version, so that saving again after checking goes through (it conflicted for
    ever: the form sent the stale version back)."""
    d = problems
    client.force_login(d.users.county)
    url = f"/dispatch/problems/{d.late.pk}/status/"
    stale = d.late.version
    client.post(url, {"status": "solved", "resolution": "已协调解决", "version": stale}, follow=True)
    resp = client.post(url, {"status": "in_progress", "resolution": "正在协调用地", "version": stale})
    assert "已被他人修改" in messages_of(resp)[0]
    assert d.late.pk in problem_ids(resp)  # on the unsolved list's page although solved
    form = next(p.form for p in resp.context["problems"] if p.pk == d.late.pk)
    assert form["resolution"].value() == "正在协调用地" and form["version"].value() == str(d.late.version + 1)
    resp = client.post(url, {"status": "in_progress", "resolution": "正在协调用地", "version": form["version"].value()})
    assert resp.status_code == 302
    d.late.refresh_from_db()
    assert (d.late.status, d.late.resolution) == ("in_progress", "正在协调用地")


def test_problem_status_scope_and_read_only(problems, client):
    d = problems
    url = f"/dispatch/problems/{d.late.pk}/status/"
    for role in ("sibling", "other_city", "leader", "auditor"):
        client.force_login(getattr(d.users, role))
        expected = 403 if role == "auditor" else 404  # an administrator opens no business page
        assert client.post(url, {"status": "solved", "resolution": "x", "version": d.late.version}).status_code == expected, role
    client.force_login(d.users.leader)
    html = client.get("/dispatch/problems/").content.decode()
    assert "更新状态" not in html and "用地指标未落实" in html
    client.force_login(d.users.department)
    client.post(url, {"status": "in_progress", "version": d.late.version})
    d.late.refresh_from_db()
    assert d.late.status == "in_progress"


def test_problems_export(problems, client):
    client.force_login(problems.users.city)
    resp = client.get("/dispatch/problems/export.xlsx?status=all")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = {r[3].value: r for r in ws.iter_rows(min_row=3)}
    assert set(rows) == {"用地指标未落实", "电力接入"}
    assert rows["用地指标未落实"][7].value == "是" and rows["用地指标未落实"][4].value == "济南市发展和改革委员会"
    assert AuditEvent.objects.filter(action="export", object_type="dispatch.problemitem").exists()


# --- dispatch settings in the admin -----------------------------------------------------------


def admin_post_data(config: DispatchConfig, **changes):
    import json

    data = {
        "fill_start_day": config.fill_start_day,
        "fill_end_day": config.fill_end_day,
        "behind_points": config.behind_points,
        "progress_index_floor": config.progress_index_floor,
        "zero_months": config.zero_months,
        "slip_factor": config.slip_factor,
        "review_chain": json.dumps(config.review_chain),
        "plan_spread": json.dumps(config.plan_spread),
        "loaded_version": config.version,
    }
    data.update(changes)
    return data


def test_province_staff_change_dispatch_settings_audited(dw, client):
    """Business configuration belongs to province business staff (/config/, issue 11)."""
    config = DispatchConfig.get()
    client.force_login(dw.users.province)
    url = f"/config/dispatch/dispatchconfig/{config.pk}/change/"
    assert client.get("/config/dispatch/dispatchconfig/").status_code == 200
    resp = client.post(url, admin_post_data(config, behind_points="15", fill_end_day="8"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    config.refresh_from_db()
    assert config.behind_points == D(15) and config.fill_end_day == 8 and config.version == 2
    ev = AuditEvent.objects.get(action="config")
    assert ev.changes == {"behind_points": ["10.00", "15"], "fill_end_day": [5, 8]}
    # a stale page does not overwrite, and bad JSON is a field error
    resp = client.post(url, admin_post_data(config, behind_points="20", loaded_version=1), follow=True)
    assert "已被他人修改" in resp.content.decode()
    resp = client.post(url, admin_post_data(config, review_chain='{"city": ["mayor"]}'))
    assert resp.status_code == 200 and "审核链" in resp.content.decode()
    resp = client.post(url, admin_post_data(config, plan_spread="[1, 2]"))
    assert resp.status_code == 200 and "分月权重" in resp.content.decode()
    config.refresh_from_db()
    assert config.behind_points == D(15)


def test_administrators_and_other_staff_cannot_change_dispatch_settings(dw, client):
    config = DispatchConfig.get()
    for who in ("sysadmin", "secadmin", "city"):
        user = getattr(dw.users, who)
        user.is_staff = True
        user.save()
        client.force_login(user)
        for prefix in ("/config/", "/admin/"):
            url = f"{prefix}dispatch/dispatchconfig/{config.pk}/change/"
            assert client.get(url).status_code == 403
            assert client.post(url, admin_post_data(config, behind_points="1")).status_code == 403
    config.refresh_from_db()
    assert config.behind_points == D(10) and not AuditEvent.objects.filter(action="config").exists()
