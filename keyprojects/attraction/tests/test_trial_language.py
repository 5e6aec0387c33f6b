"""The lead's own checks (Lead.clean) read in the page's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.attraction.tests.test_phone import form
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db


def test_a_future_date_obtained_is_refused_in_the_pages_language(compiled, world, client):  # noqa: F811
    client.force_login(world.users.county)
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(reverse("attraction:create"), form(obtained_on=later)).content.decode()
    assert "获取日期不能晚于今天" in page
    _switch_to_english(client)
    page = client.post(reverse("attraction:create"), form(obtained_on=later, investor_origin="in_province")).content.decode()
    assert "The date obtained cannot be later than today" in page and "unified social credit code" in page
    assert "获取日期不能晚于今天" not in page and "省内投资方" not in page
