"""联系电话 of a 包联 official: the one telephone rule (core.validators.validate_phone) on the profile page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyprojects.core.validators import PHONE_MESSAGE
from keyprojects.partnership.models import EnterpriseLiaison

pytestmark = pytest.mark.django_db


def test_liaison_form_refuses_letters_and_keeps_real_numbers(client, world):
    client.force_login(world.users.city)
    url = reverse("partnership:liaison", args=[world.ent.pk])
    r = client.post(url, {"l-official": world.users.county.pk, "l-phone": "abc123"})
    assert r.status_code == 400 and r.context["liaison_form"].errors["phone"] == [PHONE_MESSAGE]
    assert not EnterpriseLiaison.objects.exists()
    r = client.post(url, {"l-official": world.users.county.pk, "l-phone": "0531-88888888"})
    assert r.status_code == 302
    r = client.post(url, {"l-official": world.users.county.pk, "l-phone": "13800000000", "l-version": "1"})
    assert r.status_code == 302
    assert EnterpriseLiaison.objects.get(enterprise=world.ent).phone == "13800000000"
