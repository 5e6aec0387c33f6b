"""联系电话 of a lead: the one telephone rule (core.validators.validate_phone) on the page and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.attraction.models import Lead
from keyprojects.core.validators import PHONE_MESSAGE

pytestmark = pytest.mark.django_db


def form(**extra):
    return {
        "name": "储能电池项目", "investor_name": "深圳储能科技有限公司", "investor_origin": "out_province", "source": "business",
        "intended_amount": "80000", "obtained_on": timezone.localdate().isoformat(), **extra,
    }  # fmt: skip


def test_lead_page_refuses_letters_and_keeps_real_numbers(world, client):
    client.force_login(world.users.county)
    r = client.post(reverse("attraction:create"), form(contact_phone="abc123"))
    assert r.status_code == 200 and r.context["form"].errors["contact_phone"] == [PHONE_MESSAGE]
    assert not Lead.objects.exists()
    r = client.post(reverse("attraction:create"), form(contact_phone="0531-88888888"))
    assert r.status_code == 302
    lead = Lead.objects.get()
    r = client.post(reverse("attraction:edit", args=[lead.pk]), {**form(contact_phone="13800000000"), "version": lead.version})
    assert r.status_code == 302, r.context["form"].errors
    lead.refresh_from_db()
    assert lead.contact_phone == "13800000000"


def test_lead_api_refuses_letters(world, api_as):
    from .test_api import URL, body

    c = api_as(world.users.county)
    r = c.post(URL, body(contact_phone="abc123"), format="json")
    assert r.status_code == 400 and PHONE_MESSAGE in str(r.json()), r.content.decode()
    r = c.post(URL, body(contact_phone="13800000000"), format="json")
    assert r.status_code == 201, r.content.decode()
    lead = r.json()
    r = c.patch(f"{URL}{lead['id']}/", {"contact_phone": "0531-8888abcd", "version": lead["version"]}, format="json")
    assert r.status_code == 400 and PHONE_MESSAGE in str(r.json()), r.content.decode()
    r = c.patch(f"{URL}{lead['id']}/", {"contact_phone": "0531-88888888", "version": lead["version"]}, format="json")
    assert r.status_code == 200 and r.json()["contact_phone"] == "0531-88888888", r.content.decode()
