"""The brand selection pages in English: the services' refusals, field errors and flash messages
built in Python (with their values: a status, a number of years, a cap) read in English, and the
round's title has no 年; the Chinese UI and the API keep the Chinese text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyprojects.brands.models import BrandApplication
from keyprojects.brands.services import application_create, round_advance
from keyprojects.core.errors import TransitionNotAllowed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

from .conftest import good, to_reviewing

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    _switch_to_english(client)
    return client


def test_round_page_and_a_refused_step_in_english(compiled, client, world, rnd):  # noqa: F811
    c = english(client, world.users.city)
    page = c.get(reverse("brands:round", args=[rnd.pk])).content.decode()
    assert "Close applications, start review" in page and f"{rnd.year} 第一批" in page and f"{rnd.year}年" not in page
    r = c.post(reverse("brands:round_step", args=[rnd.pk]), {"version": rnd.version, "to_status": "published"}, follow=True)
    page = r.content.decode()
    assert "The round is “Open for applications” and cannot become" in page
    assert "批次当前为" not in page and "不能改为" not in page
    rnd.refresh_from_db()
    r = c.post(reverse("brands:round_step", args=[rnd.pk]), {"version": rnd.version, "to_status": "reviewing"})
    page = r.content.decode()  # the window still runs: a confirmation first
    assert "Confirm closing applications early" in page and f"runs until {rnd.closes_on.isoformat()}" in page
    assert "ends applications 30 days early" in page and "0 applications are still drafts" in page and "草稿" not in page
    step = {"version": rnd.version, "to_status": "reviewing", "confirm": "1"}
    r = c.post(reverse("brands:round_step", args=[rnd.pk]), step, follow=True)
    assert "Round status updated" in r.content.decode() and "批次状态已更新" not in r.content.decode()


def test_submission_refused_with_reasons_in_english(compiled, client, world, rnd):  # noqa: F811
    app = application_create(actor=world.users.enterprise, round=rnd, data=good(years_in_city=2, is_advanced=False))
    c = english(client, world.users.enterprise)
    r = c.post(reverse("brands:submit", args=[app.pk]), {"version": app.version})
    page = r.content.decode()
    assert r.status_code == 400
    assert "At least 3 years of operation in 济南市 are required" in page
    assert "Must be met and confirmed: " in page and "须符合并确认" not in page and "经营须满" not in page
    assert BrandApplication.objects.get(pk=app.pk).status == "draft"


def test_review_and_decision_messages_in_english(compiled, client, world, rnd, submitted):  # noqa: F811
    c = english(client, world.users.county)
    r = c.post(reverse("brands:review", args=[submitted.pk]), {"decision": "pass"})  # a stale or hand-made form
    assert r.status_code == 400 and "version is missing; reload the page and try again" in r.content.decode()
    assert "缺少版本号" not in r.content.decode()
    r = c.post(reverse("brands:review", args=[submitted.pk]), {"version": submitted.version, "decision": "return", "note": ""})
    assert r.status_code == 400 and "Give a reason for returning it" in r.content.decode() and "退回须说明理由" not in r.content.decode()
    r = c.post(reverse("brands:review", args=[submitted.pk]), {"version": submitted.version, "decision": "pass"}, follow=True)
    assert "Preliminary review saved" in r.content.decode() and "初审意见已保存" not in r.content.decode()
    to_reviewing(world, rnd)
    app = BrandApplication.objects.get(pk=submitted.pk)
    c = english(client, world.users.city)
    c.post(reverse("brands:score", args=[app.pk]), {"version": app.version, "score": "88"})
    app.refresh_from_db()
    c = english(client, world.users.province)
    r = c.post(reverse("brands:decide", args=[app.pk]), {"version": app.version, "decision": "select", "reward_amount": "12"})
    page = r.content.decode()
    assert r.status_code == 400 and "The reward must not exceed 10 (10k CNY)" in page and "不能超过10万元" not in page


def test_the_refusal_keeps_its_chinese_text_for_the_api(world, rnd):
    with pytest.raises(TransitionNotAllowed) as caught:
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="published")
    assert caught.value.as_dict()["message"] == "批次当前为“申报中”，不能改为“已公布”"


def test_the_api_refusal_is_the_apps_own_and_catalogued(compiled, world, rnd):  # noqa: F811
    """A user who may not see the brand selection gets its own refusal from the API (code
    ``permission_denied``; the message as written, like every API message), a source string of the
    catalogue that reads in English wherever it is shown in English."""
    from django.utils import translation
    from rest_framework.test import APIClient

    from keyprojects.brands.api import _BrandsAPI
    from keyprojects.core.errors import shown

    c = APIClient()
    c.force_authenticate(world.users.sysadmin)
    c.cookies["django_language"] = "en"
    for url in ("/api/v1/brands/rounds/", "/api/v1/brands/applications/"):
        r = c.get(url)
        assert r.status_code == 403 and r.json() == {"code": "permission_denied", "message": _BrandsAPI.refusal, "extra": {}}
    assert _BrandsAPI.refusal == "没有查看“泉城好品”品牌遴选的权限"
    with translation.override("en"):
        assert shown(_BrandsAPI.refusal) == "You may not view the “Quancheng Good Products” brand selection"


def test_who_submitted_reads_as_submitted_in_english(compiled, client, world, submitted):  # noqa: F811
    """The application's "提交" line names who submitted it: "Submitted", not the button's "Submit"."""
    client.force_login(world.users.city)
    _switch_to_english(client)
    page = client.get(reverse("brands:application", args=[submitted.pk])).content.decode()
    assert '<dt class="col-sm-2">Submitted</dt>' in page and '<dt class="col-sm-2">Submit</dt>' not in page
