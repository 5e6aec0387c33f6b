"""A lead's refusals in the English UI: the stage machine, the required service items (their
names as written), the 到资 unit check and the reopen refusal read in English on the page; the
service's message (what the API answers) keeps its Chinese text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation

from keyprojects.attraction.models import ServiceItem
from keyprojects.attraction.services import lead_advance, lead_sign
from keyprojects.core.errors import TransitionNotAllowed
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TODAY = timezone.localdate


def _alerts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)]


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_step_outside_the_stage_machine_is_refused_in_english_and_kept_in_chinese(compiled, world, lead_of):  # noqa: F811
    lead = lead_of()
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        lead_sign(user=world.users.county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY(), amount="1")
    assert caught.value.as_dict()["message"] == "不能从“信息获取”直接变更为“签约”"
    with translation.override("en"):
        assert caught.value.shown == "Cannot go directly from “Lead intake” to “Signed”"
    with translation.override("zh-hans"):
        assert caught.value.shown == "不能从“信息获取”直接变更为“签约”"


def test_required_items_and_a_reopen_are_refused_in_english_on_the_page(compiled, client, world, lead_of):  # noqa: F811
    ServiceItem.objects.create(stage="info", name="投资方背景核查", required=True)
    ServiceItem.objects.create(stage="info", name="用地预审", required=True)
    lead = lead_of()
    c = _english(client, world.users.county)
    r = c.post(f"/attraction/{lead.pk}/step/advance/", {"version": lead.version, "on_date": TODAY().isoformat()})
    assert r.status_code == 409
    (alert,) = [a for a in _alerts(r.content.decode()) if "service items" in a]
    assert alert.startswith("Required service items of this stage are not done yet: ") and "投资方背景核查, 用地预审" in alert
    assert not CJK.search(alert.replace("投资方背景核查", "").replace("用地预审", "")), alert
    r = c.post(f"/attraction/{lead.pk}/step/reopen/", {"version": lead.version, "note": ""})
    assert r.status_code == 409 and "Only a dropped lead can be reopened" in r.content.decode()
    assert "只有已终止的线索可以重新启动" not in r.content.decode()
    with pytest.raises(TransitionNotAllowed) as caught:
        lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    assert caught.value.as_dict()["message"] == "本阶段还有必办服务事项未完成：投资方背景核查、用地预审"


def test_funds_typed_in_yuan_are_refused_in_english(compiled, client, world, lead_of):  # noqa: F811
    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip
    c = _english(client, county)
    r = c.post(f"/attraction/{lead.pk}/funds/", {"arrived_on": TODAY().isoformat(), "arrived_amount": "480000000", "note": ""})
    page = r.content.decode()
    assert r.status_code == 400
    assert "10000 times the signed amount of 48,000.00 (10k CNY): check that the amount is in 10k CNY" in page, page
    assert "请核对金额单位" not in page


def test_funds_dated_in_the_future_are_refused_in_english(compiled, client, world, lead_of):  # noqa: F811
    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip
    c = _english(client, county)
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    page = c.post(f"/attraction/{lead.pk}/funds/", {"arrived_on": tomorrow, "arrived_amount": "100", "note": ""}).content.decode()
    assert "The date funds arrived cannot be later than today" in page and "到资日期不能晚于今天" not in page


def test_funds_confirmation_refusals_in_english(compiled, client, world, lead_of):  # noqa: F811
    from keyprojects.attraction.services import fund_arrival_add

    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip
    entry = fund_arrival_add(user=county, lead=lead, arrived_on=TODAY(), arrived_amount="100")
    c = _english(client, county)
    page = c.post(f"/attraction/{lead.pk}/funds/{entry.pk}/decide/", {"version": entry.version, "decision": "confirm"}).content.decode()
    assert "Whoever recorded the funds cannot confirm them (four eyes)" in page and "四眼原则" not in page
    page = c.post(f"/attraction/{lead.pk}/funds/", {"arrived_on": TODAY().isoformat(), "arrived_amount": "-1"}).content.decode()
    assert "Amounts must not be negative" in page
    c = _english(client, world.users.county_clerk)
    page = c.post(f"/attraction/{lead.pk}/funds/{entry.pk}/decide/", {"version": entry.version, "decision": "return"}).content.decode()
    assert "Give the reason for returning it" in page
