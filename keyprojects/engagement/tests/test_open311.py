"""Open311 GeoReport v2 at /open311/v2/: services, POST with a key and read back, wrong key
403, another enterprise's requests invisible, jurisdiction_id, XML, the key command."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import override_settings

from keyprojects.engagement.choices import Source
from keyprojects.engagement.models import EnterpriseRequest, Open311Key
from keyprojects.engagement.services import request_reply
from keyprojects.engagement.services_keys import hash_key, open311_key_issue

from .conftest import raise_request

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def keys(eng):
    _k, own = open311_key_issue(user=None, enterprise=eng.ent)
    _k2, other = open311_key_issue(user=None, enterprise=eng.other_ent)
    eng.key, eng.other_key = own, other
    return eng


def test_services_and_definition(client, eng):
    r = client.get(f"{BASE}/services.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    codes = {s["service_code"]: s for s in r.json()}
    assert set(codes) == {"factor", "approval", "finance", "labour", "policy", "other"}
    assert codes["factor"]["service_name"] == "要素保障" and codes["factor"]["metadata"] is False
    r = client.get(f"{BASE}/services/factor.json")
    assert r.json() == {"service_code": "factor", "attributes": []}
    r = client.get(f"{BASE}/services/nope.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404 and r.json()[0]["description"]
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services" and len(root.findall("service")) == 6


@override_settings(KEYPROJECTS_PROVINCE_CODE="370000")
def test_jurisdiction(client, eng):
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "370000"}).status_code == 200
    r = client.get(f"{BASE}/services.json", {"jurisdiction_id": "110000"})
    assert r.status_code == 404 and "110000" in r.json()[0]["description"]


def test_post_read_back_and_scope(client, keys):
    r = client.post(
        f"{BASE}/requests.json",
        {"api_key": keys.key, "service_code": "factor", "description": "二期厂房用电增容\n需2000千伏安", "lat": "36.65", "long": "117.12"},
    )
    assert r.status_code == 201, r.content
    [answer] = r.json()
    rid = answer["service_request_id"]
    assert rid.startswith("SQ") and answer["service_notice"]
    req = EnterpriseRequest.objects.get()
    assert req.enterprise == keys.ent and req.source == Source.OPEN311 and req.title == "二期厂房用电增容"
    assert [a.unit for a in req.assignments.all()] == [keys.dept]  # routed by the rules
    [got] = client.get(f"{BASE}/requests/{rid}.json", {"api_key": keys.key}).json()
    assert got["status"] == "open" and got["service_code"] == "factor" and got["lat"] == 36.65
    assert got["agency_responsible"] == keys.dept.name and got["expected_datetime"] and got["requested_datetime"]
    # the other enterprise's key sees nothing of it
    assert client.get(f"{BASE}/requests/{rid}.json", {"api_key": keys.other_key}).status_code == 404
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.other_key}).json() == []
    other = raise_request(keys, user=keys.users.other_enterprise, enterprise=keys.other_ent, title="港口")
    listed = client.get(f"{BASE}/requests.json", {"api_key": keys.key}).json()
    assert [x["service_request_id"] for x in listed] == [rid]
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "service_request_id": other.number}).json() == []
    # filters
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "status": "closed"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"api_key": keys.key, "status": "open", "service_code": "factor"}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "service_code": "finance"}).json() == []
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "start_date": "2100-01-01T00:00:00Z"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"api_key": keys.key, "end_date": "2100-01-01T00:00:00+08:00"}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key, "status": "pending"}).status_code == 400
    # a reply closes it in Open311 terms, with the reply in status_notes
    request_reply(user=keys.users.department, req=req, reply="已协调供电公司")
    [got] = client.get(f"{BASE}/requests.json", {"api_key": keys.key, "service_request_id": rid}).json()
    assert got["status"] == "closed" and "已协调供电公司" in got["status_notes"]
    root = ET.fromstring(client.get(f"{BASE}/requests/{rid}.xml", {"api_key": keys.key}).content)
    assert root.tag == "service_requests" and root.find("request/status").text == "closed"


def test_wrong_key_and_bad_posts(client, keys):
    for params in ({}, {"api_key": "o311_wrong"}):
        r = client.get(f"{BASE}/requests.json", params)
        assert r.status_code == 403 and r.json()[0]["code"] == 403
    r = client.post(f"{BASE}/requests.json", {"api_key": "o311_wrong", "service_code": "factor", "description": "x", "address_string": "a"})
    assert r.status_code == 403
    root = ET.fromstring(client.post(f"{BASE}/requests.xml", {"api_key": "bad"}).content)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    cases = [
        ({"service_code": "factor", "description": "x"}, 400),  # no location
        ({"service_code": "nope", "description": "x", "address_string": "a"}, 404),
        ({"service_code": "factor", "address_string": "a"}, 400),
        ({"service_code": "factor", "description": "x", "lat": "999", "long": "1"}, 400),
        ({"service_code": "factor", "description": "x", "lat": "abc", "long": "1"}, 400),
    ]
    for params, status in cases:
        r = client.post(f"{BASE}/requests.json", {"api_key": keys.key, **params})
        assert r.status_code == status, (params, r.content)
        assert isinstance(r.json(), list) and {"code", "description"} <= set(r.json()[0])
    assert not EnterpriseRequest.objects.exists()
    Open311Key.objects.filter(enterprise=keys.ent).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key}).status_code == 403


def test_key_command_prints_a_key_and_stores_its_hash(eng):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_key", "--enterprise", eng.ent.uscc, stdout=out, stderr=err)
    raw = out.getvalue().strip()
    key = Open311Key.objects.get()
    assert key.key_hash == hash_key(raw) and key.enterprise == eng.ent and raw not in key.key_hash
    out = io.StringIO()
    call_command("open311_key", "--enterprise", str(eng.other_ent.pk), stdout=out, stderr=io.StringIO())
    assert Open311Key.objects.filter(enterprise=eng.other_ent).count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311_key", "--enterprise", "999999", stdout=io.StringIO(), stderr=io.StringIO())
