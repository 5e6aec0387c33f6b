"""A commitment's refusals in the English UI (four eyes on a confirmation, a second claim, a
claim dated in the future) read in English; the Chinese page and the service's message keep the
Chinese text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from keyprojects.core.errors import PermissionDenied
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.tests.test_views_review import messages_of
from keyprojects.partnership.services import commitment_confirm

pytestmark = pytest.mark.django_db


def test_four_eyes_and_a_second_claim_are_refused_in_english(compiled, client, world, deal):  # noqa: F811
    gov = deal.commitments.get(party="government")
    ent = deal.commitments.get(party="enterprise")
    client.force_login(world.users.county)
    url = reverse("partnership:claim", args=[gov.pk])
    client.post(url, {"version": gov.version, "result": "fulfilled", "evidence_text": "已交地"}, follow=True)
    gov.refresh_from_db()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(reverse("partnership:confirm", args=[gov.pk]), {"version": gov.version, "decision": "accept"}, follow=True)
    assert messages_of(r) == ["Whoever recorded a fulfilment cannot confirm it (four eyes)"]
    r = client.post(reverse("partnership:claim", args=[gov.pk]), {"version": gov.version, "result": "fulfilled", "evidence_text": "再次"})
    page = r.content.decode() if r.status_code != 302 else client.get(r["Location"]).content.decode()
    assert "The fulfilment of this commitment is already recorded and cannot be recorded again" in page
    assert "该承诺已登记履约情况" not in page
    client.force_login(world.users.enterprise)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = client.post(
        reverse("partnership:claim", args=[ent.pk]),
        {"version": ent.version, "result": "fulfilled", "evidence_text": "审计报告", "claimed_on": tomorrow},
    )
    page = r.content.decode() if r.status_code != 302 else client.get(r["Location"]).content.decode()
    assert "The fulfilment date cannot be later than today" in page and "履约日期不能晚于今天" not in page
    client.force_login(world.users.county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    r = client.post(reverse("partnership:confirm", args=[gov.pk]), {"version": gov.version, "decision": "accept"}, follow=True)
    assert messages_of(r) == ["登记履约的人不能确认自己的登记（四眼原则）"]
    with pytest.raises(PermissionDenied) as caught:
        commitment_confirm(actor=world.users.county, commitment=gov, accept=True, expected_version=gov.version)
    assert caught.value.as_dict()["message"] == "登记履约的人不能确认自己的登记（四眼原则）"


def test_a_confirmed_fulfilment_names_who_confirmed_it_in_english(compiled, client, world, deal):  # noqa: F811
    """A commitment's confirmation reads "Confirmed by" in English — the dispatch flag's
    "Acknowledged by" is another act."""
    from keyprojects.partnership.services import commitment_claim

    gov = deal.commitments.get(party="government")
    u = world.users
    gov = commitment_claim(actor=u.county, commitment=gov, expected_version=gov.version, result="fulfilled", evidence_text="已交地")
    commitment_confirm(actor=world.users.city, commitment=gov, expected_version=gov.version, accept=True)
    client.force_login(world.users.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    assert "Confirmed by: " in page and "Acknowledged by" not in page
