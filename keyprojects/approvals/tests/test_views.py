"""The approval pages for every role: no 5xx, GETs write nothing, scope is 404 (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.approvals.models import ApprovalItem, ProjectApproval
from keyprojects.approvals.services import approval_items_set
from keyprojects.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(world):
    eia = ApprovalItem.objects.get(code="eia")
    eia.department_unit = world.dept
    eia.save()
    items = [eia.pk, ApprovalItem.objects.get(code="project-approval").pk]
    approval_items_set(user=world.users.county, project=world.projects.own_county, item_ids=items)
    return ProjectApproval.objects.get(item=eia)


def test_every_role_reads_without_errors_or_writes(client, world, recorded):
    p = world.projects.own_county
    urls = [
        "/approvals/",
        "/approvals/departments/",
        f"/approvals/project/{p.pk}/",
        f"/approvals/{recorded.pk}/edit/",
        f"/projects/{p.pk}/",
    ]
    for name, user in vars(world.users).items():
        client.force_login(user)
        before = (ProjectApproval.objects.count(), sum(ProjectApproval.objects.values_list("version", flat=True)))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (name, url, response.status_code)
        assert before == (ProjectApproval.objects.count(), sum(ProjectApproval.objects.values_list("version", flat=True)))


def test_pages_show_scope(client, world, recorded):
    p = world.projects.own_county
    client.force_login(world.users.sibling)
    assert client.get(f"/approvals/project/{p.pk}/").status_code == 404
    assert client.get(f"/approvals/{recorded.pk}/edit/").status_code == 404
    assert "历下区项目" not in client.get("/approvals/").content.decode()
    client.force_login(world.users.city)
    assert "历下区项目" in client.get("/approvals/").content.decode()
    assert client.get("/approvals/?status=bogus&code=x&item=abc").status_code == 200
    assert client.get("/approvals/departments/?item=abc&before_start=x").status_code == 200
    client.force_login(world.users.sysadmin)
    assert client.get("/approvals/").status_code == 403


def test_enterprise_follows_its_items_but_not_the_departments_ranking(client, world, recorded):
    """The departments' 红黄码 board and ranking assess the government's own work: government
    roles and leaders read it; an enterprise contact gets neither the menu entry nor the page."""
    for name in ("county", "city", "province", "department", "leader"):
        client.force_login(getattr(world.users, name))
        assert client.get("/approvals/departments/").status_code == 200, name
        assert 'href="/approvals/departments/"' in client.get("/approvals/").content.decode(), name
    client.force_login(world.users.enterprise)
    assert client.get("/approvals/").status_code == 200
    for url in ("/approvals/", "/projects/"):
        assert 'href="/approvals/departments/"' not in client.get(url).content.decode(), url
    assert client.get("/approvals/departments/").status_code == 403


def test_department_records_progress_through_the_form(client, world, recorded):
    client.force_login(world.users.department)
    url = f"/approvals/{recorded.pk}/edit/"
    page = client.get(url).content.decode()
    assert "handling_unit" not in page  # a department does not move the item elsewhere
    data = {"version": 1, "status": "in_progress", "applied_on": "2025-09-22", "accepted_on": "2025-09-26", "completed_on": "", "note": ""}
    bad = client.post(url, {**data, "accepted_on": "2025-09-01"})
    assert bad.status_code == 200 and "受理日期不能早于申报日期" in bad.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == "in_progress" and recorded.version == 2
    stale = client.post(url, {**data, "note": "again"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    detail = client.get(f"/projects/{world.projects.own_county.pk}/").content.decode()
    assert "待办审批与要素保障" in detail and "环评批复" in detail and world.dept.name in detail


def test_county_chooses_items_in_the_page(client, world, recorded):
    p = world.projects.own_county
    client.force_login(world.users.county)
    permit = ApprovalItem.objects.get(code="construction-permit")
    response = client.post(f"/approvals/project/{p.pk}/", {"items": [recorded.item_id, permit.pk]})
    assert response.status_code == 302
    assert set(ProjectApproval.objects.filter(project=p).values_list("item__code", "status")) == {
        ("eia", "not_applied"),
        ("construction-permit", "not_applied"),
        ("project-approval", "not_needed"),
    }
    client.force_login(world.users.department)
    n = AuditEvent.objects.count()
    assert client.post(f"/approvals/project/{p.pk}/", {"items": []}).status_code == 403
    assert ProjectApproval.objects.filter(project=p, status="not_applied").count() == 2
    assert AuditEvent.objects.filter(action="approval.items_set").count() == 2
    assert AuditEvent.objects.count() >= n


def test_department_opens_the_page_of_a_project_it_only_handles_an_item_of(client, world):
    p = world.projects.other_city  # not a project of the department's unit
    eia = ApprovalItem.objects.get(code="eia")
    approval_items_set(user=world.users.province, project=p, item_ids=[eia.pk])
    ProjectApproval.objects.filter(project=p).update(handling_unit=world.dept)
    client.force_login(world.users.department)
    page = client.get(f"/approvals/project/{p.pk}/")
    assert page.status_code == 200
    assert f"/projects/{p.pk}/" not in page.content.decode()  # no link to a project it may not open
    assert client.get(f"/projects/{p.pk}/").status_code == 404
    client.force_login(world.users.sibling)
    assert client.get(f"/approvals/project/{p.pk}/").status_code == 404


def test_list_searches_labels_every_filter_and_exports_what_it_shows(client, world, recorded):
    """The tour found no text search, no export and a filter without a label on the list."""
    import io
    import re

    from openpyxl import load_workbook

    from keyprojects.projects.models import Project

    Project.objects.filter(pk=world.projects.own_county.pk).update(project_code="2026-370102-44-01-000123")
    eia = ApprovalItem.objects.get(code="eia")
    approval_items_set(user=world.users.sibling, project=world.projects.sibling_county, item_ids=[eia.pk])
    client.force_login(world.users.city)

    page = client.get("/approvals/").content.decode()
    form = page.split('role="search"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r'<(?:input|select)[^>]*\bname="(\w+)"[^>]*\bid="(\w+)"', form)
    assert {name for name, _ in fields} == {"q", "item", "status", "code"}
    labels = set(re.findall(r'<label[^>]*\bfor="(\w+)"', form))
    assert all(field_id in labels for _, field_id in fields), (fields, labels)

    def shown(**params):
        resp = client.get("/approvals/", params)
        return {(a.project.name, a.item.code) for a in resp.context["page"]}

    assert shown() == {("历下区项目", "eia"), ("历下区项目", "project-approval"), ("市中区项目", "eia")}
    assert shown(q="市中") == {("市中区项目", "eia")}  # project name
    assert shown(q="000123") == {("历下区项目", "eia"), ("历下区项目", "project-approval")}  # project code
    assert shown(q="环评") == {("历下区项目", "eia"), ("市中区项目", "eia")}  # item name
    assert shown(q="环评", status="not_applied", item=eia.pk) == {("历下区项目", "eia"), ("市中区项目", "eia")}
    assert shown(q="没有的") == set()

    resp = client.get("/approvals/", {"q": "历下", "page": "1"})
    assert 'href="/approvals/export.xlsx?q=%E5%8E%86%E4%B8%8B"' in resp.content.decode()  # the filters, not the page
    export = client.get("/approvals/export.xlsx", {"q": "历下"})
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    ws = load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert sorted((r[1], r[2], r[4]) for r in rows) == [
        ("历下区项目", "2026-370102-44-01-000123", "环评批复"),
        ("历下区项目", "2026-370102-44-01-000123", "项目审批/核准/备案"),
    ]
    assert {r[1] for r in rows} == {"历下区项目"} and len(rows) == 2
    assert AuditEvent.objects.filter(action="export", object_type="approvals.projectapproval", changes__rows=2).exists()

    # the export keeps the user's scope
    client.force_login(world.users.sibling)
    ws = load_workbook(io.BytesIO(client.get("/approvals/export.xlsx").content)).active
    assert {r[1].value for r in ws.iter_rows(min_row=4)} == {"市中区项目"}
    client.force_login(world.users.sysadmin)
    assert client.get("/approvals/export.xlsx").status_code == 403


def test_code_badge_reads_within_limit_and_a_late_completion_is_not_green(client, world, recorded):
    """An item done within its legal limit reads 绿码 / "Green code", the word of the 红黄码
    filter (it read 正常 where the filter said 绿码); one done late is 超期办结 in a neutral badge,
    not the green of an on-time one. The export says the same."""
    import datetime as dt
    import io

    from django.conf import settings
    from openpyxl import load_workbook

    other = ProjectApproval.objects.exclude(pk=recorded.pk).get(project=recorded.project)
    limit = recorded.item.legal_limit_days
    ProjectApproval.objects.filter(pk=recorded.pk).update(status="done", accepted_on=dt.date(2026, 3, 2), completed_on=dt.date(2026, 3, 3))
    ProjectApproval.objects.filter(pk=other.pk).update(
        status="done", accepted_on=dt.date(2026, 1, 5), completed_on=dt.date(2026, 1, 5) + dt.timedelta(days=limit * 3)
    )
    client.force_login(world.users.city)
    page = client.get("/approvals/").content.decode()
    assert '<span class="badge text-bg-success" data-code="green">绿码</span>' in page and ">正常<" not in page
    assert '<option value="green">绿码</option>' in page
    assert '<span class="badge text-bg-secondary" data-code="green">超期办结</span>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/approvals/").content.decode()
    assert ">Green code</span>" in page and ">Active</span>" not in page
    ws = load_workbook(io.BytesIO(client.get("/approvals/export.xlsx").content)).active
    header = [c.value for c in next(ws.iter_rows(min_row=3, max_row=3))]
    assert {r[header.index("红黄码")] for r in ws.iter_rows(min_row=4, values_only=True)} == {"绿码", "超期办结"}
    assert ">Completed late</span>" in page


def test_the_edit_page_shows_the_stored_dates_in_chinese(client, world, recorded):
    """<input type=date> takes only YYYY-MM-DD: the Chinese locale's 2026/11/01 showed empty
    fields and saving the step was refused (须填写申报日期) though the dates were stored."""
    ProjectApproval.objects.filter(pk=recorded.pk).update(
        status="in_progress", applied_on=dt.date(2026, 11, 1), accepted_on=dt.date(2026, 11, 2)
    )
    for name in ("county", "city", "department"):
        client.force_login(getattr(world.users, name))
        response = client.get(f"/approvals/{recorded.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code == 200:
            break
    html = response.content.decode()
    assert 'value="2026-11-01"' in html and 'value="2026-11-02"' in html
