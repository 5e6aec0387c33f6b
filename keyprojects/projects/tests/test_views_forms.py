"""Create / edit / transition through the pages: whitelists, Chinese errors at the field,
optimistic locking with the user's input kept (reliability.md 2, 13; architecture.md §5)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear
from keyprojects.projects.selectors import current_year

BASE = {"name": "新建测试项目", "category": "industry", "nature": "new", "total_investment": "5000", "plan_year": ""}


def card(project: Project, **overrides) -> dict:
    """The edit form's current values, as a browser would post them back."""
    data = {
        "name": project.name,
        "region": project.region_id,
        "category": project.category,
        "nature": project.nature,
        "total_investment": str(project.total_investment),
        "version": str(project.version),
        "owner": project.owner_id or "",
        "responsible_unit": project.responsible_unit_id or "",
        "sponsor_leader": project.sponsor_leader_id or "",
        "zone": project.zone_id or "",
    }
    data.update(overrides)
    return data


def field_error(html: str, name: str) -> str:
    m = re.search(rf'data-testid="error-{name}">([^<]+)<', html)
    return m.group(1) if m else ""


def test_county_creates_in_own_county_whatever_it_posts(world, client):
    client.force_login(world.users.county)
    y = current_year()
    r = client.post(
        "/projects/new/",
        {**BASE, "region": "370202", "stage": "construction", "annual_plan": "1200.5", "on_county_list": "on", "plan_year": y},
    )
    assert r.status_code == 302
    p = Project.objects.get(name="新建测试项目")
    assert r["Location"] == f"/projects/{p.pk}/"
    assert p.region_id == "370102" and p.stage == "reserve" and p.created_by == world.users.county
    plan = ProjectYear.objects.get(project=p)
    assert (plan.year, plan.annual_plan, plan.on_county_list, plan.on_city_list) == (y, Decimal("1200.5"), True, False)
    assert AuditEvent.objects.filter(action="create", object_id=str(p.pk)).exists()
    assert ProjectEvent.objects.filter(project=p, kind="created").count() == 1


def test_city_creates_in_a_county_of_its_own_only(world, client):
    client.force_login(world.users.city)
    r = client.post("/projects/new/", {**BASE, "region": "370202"})
    assert r.status_code == 200
    assert "选择一个有效的选项" in field_error(r.content.decode(), "region")
    assert not Project.objects.filter(name="新建测试项目").exists()
    r = client.post("/projects/new/", {**BASE, "region": "370103"})
    assert r.status_code == 302
    assert Project.objects.get(name="新建测试项目").region_id == "370103"


def test_department_creates_for_its_unit(world, client):
    client.force_login(world.users.department)
    r = client.post("/projects/new/", {**BASE, "region": "370202", "responsible_unit": world.other_dept.pk})
    assert r.status_code == 302
    p = Project.objects.get(name="新建测试项目")
    assert p.responsible_unit == world.dept and p.region_id == "370100"


def test_county_edit_ignores_region_and_stage(world, client):
    p = world.projects.own_county
    client.force_login(world.users.county)
    form_html = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert 'name="region"' not in form_html and 'name="stage"' not in form_html
    r = client.post(
        f"/projects/{p.pk}/edit/", card(p, name="历下区项目（更名）", region="370202", stage="effective", province_code="440000")
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.name == "历下区项目（更名）"
    assert (p.region_id, p.stage, p.province_code, p.version) == ("370102", "reserve", "370000", 2)


def test_enterprise_edits_only_its_fields(world, client):
    p = world.projects.own_county
    client.force_login(world.users.enterprise)
    html = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert 'name="location"' in html and 'name="name"' not in html and 'name="annual_plan"' not in html
    r = client.post(
        f"/projects/{p.pk}/edit/", {"location": "济南市历下区经十路1号", "name": "企业改名", "total_investment": "1", "version": p.version}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.location == "济南市历下区经十路1号" and p.name == "历下区项目" and p.total_investment == Decimal("10000")


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("project_code", "ABC-123", "项目代码格式应为"),
        ("project_code", "2403-999999-04-01-12345A", "不存在"),
        ("total_investment", "一千万", "输入一个数字"),
        ("total_investment", "-5", "总投资不能为负数"),
        ("total_investment", "1e30", "不超过 18 个数字"),
        ("planned_start", "2024-13-45", "有效的日期"),
        ("planned_start", "下个月", "有效的日期"),
        ("planned_completion", "2020-01-01", "计划竣工日期不能早于计划开工日期"),
        ("actual_completion", "2025-01-01", "尚未填写实际开工日期"),
        ("annual_plan", "-1", "年度计划投资不能为负数"),
        ("annual_plan", "abc", "输入一个数字"),
        ("latitude", "95", "纬度应在"),
        ("name", "", "必填项"),
    ],
)
def test_bad_input_gives_a_chinese_message_at_the_field(world, client, field, value, message):
    p = world.projects.own_county
    client.force_login(world.users.county)
    data = card(p, **{"planned_start": "2024-03-01", field: value})
    r = client.post(f"/projects/{p.pk}/edit/", data)
    assert r.status_code == 200
    assert message in field_error(r.content.decode(), field), r.content.decode()[-3000:]
    p.refresh_from_db()
    assert p.version == 1 and p.planned_start is None


def test_duplicate_project_code_is_a_field_error(world, client):
    code = "2403-370102-04-01-12345A"
    Project.objects.filter(pk=world.projects.sibling_county.pk).update(project_code=code)
    client.force_login(world.users.county)
    r = client.post("/projects/new/", {**BASE, "project_code": code.lower()})
    assert r.status_code == 200
    assert field_error(r.content.decode(), "project_code")


def test_concurrent_edit_keeps_the_second_users_input(world, client, django_user_model):
    from django.test import Client

    p = world.projects.own_county
    county, city = client, Client()
    county.force_login(world.users.county)
    city.force_login(world.users.city)
    v_county = re.search(r'name="version" value="(\d+)"', county.get(f"/projects/{p.pk}/edit/").content.decode()).group(1)
    v_city = re.search(r'name="version" value="(\d+)"', city.get(f"/projects/{p.pk}/edit/").content.decode()).group(1)
    assert v_county == v_city == "1"
    assert city.post(f"/projects/{p.pk}/edit/", card(p, total_investment="20000", version=v_city)).status_code == 302
    r = county.post(f"/projects/{p.pk}/edit/", card(p, total_investment="15000.5", contact_name="王联络", version=v_county))
    html = r.content.decode()
    assert r.status_code == 200
    assert "已被他人修改，请核对后重新保存" in html
    assert 'value="15000.5"' in html and 'value="王联络"' in html  # what the county user typed is kept
    assert "20,000.00" in re.search(r'data-testid="conflict".*?</div>', html, re.S).group(0)  # and what is saved now
    p.refresh_from_db()
    assert p.total_investment == Decimal("20000") and p.contact_name == "" and p.version == 2
    # the re-rendered form carries the new version: saving again after review succeeds
    v_new = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert v_new == "2"
    r = county.post(f"/projects/{p.pk}/edit/", card(p, total_investment="15000.5", contact_name="王联络", version=v_new))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.total_investment == Decimal("15000.5") and p.version == 3


def test_edit_updates_this_years_plan_and_history_shows_verbose_names(world, client, compiled):  # noqa: F811
    p = world.projects.own_county
    y = current_year()
    client.force_login(world.users.city)
    r = client.post(
        f"/projects/{p.pk}/edit/",
        card(p, total_investment="12000", region="370103", annual_plan="1500", on_province_list="on", plan_year=y),
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.region_id == "370103" and p.total_investment == Decimal("12000")
    plan = ProjectYear.objects.get(project=p, year=y)
    assert plan.annual_plan == Decimal("1500") and plan.on_province_list
    html = client.get(f"/projects/{p.pk}/").content.decode()
    history = re.search(r'data-testid="history".*?</table>', html, re.S).group(0)
    assert "总投资（万元）" in history and "10,000.00" in history and "12,000.00" in history
    assert "所属区域" in history and "历下区" in history and "市中区" in history
    # (the year's fields in the order the database keeps them: jsonb sorts its keys)
    assert f"{y}年度计划" in history and "年度计划投资（万元）：1,500.00" in history and "省级重点：是" in history
    assert ">修改<" in history
    _switch_to_english(client)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    history = re.search(r'data-testid="history".*?</table>', html, re.S).group(0)
    assert f"{y} annual plan" in history and "年度计划" not in history and "省级重点" not in history
    assert ">Edited<" in history and ">修改<" not in history  # the 操作 column in the page's language


def test_transitions_through_the_page(world, client):
    p = world.projects.own_county
    client.force_login(world.users.county)
    url = f"/projects/{p.pk}/transition/"
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'value="preparation"' in html and 'value="suspended"' in html and 'value="cancelled"' in html
    r = client.post(url, {"to_stage": "preparation", "version": 1}, follow=True)
    assert "已变更" in r.content.decode()
    p.refresh_from_db()
    assert p.stage == "preparation"
    r = client.post(url, {"to_stage": "effective", "version": p.version}, follow=True)
    assert "不能从“前期手续”直接变更为“达效”" in r.content.decode()
    r = client.post(url, {"to_stage": "suspended", "reason": "  ", "version": p.version}, follow=True)
    assert "停缓建和退库必须填写原因" in r.content.decode()
    r = client.post(url, {"to_stage": "suspended", "reason": "资金未到位", "version": 1}, follow=True)
    assert "已被他人修改" in r.content.decode()  # a stale page
    p.refresh_from_db()
    assert p.stage == "preparation"
    client.post(url, {"to_stage": "suspended", "reason": "资金未到位", "version": p.version})
    p.refresh_from_db()
    assert p.stage == "suspended"
    html = client.get(f"/projects/{p.pk}/").content.decode()
    timeline = re.search(r'data-testid="timeline".*?</ol>', html, re.S).group(0)
    assert "资金未到位" in timeline and world.users.county.username in timeline and "前期手续" in timeline
    assert 'value="resume"' in html
    client.post(url, {"to_stage": "resume", "version": p.version})
    p.refresh_from_db()
    assert p.stage == "preparation"


def test_read_only_leader_sees_no_actions_or_edit_link(world, client):
    p = world.projects.own_county
    client.force_login(world.users.leader)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'data-testid="stage-actions"' not in html and 'data-testid="edit-link"' not in html
    assert 'data-testid="project-card"' in html
    client.force_login(world.users.enterprise)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'data-testid="stage-actions"' not in html and 'data-testid="edit-link"' in html
    r = client.post(f"/projects/{p.pk}/transition/", {"to_stage": "preparation", "version": p.version}, follow=True)
    assert "没有执行该操作的权限" in r.content.decode()
    p.refresh_from_db()
    assert p.stage == "reserve"


def test_detail_shows_the_card(world, client):
    p = world.projects.own_county
    client.force_login(world.users.city)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    for text in [
        "项目全称",
        "建设地点",
        "项目性质",
        "项目级别",
        "所属行业",
        "项目挂点领导",
        "建设年限",
        "开竣工时间",
        "项目总投资",
        "责任单位",
        "责任人",
        "联络人",
        "电话",
        "项目业主单位",
        "比亚迪汽车（济南）有限公司",
        "张市长",
        "10,000.00",
    ]:
        assert text in html, text
    years = re.search(r'data-testid="years".*?</table>', html, re.S).group(0)
    assert "2026" in years and "市级" in years and "1,200.00" in years
