"""A user's name as pages show it: a Chinese name family name first without a space (张三), any
other "First Last" (account management, the audit log, every ``|person``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyprojects.accounts.models import User

pytestmark = pytest.mark.django_db


def test_full_name_follows_the_names_language():
    assert User(last_name="张", first_name="三").get_full_name() == "张三"
    assert User(last_name="欧阳", first_name="修").get_full_name() == "欧阳修"
    assert User(last_name="Smith", first_name="Anna").get_full_name() == "Anna Smith"
    assert User(last_name="", first_name="王五").get_full_name() == "王五"
    assert User().get_full_name() == ""


def test_account_management_shows_zhang_san(world, client):
    u = world.users.county
    User.objects.filter(pk=u.pk).update(last_name="张", first_name="三")
    client.force_login(world.users.secadmin)
    page = client.get(reverse("accounts:manage_user", kwargs={"pk": u.pk})).content.decode()
    assert "张三" in page and "三 张" not in page
    page = client.get(reverse("accounts:manage")).content.decode()
    assert "张三" in page and "三 张" not in page
