"""Open311 GeoReport v2 at /open311/v2/: services, POST with a key and read back, wrong key
403, another enterprise's requests invisible, jurisdiction_id, XML, the key command."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.engagement.choices import Source
from keyprojects.engagement.models import EnterpriseRequest, Open311Key, RequestCategory
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
    request_reply(user=keys.users.department, req=req, expected_version=req.version, reply="已协调供电公司")
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


# --- rate limits ---------------------------------------------------------------------------


@override_settings(KEYPROJECTS_OPEN311_KEY_FAILURES=(3, 600))
def test_failed_key_attempts_are_limited_per_address(client, keys):
    for _ in range(3):
        r = client.get(f"{BASE}/requests.json", {"api_key": "o311_guess"})
        assert r.status_code == 403
    # The 4th call from that address is refused before the key is looked at, even a right key,
    # with the Open311 error shape and a Retry-After within the window.
    for params in ({"api_key": "o311_guess"}, {"api_key": keys.key}):
        r = client.get(f"{BASE}/requests.json", params)
        assert r.status_code == 429
        assert 1 <= int(r["Retry-After"]) <= 600
        [err] = r.json()
        assert err["code"] == 429 and "api_key" in err["description"] and "秒后重试" in err["description"]
    r = client.post(f"{BASE}/requests.xml", {"api_key": keys.key, "service_code": "factor", "description": "x", "address_string": "济南"})
    assert r.status_code == 429 and r["Retry-After"]
    assert ET.fromstring(r.content).find("error/code").text == "429"
    assert client.get(f"{BASE}/requests/SQ1.json", {"api_key": keys.key}).status_code == 429
    # Another address is not affected; calls that need no key neither.
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key}, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(f"{BASE}/services.json").status_code == 200


@override_settings(KEYPROJECTS_OPEN311_KEY_FAILURES=(3, 600))
def test_right_keys_do_not_count_as_failures(client, keys):
    for _ in range(5):
        assert client.get(f"{BASE}/requests.json", {"api_key": keys.key}).status_code == 200
    assert client.get(f"{BASE}/requests.json", {"api_key": "wrong"}).status_code == 403


def test_key_failure_window_ends(client, keys, monkeypatch):
    from keyprojects.core import ratelimit

    now = [1_000_000_000.0]  # 40 s into a 60 s window
    monkeypatch.setattr(ratelimit, "_clock", lambda: now[0])
    with override_settings(KEYPROJECTS_OPEN311_KEY_FAILURES=(2, 60)):
        for _ in range(2):
            client.get(f"{BASE}/requests.json", {"api_key": "wrong"})
        r = client.get(f"{BASE}/requests.json", {"api_key": keys.key})
        assert r.status_code == 429 and r["Retry-After"] == "20"
        now[0] += 20
        assert client.get(f"{BASE}/requests.json", {"api_key": keys.key}).status_code == 200


@override_settings(KEYPROJECTS_OPEN311_SUBMISSIONS=(2, 60))
def test_submissions_per_key_are_limited(client, keys):
    def post(key, description="路灯不亮"):
        return client.post(
            f"{BASE}/requests.json", {"api_key": key, "service_code": "factor", "description": description, "address_string": "济南市"}
        )

    assert post(keys.key, "").status_code == 400  # a refused submission does not count
    assert post(keys.key).status_code == 201
    assert post(keys.key).status_code == 201
    before = EnterpriseRequest.objects.count()
    r = post(keys.key)
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60
    assert r.json()[0]["code"] == 429 and "提交过于频繁" in r.json()[0]["description"]
    assert EnterpriseRequest.objects.count() == before
    assert post(keys.other_key).status_code == 201  # per key
    assert client.get(f"{BASE}/requests.json", {"api_key": keys.key}).status_code == 200  # reads are not limited


def test_services_in_english_with_locale(compiled, client, eng):  # noqa: F811
    """``locale=en`` names the services in English (``name_en``; the Chinese where a category has
    none); without it, or with the web UI's language cookie or Accept-Language alone, Chinese as
    before. The shape of the answer is the same."""
    RequestCategory.objects.filter(code="other").update(name_en="")
    chinese = {s["service_code"]: s for s in client.get(f"{BASE}/services.json").json()}
    for locale in ("en", "en_US", "en-GB"):
        english = {s["service_code"]: s for s in client.get(f"{BASE}/services.json", {"locale": locale}).json()}
        assert english["factor"]["service_name"] == english["factor"]["description"] == "Factor support"
        assert english["factor"]["group"] == "Enterprise requests"
        assert english["other"]["service_name"] == "其他"  # no English name: the Chinese
        assert [set(s) for s in english.values()] == [set(s) for s in chinese.values()]
    assert chinese["factor"]["service_name"] == "要素保障" and chinese["factor"]["group"] == "企业诉求"
    assert chinese["factor"]["description"] == RequestCategory.objects.get(code="factor").description
    for answer in (
        client.get(f"{BASE}/services.json", {"locale": "zh_CN"}),
        client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en"),
    ):
        assert answer.json()[0]["service_name"] == "要素保障"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(f"{BASE}/services.json").json()[0]["service_name"] == "要素保障"
    root = ET.fromstring(client.get(f"{BASE}/services.xml", {"locale": "en"}).content)
    assert root.find("service/service_name").text == "Factor support"


def test_requests_in_english_with_locale(compiled, client, keys):  # noqa: F811
    """``locale=en`` on the requests calls too: the category's English name, the status and the
    notices in English; what people wrote (the description, the reply, the unit) as written.
    Without it Chinese, whatever the web UI's language cookie says."""
    posted = client.post(
        f"{BASE}/requests.json?locale=en",
        {"api_key": keys.key, "service_code": "factor", "description": "二期厂房用电增容", "address_string": "济南市历下区经十路9号"},
    )
    assert posted.status_code == 201, posted.content
    [answer] = posted.json()
    rid = answer["service_request_id"]
    assert answer["service_notice"].startswith("Registered: acknowledged by ") and "20" in answer["service_notice"]
    [en] = client.get(f"{BASE}/requests/{rid}.json", {"api_key": keys.key, "locale": "en"}).json()
    assert en["service_name"] == "Factor support" and en["status_notes"] == "Awaiting acknowledgement"
    assert en["service_notice"].startswith("Acknowledge by ") and en["description"] == "二期厂房用电增容"
    assert en["agency_responsible"] == keys.dept.name  # a unit's name is data
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the UI's choice does not decide here
    [zh] = client.get(f"{BASE}/requests.json", {"api_key": keys.key}).json()
    assert zh["service_name"] == "要素保障" and zh["status_notes"] == "待受理" and zh["service_notice"].startswith("受理时限 ")
    assert set(zh) == set(en)
    req = EnterpriseRequest.objects.get()
    request_reply(user=keys.users.department, req=req, expected_version=req.version, reply="已协调供电公司")
    [en] = client.get(f"{BASE}/requests.json", {"api_key": keys.key, "locale": "en_US"}).json()
    assert en["status"] == "closed" and en["status_notes"] == "Replied: 已协调供电公司"
    [zh] = client.get(f"{BASE}/requests.json", {"api_key": keys.key}).json()
    assert zh["status_notes"] == "已答复：已协调供电公司"
    root = ET.fromstring(client.get(f"{BASE}/requests/{rid}.xml", {"api_key": keys.key, "locale": "en"}).content)
    assert root.find("request/service_name").text == "Factor support"
