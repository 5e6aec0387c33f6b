"""Documents attached to a request (when it is raised) and to its reply: checked and stored by the
project's one upload rule (core.uploads: PDF or image, ≤10 MB, type from the first bytes, random
stored name), shown on the request's page with their names and sizes, downloaded only by those who
see the request, listed read-only by the Open311 API."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.engagement.choices import AttachmentStage, RequestStatus
from keyprojects.engagement.models import EnterpriseRequest, RequestAttachment
from keyprojects.engagement.services import request_create
from keyprojects.engagement.services_keys import open311_key_issue

from .conftest import raise_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 land use quota letter"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def pdf(name="用地指标申请函.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _raise_on_the_page(client, eng, files, title="电力增容"):
    client.force_login(eng.users.enterprise)
    data = {"category": eng.factor.pk, "title": title, "description": "需增容2000千伏安", "attachments": files}
    return client.post("/engagement/new/", data)


def raise_with(eng, **kw):
    return request_create(
        user=eng.users.enterprise,
        enterprise=eng.ent,
        data={"category": "factor", "title": "用地指标不足", "description": "二期用地指标缺口50亩"},
        **kw,
    )


def test_an_enterprise_attaches_documents_and_those_who_see_the_request_download_them(client, eng):
    r = _raise_on_the_page(client, eng, [pdf(), png()])
    assert r.status_code == 302
    req = EnterpriseRequest.objects.get(title="电力增容")
    files = list(req.attachments.order_by("id"))
    assert [(f.name, f.size, f.content_type, f.stage) for f in files] == [
        ("用地指标申请函.pdf", len(PDF), "application/pdf", AttachmentStage.REQUEST),
        ("现场照片.png", len(PNG), "image/png", AttachmentStage.REQUEST),
    ]
    assert files[0].file.name.startswith(f"engagement/{req.pk}/") and "用地" not in files[0].file.name  # a random stored name
    assert files[0].uploaded_by == eng.users.enterprise

    page = client.get(f"/engagement/{req.pk}/").content.decode()
    listed = page.split('data-testid="request-files"', 1)[1].split("</ul>", 1)[0]
    assert "用地指标申请函.pdf" in listed and "现场照片.png" in listed and "30" in listed  # name and size
    url = f"/engagement/{req.pk}/files/{files[0].pk}/"
    assert f'href="{url}"' in listed

    for who in ("enterprise", "department", "city", "province"):
        client.force_login(getattr(eng.users, who))
        r = client.get(url)
        assert r.status_code == 200, who
        assert b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
        assert "filename" in r["Content-Disposition"]
    for who, status in (("other_enterprise", 404), ("sibling", 404), ("other_city", 404), ("sysadmin", 403)):
        client.force_login(getattr(eng.users, who))
        assert client.get(url).status_code == status, who
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_file_is_only_reached_through_its_own_request(client, eng):
    own = raise_with(eng, attachments=[pdf()])
    other = request_create(
        user=eng.users.other_enterprise,
        enterprise=eng.other_ent,
        data={"category": "factor", "title": "码头岸线", "description": "岸线使用"},
        attachments=[png()],
    )
    theirs = other.attachments.get()
    client.force_login(eng.users.enterprise)
    assert client.get(f"/engagement/{own.pk}/files/{theirs.pk}/").status_code == 404  # a request it sees, a file of another
    assert client.get(f"/engagement/{other.pk}/files/{theirs.pk}/").status_code == 404


def _stored() -> list[str]:
    from django.core.files.storage import default_storage

    def walk(path: str) -> list[str]:
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return []
        return [f"{path}/{f}" for f in files] + [x for d in dirs for x in walk(f"{path}/{d}")]

    return walk("engagement")


def test_a_refused_document_refuses_the_request_and_keeps_what_was_typed(client, eng):
    before = _stored()
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = _raise_on_the_page(client, eng, [pdf(), fake], title="电力增容申请")
    body = r.content.decode()
    assert r.status_code == 200
    assert "附件只能是PDF、JPEG、PNG或WebP文件" in body
    assert 'value="电力增容申请"' in body  # the title typed stays
    assert not EnterpriseRequest.objects.filter(title="电力增容申请").exists()
    assert not RequestAttachment.objects.exists()
    assert _stored() == before  # the valid document stored before the refusal is removed again


def test_at_most_five_documents_and_none_empty(client, eng):
    r = _raise_on_the_page(client, eng, [pdf(f"{n}.pdf") for n in range(6)])
    assert r.status_code == 200 and "最多上传5个附件" in r.content.decode()
    r = _raise_on_the_page(client, eng, [SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")])
    assert r.status_code == 200
    assert not EnterpriseRequest.objects.exists() and not RequestAttachment.objects.exists()


def test_the_unit_attaches_documents_to_its_reply(client, eng):
    req = raise_request(eng)
    client.force_login(eng.users.department)
    page = client.get(f"/engagement/{req.pk}/").content.decode()
    assert 'enctype="multipart/form-data" data-testid="reply-form"' in page and 'name="attachments"' in page
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": req.version, "reply": "已协调供电公司", "attachments": [pdf("复函.pdf")]})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REPLIED
    att = req.attachments.get()
    assert (att.name, att.stage, att.unit, att.uploaded_by) == ("复函.pdf", AttachmentStage.REPLY, eng.dept, eng.users.department)
    client.force_login(eng.users.enterprise)
    page = client.get(f"/engagement/{req.pk}/").content.decode()
    assert "复函.pdf" in page.split('data-testid="reply-files"', 1)[1].split("</ul>", 1)[0]
    assert client.get(f"/engagement/{req.pk}/files/{att.pk}/").status_code == 200


def test_a_refused_reply_saves_no_document_and_asks_to_choose_it_again(client, eng):
    req = raise_request(eng)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": req.version + 3, "reply": "已协调", "attachments": [pdf("复函.pdf")]})
    body = r.content.decode()
    assert r.status_code == 409 and "请重新选择附件" in body and "已协调" in body
    assert not RequestAttachment.objects.exists()
    assert EnterpriseRequest.objects.get(pk=req.pk).status == RequestStatus.SUBMITTED


def test_open311_lists_the_documents_read_only(client, eng):
    req = raise_with(eng, attachments=[pdf()])
    _row, key = open311_key_issue(user=None, enterprise=eng.ent)
    r = client.get(f"/open311/v2/requests/{req.number}.json", {"api_key": key})
    [answer] = r.json()
    expected = {"name": "用地指标申请函.pdf", "size": len(PDF), "content_type": "application/pdf", "stage": "request"}
    assert answer["attachments"] == [expected]
    root = ET.fromstring(client.get(f"/open311/v2/requests/{req.number}.xml", {"api_key": key}).content)
    assert root.find("request/attachments/attachment/name").text == "用地指标申请函.pdf"
    client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "factor", "description": "x", "attachments": "y"})
    assert not RequestAttachment.objects.exclude(request=req).exists()  # nothing attached through the API
