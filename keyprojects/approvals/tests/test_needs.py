"""四张清单: recording needs, the owner unit working its own, validation, scope and the export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from keyprojects.approvals.models import FactorNeed
from keyprojects.approvals.services_needs import factor_need_create, factor_need_update
from keyprojects.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(world):
    county = world.users.county
    p = world.projects.own_county
    land = factor_need_create(
        user=county,
        project=p,
        data={"kind": "land", "subtype": "new_quota", "quantity": "120.5", "owner_unit": world.dept.pk, "due_on": dt.date(2026, 6, 30)},
    )
    funds = factor_need_create(
        user=county, project=p, data={"kind": "funds", "subtype": "special_bond", "quantity": Decimal(5000), "secured": Decimal(2000)}
    )
    env = factor_need_create(
        user=world.users.city, project=world.projects.sibling_county, data={"kind": "environment", "subtype": "vocs", "quantity": 3}
    )
    return land, funds, env


def test_county_records_and_owner_unit_works_its_need(world, needs):
    land, funds, _env = needs
    assert funds.gap == Decimal(3000)
    dept = world.users.department
    factor_need_update(user=dept, need=land, expected_version=1, data={"status": "in_progress", "secured": Decimal(60)})
    land.refresh_from_db()
    assert land.status == "in_progress" and land.gap == Decimal("60.5")
    with pytest.raises(PermissionDenied):  # an owner unit does not change the need itself
        factor_need_update(user=dept, need=land, expected_version=2, data={"quantity": 1})
    with pytest.raises(PermissionDenied):  # nor a need it does not own
        factor_need_update(user=dept, need=funds, expected_version=1, data={"status": "secured"})
    for user in (world.users.leader, world.users.enterprise, world.users.sibling):
        with pytest.raises(PermissionDenied):
            factor_need_update(user=user, need=land, expected_version=2, data={"resolution": "x"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "land", "subtype": "vocs", "quantity": 1}, "subtype"),
        ({"kind": "land", "subtype": "idle_land", "quantity": 0}, "quantity"),
        ({"kind": "land", "subtype": "idle_land", "quantity": 5, "secured": 6}, "secured"),
        ({"kind": "energy", "subtype": "trading", "quantity": 5, "financial_guidance": True}, "financial_guidance"),
        ({"kind": "energy", "subtype": "trading", "quantity": 5, "status": "unable"}, "resolution"),
        ({"kind": "energy", "subtype": "trading", "quantity": "abc"}, "quantity"),
        ({"kind": "water", "subtype": "trading", "quantity": 5}, "kind"),
    ],
)
def test_bad_needs_are_refused(world, data, field):
    with pytest.raises(ValidationFailed) as exc:
        factor_need_create(user=world.users.county, project=world.projects.own_county, data=data)
    assert field in exc.value.extra["fields"]
    assert not FactorNeed.objects.exists()


def test_scope(world, needs):
    land, _funds, env = needs
    assert set(FactorNeed.objects.visible_to(world.users.county)) == {land, needs[1]}
    assert env in FactorNeed.objects.visible_to(world.users.city)
    assert not FactorNeed.objects.visible_to(world.users.other_city).exists()
    assert not FactorNeed.objects.visible_to(world.users.auditor).exists()
    assert set(FactorNeed.objects.visible_to(world.users.department)) == {land, needs[1]}  # its unit's project


def test_export_command_one_sheet_per_list(world, needs, tmp_path):
    FactorNeed.objects.filter(pk=needs[0].pk).update(description='=HYPERLINK("http://x")')
    out = tmp_path / "lists.xlsx"
    stdout = io.StringIO()
    call_command("export_factor_lists", "--region", "370100", "--output", str(out), stdout=stdout)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["土地", "资金", "环境", "能耗"]
    land = [[c.value for c in r] for r in wb["土地"].iter_rows(min_row=4)]
    assert land[0][1] == "历下区项目" and land[0][5] == 120.5 and land[0][7] == 120.5
    assert land[0][13] == '\'=HYPERLINK("http://x")'  # shown, never evaluated
    funds = [[c.value for c in r] for r in wb["资金"].iter_rows(min_row=4)]
    assert funds[0][7] == 3000 and funds[0][8] == "否"
    assert len(list(wb["环境"].iter_rows(min_row=4))) == 1
    # A county's lists hold only its projects.
    call_command("export_factor_lists", "--region", "370102", "--output", str(out), stdout=io.StringIO())
    assert len(list(openpyxl.load_workbook(out)["环境"].iter_rows(min_row=4))) == 0
    with pytest.raises(Exception, match="行政区划代码不存在"):
        call_command("export_factor_lists", "--region", "999999", "--output", str(out))


def test_pages(client, world, needs):
    land = needs[0]
    client.force_login(world.users.county)
    assert "历下区项目" in client.get("/approvals/needs/").content.decode()
    response = client.get("/approvals/needs/export.xlsx?kind=land")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(list(wb["土地"].iter_rows(min_row=4))) == 1 and len(list(wb["资金"].iter_rows(min_row=4))) == 0
    url = f"/approvals/project/{world.projects.own_county.pk}/needs/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "land", "subtype": "cod", "quantity": "3", "status": "pending", "secured": "0"})
    assert bad.status_code == 200 and "细类/来源与要素类别不符" in bad.content.decode()
    ok = client.post(url, {"kind": "energy", "subtype": "storage", "quantity": "800", "status": "pending", "secured": "0"})
    assert ok.status_code == 302 and FactorNeed.objects.filter(kind="energy").count() == 1
    client.force_login(world.users.department)
    assert client.get(url).status_code == 403
    edit = f"/approvals/needs/{land.pk}/edit/"
    assert client.get(edit).status_code == 200
    r = client.post(edit, {"version": 1, "status": "secured", "secured": "120.5", "resolution": "省级统筹指标"})
    assert r.status_code == 302
    land.refresh_from_db()
    assert land.status == "secured" and land.gap == 0
    client.force_login(world.users.sibling)
    assert client.get(edit).status_code == 404
    detail = client.get(f"/projects/{world.projects.sibling_county.pk}/").content.decode()
    assert "VOCs" in detail


def test_the_list_and_its_export_search_by_project_or_unit(client, world, needs):
    """A city's 四张清单 runs to hundreds of rows: a keyword finds a project (name or code) or the
    responsible unit's needs, and the export takes the same search."""
    client.force_login(world.users.city)
    body = client.get("/approvals/needs/").content.decode()
    assert 'name="q"' in body and "历下区项目" in body and "市中区项目" in body
    body = client.get("/approvals/needs/?q=市中").content.decode()
    assert "市中区项目" in body and "历下区项目" not in body
    body = client.get("/approvals/needs/?q=发展和改革").content.decode()  # the land need's owner unit
    assert "共 <strong>1</strong> 项" in body and "历下区项目" in body
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/approvals/needs/export.xlsx?q=市中").content))
    assert [len(list(ws.iter_rows(min_row=4))) for ws in wb.worksheets] == [0, 0, 1, 0]


def test_the_edit_page_shows_the_stored_due_date_in_chinese(client, world, needs):
    """<input type=date> takes only YYYY-MM-DD: the Chinese locale's 2026/06/30 left the field
    empty, so saving the form cleared or refused the date the user never touched."""
    land = needs[0]
    client.force_login(world.users.county)
    html = client.get(f"/approvals/needs/{land.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="2026-06-30"' in html


def test_the_edit_page_shows_amounts_as_typed(client, world, needs):
    """需求量 and 已保障量 show as a person types them (5000, 2000, 120.5), not with the four
    stored places (2000.0000): found in a user trial on 已保障量 12000.0000."""
    land, funds, _env = needs
    client.force_login(world.users.county)
    html = client.get(f"/approvals/needs/{funds.pk}/edit/").content.decode()
    assert 'name="secured" value="2000"' in html and 'name="quantity" value="5000"' in html and ".0000" not in html
    client.force_login(world.users.department)
    html = client.get(f"/approvals/needs/{land.pk}/edit/").content.decode()
    assert 'name="secured" value="0"' in html and ".0000" not in html


def test_the_project_page_lists_a_need_without_an_owner_unit_without_an_empty_field(client, world, needs):
    """A need with no 责任单位 read "缺口 3,000.00 万元 · · 待保障" on the project page."""
    import re

    client.force_login(world.users.county)
    page = client.get(f"/projects/{world.projects.own_county.pk}/").content.decode()
    section = re.search(r'data-testid="project-waiting".*?</section>', page, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "缺口 3,000.00 万元 · 待保障" in text and "· ·" not in text, text
    assert world.dept.name in text  # the land need's owner unit is still named
