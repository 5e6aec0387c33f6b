"""Filling pages: my tasks per role, the fill form (save, submit, double submit, stale form,
closed period, checks, preview), photos, problem items, scope and read-only roles."""

from __future__ import annotations

from decimal import Decimal as D
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.dispatch.models import MonthlyReport, PeriodClosure, ProblemItem, ReportPhoto
from keyprojects.dispatch.services import report_review, report_save, report_submit
from keyprojects.dispatch.views_fill import default_period_label

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def fill_url(period, project):
    return reverse("dispatch:fill", kwargs={"period": period.label, "project_pk": project.pk})


def html(resp) -> str:
    return resp.content.decode()


def post_fill(client, period, project, *, action="save", version=0, **fields):
    data = {"invested_month": "", "version": str(version), "action": action, **fields}
    return client.post(fill_url(period, project), data)


# --- my tasks ------------------------------------------------------------------------------


def test_tasks_county_lists_what_to_fill_with_state(dw, client):
    p, county = dw.projects.own_county, dw.users.county
    client.force_login(county)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.status_code == 200
    page = html(resp)
    assert "历下区项目" in page and "市中区项目" not in page and "青岛市南区项目" not in page
    assert resp.context["n_to_fill"] == 1 and resp.context["n_missing"] == 1
    assert "迟报" in page  # the window of 2026-01 has ended: submitting now is late
    assert fill_url(dw.p1, p) in page and reverse("dispatch:grid", kwargs={"period": "2026-01"}) in page
    # the month picker names its months as every other page does (2026年1月, 查看)
    assert '<option value="2026-01" selected>2026年1月</option>' in page and "切换" not in page

    r = report_save(user=county, project=p, period=dw.p1, data={"invested_month": "10"})
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.context["n_draft"] == 1 and "草稿" in html(resp)

    report_submit(user=county, report=r)
    report_review(user=dw.users.county_clerk, report=r, action="return", opinion="请补充形象进度")  # four eyes
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.context["n_returned"] == 1 and "被退回" in html(resp)

    report_submit(user=county, report=r)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.context["n_to_fill"] == 0 and resp.context["n_done"] == 1
    # the county reviews first (review chain county → city for a city-list project), but never
    # whoever filled it (four eyes): lixia's queue is empty, the county's other account has it
    assert resp.context["n_review"] == 0
    client.force_login(dw.users.county_clerk)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.context["n_review"] == 1 and "历下区项目" in html(resp)
    assert reverse("dispatch:report", kwargs={"pk": r.pk}) in html(resp)  # the review pages take it from there


def test_tasks_city_fills_city_projects_and_reviews_after_county(dw, client):
    county, city, clerk = dw.users.county, dw.users.city, dw.users.county_clerk
    r = report_save(user=clerk, project=dw.projects.own_county, period=dw.p2, data={"invested_month": "5"})
    report_submit(user=clerk, report=r)
    client.force_login(city)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-02"})
    names = {row["project"].name for row in resp.context["fill_rows"]}
    assert names == {"市中区项目", "济南市本级项目"}
    assert resp.context["n_review"] == 0  # still at the county level
    report_review(user=county, report=r, action="approve")
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-02"})
    assert resp.context["n_review"] == 1
    assert [x.project.name for x in resp.context["review_page"]] == ["历下区项目"]


def test_tasks_default_period_is_last_month_and_bad_periods(dw, client):
    client.force_login(dw.users.county)
    resp = client.get(reverse("dispatch:tasks"))
    assert resp.status_code == 200 and resp.context["period"].label == default_period_label()
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-13"})
    assert resp.context["period"].label == default_period_label()
    assert client.get(reverse("dispatch:tasks"), {"period": "2999-01"}).status_code == 404


def test_tasks_leader_reads_only(dw, client):
    client.force_login(dw.users.leader)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.status_code == 200
    assert resp.context["fill_rows"] == [] and resp.context["n_due"] == 3
    assert "只能查看" in html(resp) and reverse("dispatch:grid", kwargs={"period": "2026-01"}) not in html(resp)


def test_tasks_open_problems_are_paginated(dw, client):
    p = dw.projects.own_county
    for i in range(25):
        ProblemItem.objects.create(project=p, description=f"问题{i:02d}", created_by=dw.users.county)
    ProblemItem.objects.create(project=dw.projects.other_city, description="青岛的问题")
    client.force_login(dw.users.county)
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01"})
    assert resp.context["n_problems"] == 25 and len(resp.context["problem_page"].object_list) == 20
    assert "青岛的问题" not in html(resp)
    assert "problem_page=2" in resp.context["problem_page"].next_url
    resp = client.get(reverse("dispatch:tasks"), {"period": "2026-01", "problem_page": "2"})
    assert len(resp.context["problem_page"].object_list) == 5


# --- the fill form -------------------------------------------------------------------------


def test_fill_save_then_submit(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = client.get(fill_url(dw.p1, p))
    assert resp.status_code == 200
    page = html(resp)
    assert "未纳统" in page and 'name="version"' in page and "保存草稿" in page and "提交" in page
    resp = post_fill(client, dw.p1, p, invested_month="1,200.5", physical_progress="基础施工", physical_progress_pct="35%", workers="120")
    assert resp.status_code == 302
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert (r.status, r.invested_month, r.invested_ytd, r.invested_to_date) == ("draft", D("1200.5"), D("1200.5"), D("1500.5"))
    assert r.physical_progress_pct == D("35") and r.workers == 120
    resp = client.get(fill_url(dw.p1, p))
    assert "已保存草稿" in html(resp) and 'value="1200.5"' in html(resp) and "1,500.50" in html(resp)

    resp = post_fill(client, dw.p1, p, action="submit", version=r.version, invested_month="1200.5", physical_progress="基础施工")
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == "submitted" and r.is_late
    page = html(client.get(fill_url(dw.p1, p)))
    assert "已提交，等待审核" in page and "待审核" in page and 'data-testid="report-readonly"' in page
    assert "保存草稿" not in page and page.count('data-testid="step"') == 3  # save, save, submit
    assert reverse("dispatch:report", kwargs={"pk": r.pk}) in page  # review state and corrections


def test_fill_shows_last_month_statistics_status_and_return_opinion(dw, client):
    p, county = dw.projects.own_county, dw.users.county
    p.in_statistics = True
    p.save(update_fields=["in_statistics"])
    r1 = report_save(user=county, project=p, period=dw.p1, data={"invested_month": "80", "physical_progress_pct": "15.9", "workers": 50})
    report_submit(user=county, report=r1)  # counted: a draft would count nowhere (ADR 0011)
    r2 = report_save(user=county, project=p, period=dw.p2, data={"invested_month": "40"})
    report_submit(user=county, report=r2)
    report_review(user=dw.users.county_clerk, report=r2, action="return", opinion="请补充现场照片")  # four eyes
    client.force_login(county)
    page = html(client.get(fill_url(dw.p2, p)))
    assert "已纳统" in page
    assert "上期（2026年1月）：80.00 万元" in page and "上期：15.90%" in page and "上期：50" in page
    # one percentage format on the page (two places, as 完成率): the hint and the last month's table
    assert "（15.90%）" in page and "15.9%" not in page
    assert "请补充现场照片" in page and 'data-testid="return-opinion"' in page
    assert 'value="40"' in page  # returned: editable again with the saved values
    assert "120.00" in page  # 1-2月累计 = 80 + 40


def test_double_submit_leaves_one_report_and_says_already_submitted(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    first = post_fill(client, dw.p1, p, action="submit", invested_month="100")
    assert first.status_code == 302
    again = post_fill(client, dw.p1, p, action="submit", invested_month="100")  # the same form posted twice
    assert again.status_code == 200
    assert "已提交" in html(again) and 'value="100"' in html(again)
    assert MonthlyReport.objects.filter(project=p, period=dw.p1).count() == 1
    assert MonthlyReport.objects.get(project=p, period=dw.p1).status == "submitted"


def test_two_tabs_creating_the_same_report_conflict_and_keep_input(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    assert post_fill(client, dw.p1, p, invested_month="100").status_code == 302  # tab A
    resp = post_fill(client, dw.p1, p, invested_month="250", problems="征地未完成")  # tab B, opened before A saved
    assert resp.status_code == 200
    page = html(resp)
    assert "已被他人修改" in page and 'value="250"' in page and "征地未完成" in page
    assert "当前已保存" in page and "100" in page
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert r.invested_month == D(100)
    assert resp.context["form"].data["version"] == str(r.version)  # saving again is a deliberate choice
    assert post_fill(client, dw.p1, p, version=r.version, invested_month="250").status_code == 302


def test_stale_version_keeps_typed_input(dw, client):
    p, county = dw.projects.own_county, dw.users.county
    r = report_save(user=county, project=p, period=dw.p1, data={"invested_month": "100"})
    report_save(user=dw.users.city, project=p, period=dw.p1, data={"invested_month": "120"}, expected_version=r.version)
    client.force_login(county)
    resp = post_fill(client, dw.p1, p, version=r.version, invested_month="777", next_month_plan="主体封顶")
    assert resp.status_code == 200
    page = html(resp)
    assert "已被他人修改" in page and 'value="777"' in page and "主体封顶" in page
    assert MonthlyReport.objects.get(pk=r.pk).invested_month == D(120)


def test_closed_period_message_keeps_input(dw, client):
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    client.force_login(dw.users.county)
    resp = post_fill(client, dw.p1, p, invested_month="321")
    assert resp.status_code == 200
    assert "本期已关账" in html(resp) and 'value="321"' in html(resp)
    assert not MonthlyReport.objects.filter(project=p, period=dw.p1).exists()
    page = html(client.get(fill_url(dw.p1, p)))
    assert 'data-testid="frozen"' in page and "保存草稿" not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"invested_month": "十万"}, "invested_month", "请输入数字"),
        ({"invested_month": "-5"}, "invested_month", "金额不能为负数"),
        ({"invested_month": "10", "physical_progress_pct": "150"}, "physical_progress_pct", "0到100之间"),
        ({"invested_month": "10", "no_activity": "on"}, "invested_month", "本月无进展"),
        ({"invested_month": "0", "no_activity": "on"}, "no_activity_reason", "请说明本月无进展的原因"),
        ({"invested_month": "1", "workers": "很多"}, "workers", ""),
        ({"invested_month": "1", "workers": "-3"}, "workers", ""),
    ],
)
def test_bad_input_is_shown_at_the_field(dw, client, fields, field, message):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = post_fill(client, dw.p1, p, **fields)
    assert resp.status_code == 200
    page = html(resp)
    assert f'data-testid="error-{field}"' in page and message in page
    assert page.count("输入有误，请检查标注的字段") == 1, field  # one alert at the top, whichever check refused it
    assert f'value="{fields["invested_month"]}"' in page
    assert not MonthlyReport.objects.filter(project=p, period=dw.p1).exists()


def test_hard_check_errors_are_listed_at_the_top_and_the_draft_is_kept(dw, client):
    p = dw.projects.own_county  # no actual start date
    client.force_login(dw.users.county)
    resp = post_fill(client, dw.p1, p, action="submit", invested_month="10", physical_progress_pct="100")
    assert resp.status_code == 200
    page = html(resp)
    assert 'data-testid="checks"' in page and "形象进度为100%但项目尚无实际开工日期" in page
    assert "已保存为草稿，但未能提交" in page and 'value="100"' in page
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert r.status == "draft" and resp.context["form"].data["version"] == str(r.version)


def test_preview_of_derived_figures(dw, client):
    p, county = dw.projects.own_county, dw.users.county
    report_submit(user=county, report=report_save(user=county, project=p, period=dw.p1, data={"invested_month": "100"}))
    client.force_login(county)
    url = reverse("dispatch:fill_preview", kwargs={"period": "2026-02", "project_pk": p.pk})
    resp = client.get(url, {"invested_month": "50"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    page = html(resp)
    assert page.strip().startswith('<div id="derived"') and "150.00" in page and "450.00" in page
    assert "落后序时进度" in page  # 150 of 1200 after February
    assert "应为不小于0的数字" in html(client.get(url, {"invested_month": "abc"}, HTTP_HX_REQUEST="true"))
    assert client.get(url, {"invested_month": "50"}).status_code == 302  # a plain visit goes to the form


def test_busy_database_gives_retryable_page(dw, client):
    client.force_login(dw.users.county)
    with mock.patch("keyprojects.dispatch.views_fill.report_save", side_effect=OperationalError("database is locked")):
        resp = post_fill(client, dw.p1, dw.projects.own_county, invested_month="100")
    assert resp.status_code == 503 and "系统繁忙" in html(resp) and resp["Retry-After"]
    assert not MonthlyReport.objects.exists()


# --- scope and roles -----------------------------------------------------------------------


def test_out_of_scope_project_is_404(dw, client):
    p = dw.projects.own_county
    for user in (dw.users.sibling, dw.users.other_city, dw.users.other_enterprise):
        client.force_login(user)
        assert client.get(fill_url(dw.p1, p)).status_code == 404
        assert post_fill(client, dw.p1, p, invested_month="1").status_code == 404
        assert client.post(reverse("dispatch:photo_add", kwargs={"period": "2026-01", "project_pk": p.pk})).status_code == 404
    assert not MonthlyReport.objects.exists()
    client.force_login(dw.users.county)
    assert client.get(fill_url(dw.p1, p).replace("2026-01", "2999-01")).status_code == 404


def test_leader_reads_but_cannot_fill(dw, client):
    p = dw.projects.own_county
    report_save(user=dw.users.county, project=p, period=dw.p1, data={"invested_month": "66"})
    client.force_login(dw.users.leader)
    resp = client.get(fill_url(dw.p1, p))
    assert resp.status_code == 200
    page = html(resp)
    assert 'data-testid="read-only-note"' in page and "66.00" in page and "保存草稿" not in page and "转为问题事项" not in page
    assert post_fill(client, dw.p1, p, version=1, invested_month="1").status_code == 403
    assert MonthlyReport.objects.get(project=p, period=dw.p1).invested_month == D(66)


def test_enterprise_and_department_fill_their_projects(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.enterprise)
    assert post_fill(client, dw.p1, p, invested_month="10").status_code == 302
    client.force_login(dw.users.department)
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert post_fill(client, dw.p1, p, version=r.version, invested_month="12").status_code == 302
    assert MonthlyReport.objects.get(pk=r.pk).invested_month == D(12)


# --- photos --------------------------------------------------------------------------------


def upload(client, period, project, name, content, content_type="image/jpeg", caption=""):
    url = reverse("dispatch:photo_add", kwargs={"period": period.label, "project_pk": project.pk})
    return client.post(url, {"image": SimpleUploadedFile(name, content, content_type=content_type), "caption": caption}, follow=True)


def test_photos_accepted_by_content(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    assert "请先保存草稿" in html(upload(client, dw.p1, p, "a.jpg", JPEG))
    post_fill(client, dw.p1, p, invested_month="10")
    for name, content, kind in (("a.jpg", JPEG, "image/jpeg"), ("b.png", PNG, "image/png"), ("c.webp", WEBP, "image/webp")):
        resp = upload(client, dw.p1, p, name, content, caption="主体施工")
        assert "照片已上传" in html(resp)
        assert ReportPhoto.objects.filter(content_type=kind).count() == 1
    photo = ReportPhoto.objects.get(content_type="image/png")
    assert photo.image.name.endswith(".png") and photo.size == len(PNG) and photo.uploaded_by == dw.users.county
    assert AuditEvent.objects.filter(object_type="dispatch.reportphoto", object_id=str(photo.pk), action="create").exists()
    resp = client.get(reverse("dispatch:photo", kwargs={"pk": photo.pk}))
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png" and b"".join(resp.streaming_content) == PNG
    page = html(client.get(fill_url(dw.p1, p)))
    assert page.count('"' + reverse("dispatch:photo", kwargs={"pk": photo.pk}) + '"') == 2  # link and thumbnail
    client.force_login(dw.users.sibling)
    assert client.get(reverse("dispatch:photo", kwargs={"pk": photo.pk})).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("fake.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg", "只能上传JPEG、PNG或WebP格式的照片"),
        ("anim.gif", GIF, "image/gif", "只能上传JPEG、PNG或WebP格式的照片"),
        ("macro.png", b"PK\x03\x04" + b"\x00" * 40, "image/png", "只能上传JPEG、PNG或WebP格式的照片"),
        ("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg", "照片不能超过5MB"),
        ("empty.jpg", b"", "image/jpeg", ""),
    ],
)
def test_photos_refused(dw, client, name, content, content_type, message):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    post_fill(client, dw.p1, p, invested_month="10")
    resp = upload(client, dw.p1, p, name, content, content_type)
    assert "照片已上传" not in html(resp) and message in html(resp)
    assert not ReportPhoto.objects.exists()


def test_no_photos_on_a_submitted_report(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    post_fill(client, dw.p1, p, action="submit", invested_month="10")
    assert 'data-testid="photo-form"' not in html(client.get(fill_url(dw.p1, p)))
    assert "不能直接修改" in html(upload(client, dw.p1, p, "a.jpg", JPEG))
    assert not ReportPhoto.objects.exists()


def test_a_photo_is_deleted_from_an_editable_report_only(dw, client, django_capture_on_commit_callbacks):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    post_fill(client, dw.p1, p, invested_month="10")
    upload(client, dw.p1, p, "a.png", PNG, caption="旧照片")
    photo = ReportPhoto.objects.get()
    name, storage = photo.image.name, photo.image.storage
    url = reverse("dispatch:photo_delete", kwargs={"pk": photo.pk})
    assert url in html(client.get(fill_url(dw.p1, p)))  # a delete button beside the photo
    assert client.get(url).status_code == 405
    client.force_login(dw.users.sibling)  # not this county's project
    assert client.post(url).status_code == 404 and ReportPhoto.objects.filter(pk=photo.pk).exists()
    client.force_login(dw.users.county)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url, follow=True)
    assert "照片已删除" in html(resp) and not ReportPhoto.objects.exists()
    assert not storage.exists(name)  # the file goes once the deletion commits
    assert AuditEvent.objects.filter(object_type="dispatch.reportphoto", object_id=str(photo.pk), action="delete").exists()
    assert client.post(url).status_code == 404  # gone

    # a submitted report keeps its photos
    upload(client, dw.p1, p, "b.png", PNG)
    kept = ReportPhoto.objects.get()
    post_fill(client, dw.p1, p, action="submit", invested_month="10", version=MonthlyReport.objects.get(project=p, period=dw.p1).version)
    assert MonthlyReport.objects.get(project=p, period=dw.p1).status == "submitted"
    page = html(client.get(fill_url(dw.p1, p)))
    assert 'data-testid="photo-delete"' not in page
    resp = client.post(reverse("dispatch:photo_delete", kwargs={"pk": kept.pk}), follow=True)
    assert "照片未删除" in html(resp) and ReportPhoto.objects.filter(pk=kept.pk).exists()


# --- problems ------------------------------------------------------------------------------


def test_problem_becomes_a_tracked_item(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    post_fill(client, dw.p1, p, invested_month="10", problems="征地拆迁未完成")
    page = html(client.get(fill_url(dw.p1, p)))
    assert "转为问题事项" in page and "征地拆迁未完成" in page
    url = reverse("dispatch:problem_add", kwargs={"period": "2026-01", "project_pk": p.pk})
    resp = client.post(url, {"description": "征地拆迁未完成", "responsible_unit": dw.dept.pk, "due_date": "2026-03-31"})
    assert resp.status_code == 302
    item = ProblemItem.objects.get()
    assert (item.responsible_unit, str(item.due_date), item.status) == (dw.dept, "2026-03-31", "open")
    assert item.report == MonthlyReport.objects.get(project=p, period=dw.p1) and item.created_by == dw.users.county
    page = html(client.get(fill_url(dw.p1, p)))
    assert "已转为问题事项" in page and "济南市发展和改革委员会" in page and "2026-03-31" in page
    # a unit outside the user's reach is not a valid choice; an empty description is refused
    resp = client.post(url, {"description": "x", "responsible_unit": dw.other_dept.pk})
    assert resp.status_code == 200 and 'data-testid="error-responsible_unit"' in html(resp)
    resp = client.post(url, {"description": " "})
    assert resp.status_code == 200 and 'data-testid="error-description"' in html(resp)
    assert ProblemItem.objects.count() == 1


def test_leader_cannot_create_problem_items(dw, client):
    client.force_login(dw.users.leader)
    url = reverse("dispatch:problem_add", kwargs={"period": "2026-01", "project_pk": dw.projects.own_county.pk})
    assert client.post(url, {"description": "x"}).status_code == 403
    assert not ProblemItem.objects.exists()


def test_not_due_project_can_still_be_opened(dw, client):
    q = ProjectFactory(name="历下区储备项目", region_id="370102", plan=(2026, 10, "county"))
    client.force_login(dw.users.county)
    assert client.get(fill_url(dw.p1, q)).status_code == 200


def test_tasks_of_a_user_who_never_reviews_show_no_review_queue(dw, client):
    """An enterprise contact or a department fills but never reviews: no 待审核 card or table;
    the late-submission badge only where something is left to fill (trial: byd read "已过填报截止日"
    with nothing to report)."""
    for user in (dw.users.enterprise, dw.users.department):
        client.force_login(user)
        page = html(client.get(reverse("dispatch:tasks"), {"period": "2026-01"}))
        assert 'data-testid="to-review"' not in page and 'data-testid="n-review"' not in page
    client.force_login(dw.users.leader)  # reads only: nothing to fill, so no "submit now is late"
    assert "已过填报截止日" not in html(client.get(reverse("dispatch:tasks"), {"period": "2026-01"}))
    client.force_login(dw.users.county)  # fills and reviews, with a project still to fill in a past window
    page = html(client.get(reverse("dispatch:tasks"), {"period": "2026-01"}))
    assert 'data-testid="to-review"' in page and "已过填报截止日" in page
