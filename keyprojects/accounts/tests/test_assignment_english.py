"""A role assignment refused in the English UI: the field messages (the role's region level, a
department's unit) read in English; the Chinese page keeps the Chinese text (see
test_separation_of_duties)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db
MANAGE = "/accounts/manage/"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_assignment_is_validated_in_english(compiled, client, world):  # noqa: F811
    client.force_login(world.users.secadmin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    target = world.users.sibling
    page = client.post(f"{MANAGE}{target.pk}/", {"role": "city", "region": "370102"}).content.decode()
    assert "City staff needs a region at the level: City" in page and "须对应" not in page
    page = client.post(f"{MANAGE}{target.pk}/", {"role": "department"}).content.decode()
    assert "Department staff need their unit" in page and "须选择所属单位" not in page
    target.refresh_from_db()
    assert target.role == "county"
