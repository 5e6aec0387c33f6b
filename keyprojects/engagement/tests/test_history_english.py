"""A request's history in English says what happened ("Acknowledged", "Routed"), not the label of
the button that does it ("Acknowledge", "Route"); the Chinese history is unchanged."""

from __future__ import annotations

import pytest
from django.conf import settings

from keyprojects.engagement.services import extension_ask, request_acknowledge

from .conftest import raise_request

pytestmark = pytest.mark.django_db


def test_the_history_reads_as_events_in_english(client, eng):
    req = raise_request(eng)  # routed to 济南市发改委 by the rule
    req = request_acknowledge(user=eng.users.department, req=req, expected_version=req.version, note="")
    extension_ask(user=eng.users.department, req=req, days=5, reason="需要现场踏勘")
    client.force_login(eng.users.city)
    chinese = client.get(f"/engagement/{req.pk}/").content.decode()
    for kind in ("提出诉求", "分办", "受理", "申请延期"):
        assert f"<strong>{kind}</strong>" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    for kind in ("Request raised", "Routed", "Acknowledged", "Extension asked for"):
        assert f"<strong>{kind}</strong>" in body
    for button in ("Raise a request", "Route", "Acknowledge", "Ask for an extension"):
        assert f"<strong>{button}</strong>" not in body


def test_the_request_contact_is_one_person_in_english(client, eng):
    """联系人 on a request is the one person to contact ("Contact person"); the enterprise page's
    list of contacts keeps "Contacts"."""
    client.force_login(eng.users.enterprise)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/engagement/new/").content.decode()
    assert ">Contact person<" in body and ">Contacts<" not in body
    req = raise_request(eng, contact_name="王经理", contact_phone="0531-88888888")
    body = client.get(f"/engagement/{req.pk}/").content.decode()
    assert ">Contact person</dt>" in body
