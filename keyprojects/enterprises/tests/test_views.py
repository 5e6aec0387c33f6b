"""Enterprise pages × roles: list/search/export, detail with only the visible projects, create/edit."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import EnterpriseFactory, ProjectFactory, uscc_for
from keyprojects.enterprises.models import Enterprise

BYD, QD = "比亚迪汽车（济南）有限公司", "青岛港湾建设有限公司"


def listed(html: str) -> set[str]:
    return set(re.findall(r'<tr data-testid="enterprise-row">\s*<td><a href="/enterprises/\d+/">([^<]+)</a>', html))


@pytest.mark.parametrize(
    "role,expected",
    [
        ("province", {BYD, QD}),
        ("city", {BYD}),
        ("county", {BYD}),
        ("sibling", set()),
        ("other_city", {QD}),
        ("department", {BYD}),
        ("enterprise", {BYD}),
        ("other_enterprise", {QD}),
        ("leader", {BYD}),
    ],
)
def test_list_and_detail_follow_scope(world, client, role, expected):
    client.force_login(getattr(world.users, role))
    assert listed(client.get("/enterprises/").content.decode()) == expected
    for ent in (world.ent, world.other_ent):
        assert client.get(f"/enterprises/{ent.pk}/").status_code == (200 if ent.name in expected else 404)


def test_search_by_name_and_uscc(world, client):
    EnterpriseFactory(name="济南钢铁集团有限公司", region_id="370102")
    client.force_login(world.users.province)
    assert listed(client.get("/enterprises/?q=钢铁").content.decode()) == {"济南钢铁集团有限公司"}
    assert listed(client.get(f"/enterprises/?q={world.other_ent.uscc[:12].lower()}").content.decode()) == {QD}


def test_pagination_keeps_the_search(world, client):
    for i in range(27):
        EnterpriseFactory(name=f"历下区商贸企业{i:02d}", region_id="370102")
    client.force_login(world.users.county)
    html = client.get("/enterprises/?q=商贸").content.decode()
    assert len(listed(html)) == 25
    assert "?q=%E5%95%86%E8%B4%B8&amp;page=2" in html


def test_detail_lists_only_projects_the_user_may_see(world, client):
    ProjectFactory(name="比亚迪市中区配套项目", region_id="370103", owner=world.ent)
    client.force_login(world.users.county)
    html = client.get(f"/enterprises/{world.ent.pk}/").content.decode()
    table = re.search(r'data-testid="enterprise-projects".*?</table>', html, re.S).group(0)
    assert "历下区项目" in table and "比亚迪市中区配套项目" not in table
    client.force_login(world.users.city)
    table = re.search(r'data-testid="enterprise-projects".*?</table>', client.get(f"/enterprises/{world.ent.pk}/").content.decode(), re.S)
    assert "比亚迪市中区配套项目" in table.group(0)


def test_export(world, client):
    EnterpriseFactory(name="=cmd|' /C calc'!A0", region_id="370102")
    client.force_login(world.users.city)
    r = client.get("/enterprises/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    assert "企业名录" in ws["A1"].value
    assert [c.value for c in ws[2]][:3] == ["序号", "企业名称", "统一社会信用代码"]
    names = {row[1] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert names == {BYD, "'=cmd|' /C calc'!A0"}
    assert AuditEvent.objects.filter(action="export", object_type="enterprises.enterprise").count() == 1


@pytest.mark.parametrize(
    "uscc,message",
    [
        ("91370102MA3C", "应为18位"),
        ("91370102MA3CXXXXXI", "不允许的字符"),
        ("91110000600037341X", "校验位错误"),
    ],
)
def test_create_with_bad_uscc_shows_message_at_field(world, client, uscc, message):
    client.force_login(world.users.city)
    r = client.post("/enterprises/new/", {"name": "新企业", "uscc": uscc, "region": "370102"})
    assert r.status_code == 200
    assert message in re.search(r'data-testid="error-uscc">([^<]+)<', r.content.decode()).group(1)
    assert not Enterprise.objects.filter(name="新企业").exists()


def test_create_duplicate_uscc_and_success(world, client):
    client.force_login(world.users.county)
    r = client.post("/enterprises/new/", {"name": "重复企业", "uscc": world.ent.uscc, "region": "370202"})
    assert "error-uscc" in r.content.decode()
    good = uscc_for("370102", 987654)
    r = client.post(
        "/enterprises/new/",
        {"name": "新企业", "uscc": good.lower(), "region": "370202", "industry_section": "C", "industry_division": "36"},
    )
    assert r.status_code == 302
    ent = Enterprise.objects.get(name="新企业")
    assert ent.uscc == good and ent.region_id == "370102"  # a county user registers in its own county


def test_create_forbidden_for_enterprise_and_department(world, client):
    for role in ("enterprise", "department", "leader"):
        client.force_login(getattr(world.users, role))
        assert client.get("/enterprises/new/").status_code == 403


def test_enterprise_user_edits_only_its_own_fields(world, client):
    client.force_login(world.users.enterprise)
    html = client.get(f"/enterprises/{world.ent.pk}/edit/").content.decode()
    assert 'name="address"' in html and 'name="uscc"' not in html and 'name="name"' not in html
    r = client.post(f"/enterprises/{world.ent.pk}/edit/", {"address": "济南市历下区", "name": "改名", "uscc": "X", "version": 1})
    assert r.status_code == 302
    world.ent.refresh_from_db()
    assert world.ent.address == "济南市历下区" and world.ent.name == BYD
    assert client.get(f"/enterprises/{world.other_ent.pk}/edit/").status_code == 404


def test_edit_conflict_keeps_input(world, client):
    ent = world.ent
    client.force_login(world.users.city)
    data = {"name": ent.name, "uscc": ent.uscc, "region": ent.region_id, "legal_representative": "张三", "version": 1}
    assert client.post(f"/enterprises/{ent.pk}/edit/", data).status_code == 302
    r = client.post(f"/enterprises/{ent.pk}/edit/", {**data, "legal_representative": "李四"})
    html = r.content.decode()
    assert "已被他人修改，请核对后重新保存" in html and 'value="李四"' in html
    ent.refresh_from_db()
    assert ent.legal_representative == "张三"


def test_edit_scope(world, client):
    client.force_login(world.users.sibling)
    assert client.get(f"/enterprises/{world.ent.pk}/edit/").status_code == 404
    client.force_login(world.users.leader)
    assert client.get(f"/enterprises/{world.ent.pk}/edit/").status_code == 404
    assert 'data-testid="edit-link"' not in client.get(f"/enterprises/{world.ent.pk}/").content.decode()
