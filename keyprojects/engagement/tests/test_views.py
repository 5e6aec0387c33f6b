"""政企服务 pages: every role reads without a 5xx, scope answers 404, the steps work through the
pages, the exports and the Word minutes download."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from keyprojects.engagement.choices import RequestStatus, Source
from keyprojects.engagement.models import EnterpriseRequest, Meeting, Open311Key
from keyprojects.engagement.services import request_create
from keyprojects.engagement.services_meetings import meeting_create

from .conftest import raise_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(eng):
    u = eng.users
    own = raise_request(eng)
    other = raise_request(eng, user=u.other_enterprise, enterprise=eng.other_ent, title="码头岸线")
    meeting = meeting_create(
        user=u.province,
        data={"title": "全省政企沟通交流会", "held_on": "2026-02-20", "place": "济南", "chair": "副省长"},
        enterprises=[eng.ent, eng.other_ent],
        units=[eng.dept],
    )
    at_meeting = request_create(
        user=u.province,
        enterprise=eng.ent,
        source=Source.MEETING,
        meeting=meeting,
        data={"category": "factor", "title": "会上用电诉求", "description": "会上提出"},
    )
    eng.own, eng.other, eng.meeting, eng.at_meeting = own, other, meeting, at_meeting
    return eng


def test_every_role_reads_without_errors_or_writes(client, data):
    urls = [
        "/engagement/",
        "/engagement/export.xlsx",
        "/engagement/new/",
        f"/engagement/{data.own.pk}/",
        f"/engagement/{data.other.pk}/",
        "/engagement/departments/",
        "/engagement/departments/export.xlsx",
        "/engagement/meetings/",
        "/engagement/meetings/export.xlsx",
        "/engagement/meetings/?q=济南",
        f"/engagement/meetings/{data.meeting.pk}/",
        f"/engagement/meetings/{data.meeting.pk}/minutes.docx",
        "/engagement/open311-keys/",
    ]
    for name, user in vars(data.users).items():
        client.force_login(user)
        before = sorted(EnterpriseRequest.objects.values_list("pk", "version"))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (name, url, response.status_code)
        assert before == sorted(EnterpriseRequest.objects.values_list("pk", "version"))


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("enterprise", 200, 404),
        ("other_enterprise", 404, 200),
        ("department", 200, 404),  # routed to it / not
        ("city", 200, 404),
        ("county", 200, 404),
        ("sibling", 404, 404),
        ("other_city", 404, 200),
        ("province", 200, 200),
        ("leader", 200, 404),
        ("sysadmin", 403, 403),
    ],
)
def test_request_page_scope(client, data, who, own, other):
    client.force_login(getattr(data.users, who))
    assert client.get(f"/engagement/{data.own.pk}/").status_code == own
    assert client.get(f"/engagement/{data.other.pk}/").status_code == other


def test_lists_show_only_scope(client, data):
    client.force_login(data.users.enterprise)
    body = client.get("/engagement/").content.decode()
    assert data.own.title in body and "码头岸线" not in body
    client.force_login(data.users.department)
    body = client.get("/engagement/?q=码头").content.decode()
    assert "码头岸线" not in body
    client.force_login(data.users.province)
    body = client.get("/engagement/?q=码头").content.decode()
    assert "码头岸线" in body and "会上用电诉求" not in body
    client.force_login(data.users.other_enterprise)
    assert client.get(f"/engagement/meetings/{data.meeting.pk}/").status_code == 200  # attended
    assert "会上用电诉求" not in client.get(f"/engagement/meetings/{data.meeting.pk}/").content.decode()


def test_journey_through_the_pages(client, data):
    u = data.users
    client.force_login(u.enterprise)
    r = client.post("/engagement/new/", {"category": data.factor.pk, "title": "电力增容", "description": "需增容2000千伏安"})
    assert r.status_code == 302
    req = EnterpriseRequest.objects.get(title="电力增容")
    assert req.source == Source.ENTERPRISE and req.raised_by == u.enterprise
    client.force_login(u.department)
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": req.version, "reply": "已协调供电公司"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REPLIED
    client.force_login(u.enterprise)
    r = client.post(f"/engagement/{req.pk}/rate/", {"version": req.version, "rating": "unsatisfied", "reason": "时间太长"})
    req.refresh_from_db()
    assert req.status == RequestStatus.REOPENED
    page = client.get(f"/engagement/{req.pk}/").content.decode()
    assert "不满意重办" in page and "时间太长" in page
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": req.version, "reply": "x"})  # an enterprise does not reply
    req.refresh_from_db()
    assert req.status == RequestStatus.REOPENED


def test_staff_raise_for_an_enterprise_and_the_minutes(client, data):
    client.force_login(data.users.city)  # a province meeting is not Jinan's to add to
    r = client.post("/engagement/new/", {"enterprise": data.ent.pk, "source": "meeting", "meeting": data.meeting.pk})
    assert "meeting" in r.context["form"].errors
    client.force_login(data.users.province)
    r = client.post(
        "/engagement/new/",
        {
            "enterprise": data.ent.pk,
            "source": "meeting",
            "meeting": data.meeting.pk,
            "category": data.factor.pk,
            "title": "走访诉求",
            "description": "x",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    assert EnterpriseRequest.objects.get(title="走访诉求").meeting == data.meeting
    r = client.get(f"/engagement/meetings/{data.meeting.pk}/minutes.docx")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(c.text for row in doc.tables[0].rows for c in row.cells)
    assert "全省政企沟通交流会会议纪要" in text and "走访诉求" in text and "码头岸线" not in text


def test_exports(client, data):
    client.force_login(data.users.province)
    wb = load_workbook(io.BytesIO(client.get("/engagement/export.xlsx").content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "码头岸线" in values and data.own.number in values
    wb = load_workbook(io.BytesIO(client.get("/engagement/departments/export.xlsx").content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert data.dept.name in values
    wb = load_workbook(io.BytesIO(client.get("/engagement/meetings/export.xlsx").content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "全省政企沟通交流会" in values and 2 in values  # two enterprises present


def test_sysadmin_issues_a_key_in_the_ui(client, data):
    client.force_login(data.users.sysadmin)
    r = client.post("/engagement/open311-keys/", {"enterprise": data.ent.uscc, "name": "ERP"})
    assert r.status_code == 200
    key = Open311Key.objects.get()
    raw = r.context["issued"]["raw"]
    assert key.enterprise == data.ent and raw not in key.key_hash and key.prefix in raw
    client.force_login(data.users.province)
    assert client.post("/engagement/open311-keys/", {"enterprise": data.ent.uscc}).status_code == 403
    assert Meeting.objects.count() == 1


def test_list_query_count_does_not_grow_with_rows(client, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(data.users.province)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/engagement/").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request after the login saves the session
    before = count()
    for n in range(5):
        raise_request(data, title=f"诉求{n}")
    assert count() == before


def test_a_step_without_or_with_a_stale_version_is_refused_in_chinese(client, data):
    req = data.own
    client.force_login(data.users.department)
    r = client.post(f"/engagement/{req.pk}/acknowledge/", {"note": "x"}, follow=True)
    assert "缺少版本号，请刷新页面后重试" in r.content.decode()
    r = client.post(f"/engagement/{req.pk}/acknowledge/", {"version": req.version + 5, "note": "x"}, follow=True)
    assert "已被他人修改，请核对后重新保存" in r.content.decode()
    assert EnterpriseRequest.objects.get(pk=req.pk).status == RequestStatus.SUBMITTED
    r = client.post(f"/engagement/{req.pk}/acknowledge/", {"version": req.version, "note": "x"}, follow=True)
    assert EnterpriseRequest.objects.get(pk=req.pk).status == RequestStatus.IN_PROGRESS


def test_a_meeting_without_enterprises_shows_a_dash(client, eng):
    meeting = meeting_create(
        user=eng.users.province, data={"title": "重点企业座谈会", "held_on": "2026-03-02", "place": "济南", "chair": "副省长"}
    )
    client.force_login(eng.users.province)
    body = client.get(f"/engagement/meetings/{meeting.pk}/").content.decode()
    cell = body.split('data-testid="meeting-enterprises">', 1)[1].split("</dd>", 1)[0]
    assert cell == "—"
