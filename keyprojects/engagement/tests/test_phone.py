"""联系电话 of a request: the one telephone rule (core.validators.validate_phone) on the page and Open311."""

from __future__ import annotations

import pytest

from keyprojects.core.validators import PHONE_MESSAGE, SERVICE_NUMBER_MESSAGE
from keyprojects.engagement.models import EnterpriseRequest
from keyprojects.engagement.services_keys import open311_key_issue

pytestmark = pytest.mark.django_db


def test_request_page_refuses_letters_and_keeps_real_numbers(client, eng):
    client.force_login(eng.users.enterprise)
    data = {"category": eng.factor.pk, "title": "电力增容", "description": "需增容2000千伏安"}
    r = client.post("/engagement/new/", {**data, "contact_phone": "abc123"})
    assert r.status_code == 200 and r.context["form"].errors["contact_phone"] == [PHONE_MESSAGE]
    assert not EnterpriseRequest.objects.exists()
    r = client.post("/engagement/new/", {**data, "contact_phone": "12345"})  # the hotline is nobody's contact number
    assert r.status_code == 200 and r.context["form"].errors["contact_phone"] == [SERVICE_NUMBER_MESSAGE]
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


def test_a_number_stored_before_the_rule_does_not_block_the_steps(eng):
    """A request raised before the telephone rule keeps its number; acknowledging and replying
    (forms without the number) still work, and the number is left as it was."""
    import datetime as dt

    from django.utils import timezone

    from keyprojects.engagement import services as s

    from .conftest import raise_request

    req = raise_request(eng, now=timezone.make_aware(dt.datetime(2026, 3, 2, 9)))
    EnterpriseRequest.objects.filter(pk=req.pk).update(contact_phone="请拨总机转张工")
    req.refresh_from_db()
    req = s.request_acknowledge(user=eng.users.department, req=req, expected_version=req.version)
    req = s.request_reply(user=eng.users.department, req=req, expected_version=req.version, reply="已协调")
    req.refresh_from_db()
    assert req.status == "replied" and req.contact_phone == "请拨总机转张工"
