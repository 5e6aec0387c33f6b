"""The web flow: upload → preview (every error and warning, counts, totals) → 确认导入 → result;
the error list as xlsx; the same file twice; who may see and confirm what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.dataio.models import ImportBatch
from keyprojects.projects.models import Project

from .test_import_files import GOOD, MESSY, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data: bytes, name: str = "历下区1-6月.xlsx", **fields):
    return client.post(reverse("dataio:import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX), **fields})


def test_upload_preview_confirm(client, world):
    client.force_login(world.users.county)
    page = client.get(reverse("dataio:import"))
    assert page.status_code == 200 and "上传并预览" in page.content.decode() and "历下区" in page.content.decode()
    resp = upload(client, workbook(GOOD))
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("dataio:import_batch", args=[batch.pk])
    assert batch.status == "preview" and batch.content and Project.objects.count() == 4  # nothing written yet
    html = client.get(resp["Location"]).content.decode()
    assert "确认导入" in html and 'data-testid="confirm" disabled' not in html
    assert "155,000.00" in html and "38,000.00" in html and "15,200.50" in html and ".0000" not in html and "历下区智能制造产业园" in html
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.content is None and batch.created_count == 3
    assert Project.objects.filter(name__startswith="历下区", region_id="370102").count() == 4
    html = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    assert "导入完成：新增项目 3 个" in html and "查看项目库" in html
    assert AuditEvent.objects.filter(action="import", object_id=str(batch.pk), result="success").count() == 1
    # confirming again does nothing more
    client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert Project.objects.count() == 7


def test_errors_are_listed_confirm_is_disabled_and_the_list_downloads(client, world):
    client.force_login(world.users.county)
    resp = upload(client, workbook(MESSY))
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and batch.content is None
    html = client.get(resp["Location"]).content.decode()
    assert 'data-testid="confirm" disabled' in html
    assert "所属区域超出您的管辖范围" in html and "总投资不能为空" in html and "无法识别的地名" in html
    assert html.count('data-testid="error-row"') == batch.error_count
    resp = client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert Project.objects.count() == 4
    dl = client.get(reverse("dataio:import_issues", args=[batch.pk]))
    assert dl.status_code == 200 and dl["Content-Type"] == XLSX and "attachment" in dl["Content-Disposition"]
    ws = load_workbook(io.BytesIO(dl.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [c.value for c in ws[2]] == ["类型", "工作表", "行号", "列", "值", "问题"]
    assert sum(1 for r in rows if r[0] == "错误") == batch.error_count
    assert sum(1 for r in rows if r[0] == "警告") == batch.warning_count
    assert any(r[2] == "5" or r[2] == 5 for r in rows if "所属区域超出您的管辖范围" in r[5])
    assert AuditEvent.objects.filter(action="export", object_id=str(batch.pk)).exists()


def test_the_same_file_twice_says_when_it_was_imported(client, world):
    client.force_login(world.users.county)
    data = workbook(GOOD)
    first = ImportBatch.objects.get(pk=int(upload(client, data)["Location"].rstrip("/").rsplit("/", 1)[1]))
    client.post(reverse("dataio:import_confirm", args=[first.pk]))
    resp = upload(client, data, name="又一次.xlsx")
    html = client.get(resp["Location"]).content.decode()
    assert "该文件已于" in html and "不能重复导入" in html and 'data-testid="confirm" disabled' in html


def test_two_previews_of_one_file_import_once(client, world):
    client.force_login(world.users.county)
    data = workbook(GOOD)
    a = int(upload(client, data)["Location"].rstrip("/").rsplit("/", 1)[1])
    b = int(upload(client, data)["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(reverse("dataio:import_confirm", args=[a]))
    resp = client.post(reverse("dataio:import_confirm", args=[b]), follow=True)
    assert "该文件已于" in resp.content.decode()
    assert Project.objects.count() == 7 and ImportBatch.objects.filter(status="imported").count() == 1


def test_batches_are_private_and_roles_are_checked(client, world):
    client.force_login(world.users.county)
    batch = ImportBatch.objects.get(pk=int(upload(client, workbook(GOOD))["Location"].rstrip("/").rsplit("/", 1)[1]))
    client.force_login(world.users.sibling)
    assert client.get(reverse("dataio:import_batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("dataio:import_confirm", args=[batch.pk])).status_code == 404
    assert client.get(reverse("dataio:import_issues", args=[batch.pk])).status_code == 404
    for u in (world.users.enterprise, world.users.leader, world.users.auditor):
        client.force_login(u)
        assert client.get(reverse("dataio:import")).status_code == 403
        assert "nav-import" not in client.get(reverse("projects:list")).content.decode()
    client.force_login(world.users.county)
    assert 'data-testid="nav-import"' in client.get(reverse("projects:list")).content.decode()
    client.logout()
    assert client.get(reverse("dataio:import")).status_code == 302


@pytest.mark.parametrize(("fields", "message"), [({"period": "2026-13"}, "调度期"), ({}, "")])
def test_form_errors_keep_the_page(client, world, fields, message):
    client.force_login(world.users.county)
    if message:
        resp = upload(client, workbook(GOOD), **fields)
        assert resp.status_code == 200 and message in resp.content.decode() and not ImportBatch.objects.exists()
    else:
        resp = client.post(reverse("dataio:import"), {})
        assert resp.status_code == 200 and 'data-testid="error-file"' in resp.content.decode()


def test_an_unreadable_upload_is_a_failed_preview_with_the_reason(client, world):
    client.force_login(world.users.county)
    resp = upload(client, b"\x00\x01 not a workbook", name="坏文件.xlsx")
    batch = ImportBatch.objects.get()
    html = client.get(resp["Location"]).content.decode()
    assert batch.status == "failed" and batch.errors[0]["message"] in html


def test_the_upload_page_states_the_import_scope(client, world):
    client.force_login(world.users.county)
    html = client.get(reverse("dataio:import")).content.decode()
    assert "导入范围为“历下区”，范围外的行报错并注明行号；未注明所属区域的行按“历下区”导入。" in html
    client.force_login(world.users.province)
    html = client.get(reverse("dataio:import")).content.decode()
    assert "导入范围为“山东省”" in html and "各行须由所属区域、项目代码、建设地点或工作表名" in html
