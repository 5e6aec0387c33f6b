"""The pages: list (search, filters, export), a lead and its steps through the forms, 404 outside
scope, the funnel, the leaders' counts, activities, and the project page showing its lead."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.attraction.models import Lead
from keyprojects.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_record_sign_and_land_through_the_pages(world, client):
    c = login(client, world.users.county)
    today = timezone.localdate()
    r = c.post(
        reverse("attraction:activity_create"),
        {"kind": "trip", "held_on": today.isoformat(), "days": "3", "destination": "广东深圳", "participants": "区委书记、区投促局长",
         "result": "对接企业5家"},
    )  # fmt: skip
    assert r.status_code == 302 and "?activity=" in r["Location"]
    activity = r["Location"].split("=")[-1]
    r = c.post(
        reverse("attraction:create"),
        {"name": "储能电池项目", "investor_name": "深圳储能科技有限公司", "investor_origin": "out_province", "source": "leader_trip",
         "source_activity": activity, "intended_amount": "80000", "obtained_on": today.isoformat()},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    lead = Lead.objects.get(name="储能电池项目")
    assert c.get(reverse("attraction:detail", args=[lead.pk])).status_code == 200
    r = c.post(reverse("attraction:step", args=[lead.pk, "advance"]), {"version": lead.version})
    assert r.status_code == 302
    lead.refresh_from_db()
    r = c.post(
        reverse("attraction:step", args=[lead.pk, "sign"]),
        {"version": lead.version, "enterprise": world.ent.pk, "signed_on": today.isoformat(), "amount": "75000", "title": "",
         "c-TOTAL_FORMS": "3", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0", "c-MAX_NUM_FORMS": "10",
         "c-0-party": "enterprise", "c-0-kind": "investment", "c-0-description": "两年内投资7.5亿元", "c-0-target_value": "75000",
         "c-0-due_on": (today + dt.timedelta(days=700)).isoformat()},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    lead.refresh_from_db()
    assert lead.agreement.commitments.count() == 1
    r = c.post(reverse("attraction:funds", args=[lead.pk]), {"arrived_on": today.isoformat(), "arrived_amount": "5000"})
    assert r.status_code == 302
    r = c.post(reverse("attraction:step", args=[lead.pk, "land"]), {"version": lead.version, "annual_plan": "20000"})
    assert r.status_code == 302, r.content.decode()[:3000]
    lead.refresh_from_db()
    page = c.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert "lead-project" in page and "lead-agreement" in page and "5,000.00" in page
    project_page = c.get(reverse("projects:detail", args=[lead.project_id])).content.decode()
    assert 'data-testid="project-lead"' in project_page and "储能电池项目" in project_page
    leaders = c.get(reverse("attraction:leaders")).content.decode()
    assert "leader-counts" in leaders


def test_a_stale_step_shows_the_conflict(world, client, lead_of):
    lead = lead_of()
    c = login(client, world.users.county)
    r = c.post(reverse("attraction:step", args=[lead.pk, "advance"]), {"version": lead.version + 5})
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()


def test_peer_county_gets_404_and_enterprise_403(world, client, lead_of):
    lead = lead_of()
    assert login(client, world.users.sibling).get(reverse("attraction:detail", args=[lead.pk])).status_code == 404
    client.logout()
    assert login(client, world.users.enterprise).get(reverse("attraction:list")).status_code == 403
    client.logout()
    c = login(client, world.users.leader)
    assert c.get(reverse("attraction:detail", args=[lead.pk])).status_code == 200
    assert c.get(reverse("attraction:create")).status_code == 403


def test_list_search_funnel_and_export(world, client, lead_of):
    lead_of(name="氢能装备项目")
    lead_of(name="生物医药项目", source="expo")
    c = login(client, world.users.city)
    page = c.get(reverse("attraction:list"), {"q": "氢能"}).content.decode()
    assert "氢能装备项目" in page and "生物医药项目" not in page
    assert c.get(reverse("attraction:list"), {"stage": "bogus"}).status_code == 200
    for by in ("region", "leader", "chain", "source", "period"):
        assert c.get(reverse("attraction:funnel"), {"by": by}).status_code == 200
    r = c.get(reverse("attraction:export"), {"source": "expo"})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["招商项目推进表"]
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert names == ["生物医药项目"]
    assert c.get(reverse("attraction:activities")).status_code == 200


def test_funnel_filters_read_naturally(world, client, lead_of):
    """The tour found "未知", "---------" and a source path on the funnel page: every filter
    starts at 全部…, the stalled one reads 全部 / 仅停滞 / 未停滞, and no file path is shown."""
    import re

    old = lead_of(name="停滞的项目")
    Lead.objects.filter(pk=old.pk).update(stage_entered_on=timezone.localdate() - dt.timedelta(days=400))
    lead_of(name="新线索项目")
    c = login(client, world.users.city)
    page = c.get(reverse("attraction:funnel")).content.decode()
    form = page.split('role="search"', 1)[1].split("</form>", 1)[0]
    firsts = re.findall(r'<select name="(\w+)"[^>]*>\s*<option value="([^"]*)"[^>]*>([^<]*)</option>', form)
    assert firsts == [
        ("stage", "", "全部阶段"),
        ("source", "", "全部来源"),
        ("chain", "", "全部产业链"),
        ("stalled", "", "全部"),
        ("funds", "", "全部"),
    ]
    assert re.findall(r'<option value="(true|false)"[^>]*>([^<]*)<', form) == [("true", "仅停滞"), ("false", "未停滞")]
    assert "未知" not in form and "-----" not in page and ".py" not in page
    stalled = c.get(reverse("attraction:list"), {"stalled": "true"}).content.decode()
    assert "停滞的项目" in stalled and "新线索项目" not in stalled
    fresh = c.get(reverse("attraction:list"), {"stalled": "false"}).content.decode()
    assert "新线索项目" in fresh and "停滞的项目" not in fresh
    both = c.get(reverse("attraction:list"), {"stalled": ""}).content.decode()
    assert "新线索项目" in both and "停滞的项目" in both


def test_activities_search_and_export(world, client):
    from keyprojects.attraction.services import activity_create

    today = timezone.localdate()
    for dest in ("广东深圳", "上海"):
        activity_create(user=world.users.county, data={"kind": "trip", "held_on": today, "destination": dest, "participants": "区长"})
    c = login(client, world.users.city)
    page = c.get(reverse("attraction:activities"), {"q": "深圳"}).content.decode()
    assert "广东深圳" in page and "上海" not in page
    r = c.get(reverse("attraction:activity_export"), {"kind": "trip"})
    ws = load_workbook(io.BytesIO(r.content))["招商活动"]
    assert sorted(row[4] for row in ws.iter_rows(min_row=4, values_only=True)) == ["上海", "广东深圳"]
    assert login(client, world.users.sibling).get(reverse("attraction:activities")).content.decode().count("广东深圳") == 0


def test_edit_and_steps_without_the_version_are_refused(world, client, lead_of):
    lead = lead_of()
    c = login(client, world.users.county)
    page = c.get(reverse("attraction:edit", args=[lead.pk])).content.decode()
    assert f'name="version" value="{lead.version}"' in page
    r = c.post(reverse("attraction:edit", args=[lead.pk]), {"name": "改名后的线索"})
    assert r.status_code == 200 and "缺少版本号，请刷新页面后重试" in r.content.decode()
    r = c.post(reverse("attraction:step", args=[lead.pk, "advance"]), {})
    assert "缺少版本号，请刷新页面后重试" in r.content.decode()
    fresh = Lead.objects.get(pk=lead.pk)
    assert fresh.version == lead.version and fresh.name == lead.name and fresh.stage == lead.stage


def test_a_department_pushes_its_lead_but_is_not_offered_the_signing(world, client, lead_of):
    """签约 records the 政企合作协议, which region staff record: the department responsible for
    the lead sees why instead of a form it cannot send, and the service says so too."""
    from keyprojects.attraction.services import SIGN_NOT_YOURS, lead_advance, lead_sign
    from keyprojects.core.errors import PermissionDenied

    lead = lead_of(unit=world.dept)
    lead = lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    assert lead.stage == "negotiation"
    html = login(client, world.users.department).get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="sign-not-yours"' in html and 'data-testid="sign-form"' not in html
    assert 'data-testid="drop"' in html  # what it may do is still there
    with pytest.raises(PermissionDenied) as refused:
        lead_sign(
            user=world.users.department, lead=lead, expected_version=lead.version, enterprise=world.ent,
            signed_on=timezone.localdate(), amount=1000,
        )  # fmt: skip
    assert refused.value.message == SIGN_NOT_YOURS
    html = login(client, world.users.county).get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="sign-form"' in html and 'data-testid="sign-not-yours"' not in html


def _signable(client, world, lead_of):
    from keyprojects.attraction.services import lead_advance

    lead = lead_of()
    lead = lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    return login(client, world.users.county), lead


def _sign_data(lead, today, **commitment):
    return {
        "version": lead.version, "enterprise": "", "signed_on": today.isoformat(), "amount": "48000", "title": "",
        "c-TOTAL_FORMS": "3", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0", "c-MAX_NUM_FORMS": "10",
        "c-0-party": "", "c-0-kind": "", "c-0-description": "", "c-0-target_value": "", "c-0-measure": "", "c-0-due_on": "",
        "c-1-party": "enterprise", "c-1-kind": "investment", "c-1-description": "三年内完成投资", "c-1-target_value": "48000",
        "c-1-measure": "万元", **{f"c-1-{k}": v for k, v in commitment.items()},
    }  # fmt: skip


def test_a_commitment_due_before_the_signing_is_refused_under_its_row(world, client, lead_of):
    """A promise cannot fall due before the agreement is signed: the second (filled) row's 履约期限
    says so under the field, the first (empty) row stays clean, and nothing is signed."""
    c, lead = _signable(client, world, lead_of)
    today = timezone.localdate()
    data = _sign_data(lead, today, due_on=(today - dt.timedelta(days=300)).isoformat()) | {"enterprise": world.ent.pk}
    r = c.post(reverse("attraction:step", args=[lead.pk, "sign"]), data)
    html = r.content.decode()
    assert r.status_code == 400 and html.count("履约期限不能早于协议签订日期") == 1
    assert html.index("履约期限不能早于协议签订日期") > html.index('name="c-1-due_on"') > html.index('name="c-0-due_on"')
    lead.refresh_from_db()
    assert lead.stage == "negotiation" and lead.agreement_id is None
    data["c-1-due_on"] = (today + dt.timedelta(days=1095)).isoformat()
    assert c.post(reverse("attraction:step", args=[lead.pk, "sign"]), data).status_code == 302


def test_landing_refuses_a_year_plan_above_the_whole_project(world, client, lead_of):
    """当年计划投资 900,000 万元 for a project of 48,000 万元 is a unit slip: refused, nothing landed."""
    c, lead = _signable(client, world, lead_of)
    today = timezone.localdate()
    data = _sign_data(lead, today, due_on=(today + dt.timedelta(days=1095)).isoformat()) | {"enterprise": world.ent.pk}
    assert c.post(reverse("attraction:step", args=[lead.pk, "sign"]), data).status_code == 302
    lead.refresh_from_db()
    r = c.post(reverse("attraction:step", args=[lead.pk, "land"]), {"version": lead.version, "annual_plan": "900000"})
    assert r.status_code == 400 and "当年计划投资不能超过项目总投资（48,000.00万元）" in r.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "signed" and lead.project_id is None
    r = c.post(reverse("attraction:step", args=[lead.pk, "land"]), {"version": lead.version, "annual_plan": "20000"})
    assert r.status_code == 302


def test_a_linked_project_not_due_to_report_is_not_called_behind_schedule(world, client, lead_of):
    """The lead page placed a 谋划储备 project (not due to report, no report) against 序时进度
    ("落后序时进度…个百分点") where the fill page says 不需报送月报，不比较序时进度
    (``dispatch.rules.compared_with_schedule``); a project under construction is still compared."""
    from keyprojects.analytics.models import ProjectPeriodFact
    from keyprojects.analytics.services import facts_refresh
    from keyprojects.dispatch.services import period_get_or_open
    from keyprojects.projects.models import Project

    project = world.projects.own_county
    assert project.stage == "reserve"
    lead = lead_of()
    Lead.objects.filter(pk=lead.pk).update(project=project)
    period = period_get_or_open(year=2026, month=6)
    facts_refresh(period=period)
    assert ProjectPeriodFact.objects.filter(project=project, period=period, report_state="").exists()
    client.force_login(world.users.county)
    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert "不需报送月报，不比较序时进度" in page and "落后序时进度" not in page

    Project.objects.filter(pk=project.pk).update(stage="construction")
    facts_refresh(period=period)
    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert "不需报送月报，不比较序时进度" not in page and "序时进度" in page


@pytest.mark.parametrize("year", ["99999", "2026.5", "-1", "abc"])
def test_a_year_out_of_range_is_not_a_server_error(world, client, lead_of, year):
    """The list, its export and the funnel with ?year= out of range or not a whole number: the
    filter is not applied (the form says why), never a 500."""
    lead_of()
    c = login(client, world.users.county)
    for name in ("attraction:list", "attraction:funnel", "attraction:export"):
        assert c.get(reverse(name), {"year": year}).status_code == 200, name
    assert c.get(reverse("attraction:list"), {"year": str(timezone.localdate().year)}).status_code == 200
