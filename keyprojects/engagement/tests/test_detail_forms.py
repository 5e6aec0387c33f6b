"""The request page's working forms as a user meets them: every field labelled, the extension
decision and the success messages in the user's language, and the units offered for 分办/改派/
转交 limited to those that can handle the request (the province's and the request's city's)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from keyprojects.core.testing import UnitFactory
from keyprojects.engagement.models import ExtensionRequest
from keyprojects.engagement.services import extension_ask

from .conftest import raise_request

pytestmark = pytest.mark.django_db


def _options(body: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_city_decides_an_extension_in_english_with_labelled_fields(client, eng):
    req = raise_request(eng)  # routed to 济南市发改委 by the rule
    province_unit = UnitFactory(name="山东省发展和改革委员会", region_id="370000")
    county_unit = UnitFactory(name="历下区住房和城乡建设局", region_id="370102")

    client.force_login(eng.users.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    for label in ("Extension (working days)", "Reason for the extension"):  # offered while none is pending
        assert f">{label}</label>" in body, label
    extension_ask(user=eng.users.department, req=req, days=5, reason="需要现场踏勘")
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    assert "Approve the extension" in body and "Refuse the extension" in body
    assert "批准延期" not in body and "不予延期" not in body
    for label in (
        "Handling unit",
        "Routing note",
        "Re-route to",
        "Reason for re-routing",
        "Decide",
    ):
        assert f">{label}</label>" in body, label
    offered = _options(body, "units")
    assert {"济南市发展和改革委员会", "山东省发展和改革委员会", "历下区住房和城乡建设局", "济南新旧动能转换起步区"} <= set(offered)
    assert "青岛市工业和信息化局" not in offered  # another city's department cannot handle a Jinan request
    assert "青岛市工业和信息化局" not in _options(body, "to_unit")
    assert province_unit.is_active and county_unit.is_active

    ext = ExtensionRequest.objects.get(request=req)
    response = client.post(f"/engagement/extensions/{ext.pk}/decide/", {"version": ext.version, "approve": "1"}, follow=True)
    assert "Extension request decided" in response.content.decode()
    ext.refresh_from_db()
    assert ext.status == "approved"


def test_department_acknowledges_in_english_and_is_told_so(client, eng):
    req = raise_request(eng)
    client.force_login(eng.users.department)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    assert 'placeholder="Note on acceptance (optional)"' in body
    assert "青岛市工业和信息化局" not in _options(body, "right_unit")
    response = client.post(f"/engagement/{req.pk}/acknowledge/", {"version": req.version, "note": ""}, follow=True)
    page = response.content.decode()
    assert "Acknowledged" in page and "已受理" not in page


def test_refusals_read_in_english_and_chinese(client, eng):
    """The services' refusals (written in Chinese) reach an English-speaking user in English:
    an enterprise rating 不满意 without a reason, a unit asking for a 90-day extension."""
    from keyprojects.engagement.services import request_reply

    req = raise_request(eng)
    req = request_reply(user=eng.users.department, req=req, reply="已协调", expected_version=req.version)
    client.force_login(eng.users.enterprise)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        f"/engagement/{req.pk}/rate/", {"version": req.version, "rating": "unsatisfied", "reason": ""}, follow=True
    ).content.decode()
    assert "Say why you are not satisfied" in page and "不满意须说明原因" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.post(
        f"/engagement/{req.pk}/rate/", {"version": req.version, "rating": "unsatisfied", "reason": ""}, follow=True
    ).content.decode()
    assert "不满意须说明原因" in page
    req2 = raise_request(eng, title="二期用电")
    client.force_login(eng.users.department)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    extension_ask(user=eng.users.department, req=req2, days=5, reason="踏勘")
    page = client.post(f"/engagement/{req2.pk}/extend/", {"days": "5", "reason": "再踏勘"}, follow=True).content.decode()
    assert "An extension request is already awaiting a decision" in page


def test_an_invalid_extension_names_each_field(client, eng):
    """−3 days and no reason: each message after its field's label, in the user's language, and
    never a bare "。；" between two sentences."""
    req = raise_request(eng)
    client.force_login(eng.users.department)
    page = client.post(f"/engagement/{req.pk}/extend/", {"days": "-3", "reason": ""}, follow=True).content.decode()
    assert "延期天数（工作日）：确保该值大于或等于1" in page
    assert "延期理由：这个字段是必填项" in page or "延期理由：该字段是必填项" in page
    assert "。；" not in page
    assert not ExtensionRequest.objects.filter(request=req).exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(f"/engagement/{req.pk}/extend/", {"days": "-3", "reason": ""}, follow=True).content.decode()
    assert "greater than or equal to 1" in page and "This field is required" in page and ".;" not in page
