"""A project's stage change refused in the English UI (no such step, no reason, nothing to
resume): the flash message in English with the stages' English names; the Chinese page and the
service's message keep the Chinese text."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.errors import TransitionNotAllowed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.tests.test_views_review import messages_of
from keyprojects.projects.services import project_transition

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_refused_stage_changes_read_in_english(compiled, world, client):  # noqa: F811
    p = world.projects.own_county
    url = f"/projects/{p.pk}/transition/"
    client.force_login(world.users.county)
    (zh,) = messages_of(client.post(url, {"to_stage": "resume", "version": p.version}, follow=True))
    assert zh == "只有停缓建的项目可以恢复"
    _switch_to_english(client)
    said = messages_of(client.post(url, {"to_stage": "resume", "version": p.version}, follow=True))
    assert said == ["Only a suspended project can be resumed"]
    client.post(url, {"to_stage": "preparation", "version": p.version}, follow=True)
    p.refresh_from_db()
    said = messages_of(client.post(url, {"to_stage": "effective", "version": p.version}, follow=True))
    assert said == ["Cannot go directly from “Preparation” to “At designed output”"]
    (said,) = messages_of(client.post(url, {"to_stage": "suspended", "reason": " ", "version": p.version}, follow=True))
    assert said.startswith("Enter a reason") and said.endswith("Suspending or cancelling a project requires a reason")
    assert not CJK.search(said), said
    with pytest.raises(TransitionNotAllowed) as caught:
        project_transition(user=world.users.county, project=p, to_stage="effective")
    assert caught.value.as_dict()["message"] == "不能从“前期手续”直接变更为“达效”"
