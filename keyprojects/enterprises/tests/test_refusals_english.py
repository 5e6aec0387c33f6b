"""Refusals of the enterprise pages in the English UI: a USCC the checks refuse reads in English
at its field (and in Chinese as before), and an enterprise request in a state that does not
allow the step says its state in English; the service's message keeps the Chinese text."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from keyprojects.core.errors import TransitionNotAllowed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _uscc_error(client) -> str:
    r = client.post("/enterprises/new/", {"name": "新企业", "uscc": "91370102MA3C", "region": "370102"})
    assert r.status_code == 200
    return re.search(r'data-testid="error-uscc">([^<]+)<', r.content.decode()).group(1)


def test_a_bad_uscc_reads_in_english_at_its_field(compiled, world, client):  # noqa: F811
    client.force_login(world.users.city)
    assert _uscc_error(client) == "统一社会信用代码应为18位（当前12位）"
    _switch_to_english(client)
    said = _uscc_error(client)
    assert said == "A unified social credit code has 18 characters (this one has 12)" and not CJK.search(said)
    assert not Enterprise.objects.filter(name="新企业").exists()


def test_a_request_in_the_wrong_state_says_it_in_english(compiled):  # noqa: F811
    from keyprojects.engagement.models import EnterpriseRequest
    from keyprojects.engagement.services import _require

    with pytest.raises(TransitionNotAllowed) as caught:
        _require(EnterpriseRequest(status="closed"), ("submitted",))
    assert caught.value.as_dict()["message"] == "诉求当前为“已办结”，不能执行该操作"
    with translation.override("en"):
        assert caught.value.shown == "The request is “Completed”; this step is not possible"
