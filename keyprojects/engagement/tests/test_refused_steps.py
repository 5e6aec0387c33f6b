"""A step refused on the request's page (invalid input, a refusal of the service, a version
conflict) shows the page again with what the user typed still in the form and why it was refused
beside it; nothing is saved. And the history names the unit that declined a request beside the
person who declined it, and where a request was sent as 转至…."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from keyprojects.engagement.choices import EventKind, RequestStatus
from keyprojects.engagement.models import EnterpriseRequest, ExtensionRequest, RequestEvent
from keyprojects.engagement.services import extension_ask, request_acknowledge, request_reply

from .conftest import raise_request

pytestmark = pytest.mark.django_db

REPLY = "已协调供电公司，预计下周完成2000千伏安增容"


def _snapshot(req):
    return (
        EnterpriseRequest.objects.filter(pk=req.pk).values_list("version", "status", "reply").get(),
        RequestEvent.objects.filter(request=req).count(),
        ExtensionRequest.objects.filter(request=req).count(),
    )


def _textarea(body: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', body, re.S)
    assert found, name
    return found.group(1).strip()


def _version(body: str, form: str) -> int:
    part = body.split(f'data-testid="{form}"', 1)[1]
    return int(re.search(r'name="version" value="(\d+)"', part).group(1))


def test_a_reply_refused_for_a_stale_version_keeps_the_text_and_can_be_sent_again(client, eng):
    req = raise_request(eng)
    stale = req.version
    request_acknowledge(user=eng.users.department, req=req, expected_version=stale)  # somebody else, meanwhile
    before = _snapshot(req)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": stale, "reply": REPLY})
    body = r.content.decode()
    assert r.status_code == 409
    assert _textarea(body, "reply") == REPLY
    assert "已被他人修改，请核对后重新保存" in body.split('data-testid="reply-form"', 1)[1]  # beside the form
    assert _snapshot(req) == before  # nothing saved
    fresh = EnterpriseRequest.objects.get(pk=req.pk)
    assert _version(body, "reply-form") == fresh.version  # checked the page: saving again goes through
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": _version(body, "reply-form"), "reply": REPLY})
    assert r.status_code == 302
    assert EnterpriseRequest.objects.get(pk=req.pk).reply == REPLY


def test_an_invalid_decline_keeps_the_reason_in_the_open_form(client, eng):
    req = raise_request(eng)
    before = _snapshot(req)
    client.force_login(eng.users.department)
    r = client.post(
        f"/engagement/{req.pk}/decline/", {"version": req.version, "right_unit": "", "reason": "项目位于起步区，应由起步区办理"}
    )
    body = r.content.decode()
    assert r.status_code == 400  # invalid input, as on every page's step forms
    form = body.split('data-testid="decline-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="项目位于起步区，应由起步区办理"' in form
    assert "这个字段是必填项" in form or "该字段是必填项" in form
    assert re.search(r"<details class=\"mb-3\" open><summary>非本部门职责", body)  # the form is not folded away
    assert _snapshot(req) == before
    assert list(req.assignments.filter(active=True).values_list("unit_id", flat=True)) == [eng.dept.pk]


def test_declining_to_its_own_unit_is_refused_beside_the_form(client, eng):
    req = raise_request(eng)
    before = _snapshot(req)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/decline/", {"version": req.version, "right_unit": eng.dept.pk, "reason": "不属我委职责"})
    body = r.content.decode()
    assert r.status_code == 400  # invalid input, as on every page's step forms
    form = body.split('data-testid="decline-form"', 1)[1].split("</form>", 1)[0]
    assert "请指明负责的其他单位" in form and 'value="不属我委职责"' in form
    assert _snapshot(req) == before


def test_no_extension_is_offered_while_one_is_pending(client, eng):
    req = raise_request(eng)
    client.force_login(eng.users.department)
    assert 'data-testid="extension-form"' in client.get(f"/engagement/{req.pk}/").content.decode()
    extension_ask(user=eng.users.department, req=req, days=5, reason="需要现场踏勘")
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    assert 'data-testid="extension-form"' not in body and "申请延期</summary>" not in body
    assert 'data-testid="reply-form"' in body  # the other steps stay


def test_a_second_extension_request_from_a_stale_page_is_refused_once_with_its_reason_kept(client, eng):
    req = raise_request(eng)
    extension_ask(user=eng.users.department, req=req, days=5, reason="需要现场踏勘")
    before = _snapshot(req)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/extend/", {"days": "7", "reason": "需省级部门会商"})
    body = r.content.decode()
    assert r.status_code == 409
    assert body.count("已有待审批的延期申请") == 1  # said once, not at the top and again in a form
    assert 'data-testid="extension-form"' not in body
    assert "需省级部门会商" in body.split('data-testid="unsent"', 1)[1]  # the words kept to copy
    assert _snapshot(req) == before


def test_an_unsatisfied_rating_without_a_reason_keeps_the_choice(client, eng):
    req = raise_request(eng)
    req = request_reply(user=eng.users.department, req=req, reply="已协调", expected_version=req.version)
    before = _snapshot(req)
    client.force_login(eng.users.enterprise)
    r = client.post(f"/engagement/{req.pk}/rate/", {"version": req.version, "rating": "unsatisfied", "reason": "  "})
    body = r.content.decode()
    assert r.status_code == 400  # invalid input, as on every page's step forms
    form = body.split('data-testid="rate-form"', 1)[1].split("</form>", 1)[0]
    assert "不满意须说明原因" in form
    assert re.search(r'value="unsatisfied"[^>]*checked', form)
    assert _snapshot(req) == before


def test_a_reply_to_a_request_answered_meanwhile_is_kept_to_copy(client, eng):
    """The step is no longer offered (another officer replied first): the words are shown to copy."""
    req = raise_request(eng)
    version = req.version
    request_reply(user=eng.users.department, req=req, reply="已答复", expected_version=version)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/reply/", {"version": version, "reply": REPLY})
    body = r.content.decode()
    assert r.status_code == 409
    assert "已答复" in body and 'data-testid="reply-form"' not in body
    assert REPLY in body.split('data-testid="unsent"', 1)[1]
    assert EnterpriseRequest.objects.get(pk=req.pk).reply == "已答复"


def test_history_shows_the_declining_unit_and_where_the_request_went(client, eng):
    req = raise_request(eng)
    client.force_login(eng.users.department)
    r = client.post(f"/engagement/{req.pk}/decline/", {"version": req.version, "right_unit": eng.zone.pk, "reason": "项目在起步区"})
    assert r.status_code == 302
    declined = RequestEvent.objects.get(request=req, kind=EventKind.DECLINED)
    assert declined.unit == eng.dept
    client.force_login(eng.users.city)
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    history = body.split('data-testid="history"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", history, re.S)
    declined_item = next(i for i in items if i.startswith("<strong>非本部门职责</strong>"))
    assert eng.dept.name in declined_item.split('<div class="text-muted">')[0]
    assert eng.zone.name not in declined_item.split('<div class="text-muted">')[0]  # only in its note (应由…办理)
    routed = [i for i in items if i.startswith("<strong>分办</strong>")]
    assert f"转至{eng.zone.name}" in routed[-1] and f"转至{eng.dept.name}" in routed[0]
    assert EnterpriseRequest.objects.get(pk=req.pk).status == RequestStatus.SUBMITTED


def test_the_migration_gives_earlier_declines_the_declining_unit(eng):
    import importlib

    from django.apps import apps

    from keyprojects.engagement.services import request_decline

    migration = importlib.import_module("keyprojects.engagement.migrations.0004_declined_event_unit")
    req = raise_request(eng)
    request_decline(user=eng.users.department, req=req, right_unit=eng.zone, reason="项目在起步区", expected_version=req.version)
    RequestEvent.objects.filter(kind=EventKind.DECLINED).update(unit=eng.zone)  # as recorded before the fix
    migration.declining_unit(apps, None)
    assert RequestEvent.objects.get(kind=EventKind.DECLINED).unit == eng.dept
    assert RequestEvent.objects.filter(kind=EventKind.ROUTED, unit=eng.zone).exists()  # where it went stays


def test_an_invalid_extension_decision_is_said_beside_its_field_and_keeps_the_note(client, eng):
    """A note over 500 characters (a hand-made request: the input stops at 500) was dropped without a word."""
    req = raise_request(eng)
    ext = extension_ask(user=eng.users.department, req=req, days=5, reason="需要现场踏勘")
    client.force_login(eng.users.city)
    note = "同意" * 251
    r = client.post(f"/engagement/extensions/{ext.pk}/decide/", {"version": ext.version, "approve": "0", "note": note})
    body = r.content.decode()
    assert r.status_code == 400
    form = body.split('data-testid="decision-form"', 1)[1].split("</form>", 1)[0]
    assert "不超过 500 字符" in form.split('class="invalid-feedback d-block">', 1)[1]  # beside the note
    assert f'value="{note}"' in form and re.search(r'value="0"[^>]*selected', form)
    ext.refresh_from_db()
    assert ext.status == "pending" and ext.decision_note == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.post(f"/engagement/extensions/{ext.pk}/decide/", {"version": ext.version, "approve": "1", "note": note}).content.decode()
    form = body.split('data-testid="decision-form"', 1)[1].split("</form>", 1)[0]
    assert "Ensure this value has at most 500 characters" in form and "Decision comment: Ensure this value" in body
