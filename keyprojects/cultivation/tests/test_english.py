"""The 双50 pages in English: a list's title, the services' refusals and the flash messages built in
Python read in English, and a carried-over entry's stored reason is said again; the stored text
stays Chinese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.cultivation.models import CultivationEntry
from keyprojects.cultivation.services import list_create
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    _switch_to_english(client)
    return client


def test_list_title_and_messages_in_english(compiled, client, world, clist):  # noqa: F811
    c = english(client, world.users.city)
    for url in (reverse("cultivation:overview"), reverse("cultivation:list", args=[clist.pk])):
        page = c.get(url).content.decode()
        assert "济南市 2026 cultivation list: Backbone enterprises" in page and "2026年骨干企业培育名单" not in page
    head = page.split('data-testid="entries"', 1)[1].split("</thead>", 1)[0]  # the list's columns: one enterprise a row
    assert '<th scope="col">Enterprise</th>' in head and "Enterprises" not in head
    r = c.post(reverse("cultivation:nominate", args=[clist.pk]), {"enterprise": world.ent.pk, "reason": "龙头企业"}, follow=True)
    assert "Nominated; waiting for someone" in r.content.decode() and "已推荐，待他人审定" not in r.content.decode()
    entry = CultivationEntry.objects.get(cultivation_list=clist, enterprise=world.ent)
    r = c.post(reverse("cultivation:decide", args=[entry.pk]), {"version": entry.version, "decision": "admit"}, follow=True)
    page = r.content.decode()
    assert "Whoever nominated an enterprise cannot decide on it (four eyes)" in page and "推荐人不能审定" not in page
    c = english(client, world.users.province)
    r = c.post(reverse("cultivation:decide", args=[entry.pk]), {"version": entry.version, "decision": "reject", "note": ""})
    assert r.status_code == 400 and "Give a reason for not admitting it" in r.content.decode()
    assert "不予入选须说明理由" not in r.content.decode()


def test_carry_over_in_english(compiled, client, world, admitted):  # noqa: F811
    nxt = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2027, kind="backbone")
    c = english(client, world.users.county)
    r = c.post(reverse("cultivation:carry_over", args=[nxt.pk]), follow=True)
    assert "Nominated 1 enterprise admitted last year" in r.content.decode() and "已推荐上年度" not in r.content.decode()
    entry = CultivationEntry.objects.get(cultivation_list=nxt)
    assert entry.reason == "2026年度已入选，动态调整复核"  # stored in Chinese
    page = c.get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
    assert "Admitted in 2026; reviewed again" in page and "年度已入选" not in page
    r = c.post(reverse("cultivation:carry_over", args=[admitted.cultivation_list_id]), follow=True)
    assert "There is no list of the same kind for the previous year" in r.content.decode()


def test_the_api_refusal_is_the_apps_own_and_catalogued(compiled, world):  # noqa: F811
    """A user who may not see the 双50 lists gets their own refusal from the API (code
    ``permission_denied``; the message as written, like every API message), a source string of the
    catalogue that reads in English wherever it is shown in English."""
    import re

    from django.utils import translation
    from rest_framework.test import APIClient

    from keyprojects.core.errors import shown
    from keyprojects.cultivation.api import _Guarded

    c = APIClient()
    c.force_authenticate(world.users.sysadmin)
    c.cookies["django_language"] = "en"
    for url in ("/api/v1/cultivation/lists/", "/api/v1/cultivation/entries/"):
        r = c.get(url)
        assert r.status_code == 403 and r.json() == {"code": "permission_denied", "message": _Guarded.refusal, "extra": {}}
    assert _Guarded.refusal == "没有查看双50培育名单的权限"
    with translation.override("en"):
        english = shown(_Guarded.refusal)
        assert english == "You may not view the “Double 50” cultivation lists" and not re.search(r"[\u3400-\u9fff]", english)
