"""Importing the 四张清单 back: export → import gives the same needs; all or nothing with row-level
Chinese errors; the same file twice changes nothing; the command and the upload page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from keyprojects.approvals.exports import export_factor_lists
from keyprojects.approvals.imports import factor_lists_import
from keyprojects.approvals.models import FactorNeed
from keyprojects.approvals.services_needs import factor_need_create
from keyprojects.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
FIELDS = (
    "project_id",
    "kind",
    "subtype",
    "quantity",
    "secured",
    "financial_guidance",
    "owner_unit_id",
    "due_on",
    "status",
    "description",
    "resolution",
)


@pytest.fixture
def lists(world):
    county, city = world.users.county, world.users.city
    own, sib = world.projects.own_county, world.projects.sibling_county
    own.project_code = None
    own.save(update_fields=["project_code"])
    land = {"kind": "land", "subtype": "new_quota", "quantity": D("120.5"), "owner_unit": world.dept.pk}
    funds = {"kind": "funds", "subtype": "special_bond", "quantity": D(30000), "secured": D(12000), "status": "in_progress"}
    specs = [
        (county, own, {**land, "due_on": dt.date(2026, 6, 30), "description": "指标不足"}),
        (county, own, {**funds, "financial_guidance": True}),
        (city, sib, {"kind": "environment", "subtype": "vocs", "quantity": D("12.6"), "status": "unable", "resolution": "无可用指标"}),
        (city, sib, {"kind": "energy", "subtype": "trading", "quantity": D(18000), "secured": D(18000), "status": "secured"}),
    ]
    for user, project, data in specs:
        factor_need_create(user=user, project=project, data=data)
    return world


def snapshot():
    return sorted(FactorNeed.objects.values_list(*FIELDS))


def test_round_trip_export_import_gives_the_same_needs(lists, tmp_path):
    before = snapshot()
    content, counts = export_factor_lists(FactorNeed.objects.all())
    assert counts == {"land": 1, "funds": 1, "environment": 1, "energy": 1}
    path = tmp_path / "四张清单.xlsx"
    path.write_bytes(content)
    # the same file again: nothing changes
    result = factor_lists_import(user=lists.users.city, source=content, filename=path.name)
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 4, [])
    # into an empty registry (the needs gone): the same needs come back, by the command
    FactorNeed.objects.all().delete()
    out = io.StringIO()
    call_command("import_factor_lists", str(path), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and FactorNeed.objects.count() == 0
    call_command("import_factor_lists", str(path), stdout=out)
    assert "新增 4 项" in out.getvalue()
    assert snapshot() == before


def test_all_or_nothing_with_row_level_errors(lists):
    content, _ = export_factor_lists(FactorNeed.objects.all())
    wb = openpyxl.load_workbook(io.BytesIO(content))
    land = wb["土地"]
    header = [c.value for c in land[3]]
    land.cell(row=4, column=header.index("需求量（亩）") + 1, value="很多")
    funds = wb["资金"]
    fh = [c.value for c in funds[3]]
    funds.cell(row=4, column=fh.index("细类/来源") + 1, value="VOCs")
    env = wb["环境"]
    eh = [c.value for c in env[3]]
    env.cell(row=4, column=eh.index("保障措施/结果") + 1, value="")  # 无法保障 needs a reason (the model's rule)
    buf = io.BytesIO()
    wb.save(buf)
    FactorNeed.objects.all().delete()
    result = factor_lists_import(user=None, source=buf.getvalue(), filename="x.xlsx")
    messages = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert messages[("土地", 4, "需求量（亩）")] == "应为数字"
    assert "不是资金清单的细类" in messages[("资金", 4, "细类/来源")]
    assert FactorNeed.objects.count() == 0  # nothing written
    # the service's rule is reported on its row, still nothing written
    land.cell(row=4, column=header.index("需求量（亩）") + 1, value=120.5)
    funds.cell(row=4, column=fh.index("细类/来源") + 1, value="专项债")
    buf = io.BytesIO()
    wb.save(buf)
    result = factor_lists_import(user=None, source=buf.getvalue(), filename="x.xlsx")
    assert [(e.sheet, e.row, e.message) for e in result.errors] == [("环境", 4, "无法保障的需求须说明原因")]
    assert FactorNeed.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import_factor_lists", "/nonexistent.xlsx")


def test_scope_and_the_upload_page(lists, client):
    content, _ = export_factor_lists(FactorNeed.objects.all())
    FactorNeed.objects.all().delete()
    # a county imports only into its own projects: the sibling county's rows are errors
    result = factor_lists_import(user=lists.users.county, source=content, filename="x.xlsx")
    assert {e.sheet for e in result.errors} == {"环境", "能耗"} and FactorNeed.objects.count() == 0
    with pytest.raises(PermissionDenied):
        factor_lists_import(user=lists.users.leader, source=content, filename="x.xlsx")
    client.force_login(lists.users.city)
    page = client.get("/approvals/needs/import/")
    assert page.status_code == 200
    upload = io.BytesIO(content)
    upload.name = "四张清单.xlsx"
    r = client.post("/approvals/needs/import/", {"file": upload, "dry_run": "on"})
    assert r.status_code == 200 and "试运行" in r.content.decode() and FactorNeed.objects.count() == 0
    upload.seek(0)
    r = client.post("/approvals/needs/import/", {"file": upload})
    assert r.status_code == 302 and FactorNeed.objects.count() == 4
    client.force_login(lists.users.leader)
    assert client.get("/approvals/needs/import/").status_code == 403
