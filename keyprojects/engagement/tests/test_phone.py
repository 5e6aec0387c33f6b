"""联系电话 of a request: the one telephone rule (core.validators.validate_phone) on the page and Open311."""

from __future__ import annotations

import pytest

from keyprojects.core.validators import PHONE_MESSAGE
from keyprojects.engagement.models import EnterpriseRequest
from keyprojects.engagement.services_keys import open311_key_issue

pytestmark = pytest.mark.django_db


def test_request_page_refuses_letters_and_keeps_real_numbers(client, eng):
    client.force_login(eng.users.enterprise)
    data = {"category": eng.factor.pk, "title": "电力增容", "description": "需增容2000千伏安"}
    r = client.post("/engagement/new/", {**data, "contact_phone": "abc123"})
    assert r.status_code == 200 and r.context["form"].errors["contact_phone"] == [PHONE_MESSAGE]
    assert not EnterpriseRequest.objects.exists()
    for n, phone in enumerate(("0531-88888888", "13800000000")):
        r = client.post("/engagement/new/", {**data, "title": f"电力增容{n}", "contact_phone": phone})
        assert r.status_code == 302
        assert EnterpriseRequest.objects.get(title=f"电力增容{n}").contact_phone == phone


def test_open311_refuses_letters(client, eng):
    _k, key = open311_key_issue(user=None, enterprise=eng.ent)
    post = {"api_key": key, "service_code": "factor", "description": "路灯不亮", "address_string": "济南"}
    r = client.post("/open311/v2/requests.json", {**post, "phone": "abc123"})
    assert r.status_code == 400 and PHONE_MESSAGE in r.json()[0]["description"], r.content.decode()
    r = client.post("/open311/v2/requests.json", {**post, "phone": "13800000000"})
    assert r.status_code == 201, r.content.decode()
    assert EnterpriseRequest.objects.get().contact_phone == "13800000000"
