"""403 and 404 in the site's frame: what happened and what to do, with the menu and a way home,
in the user's language (Django's bare "403 Forbidden" told an enterprise contact nothing)."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_forbidden_says_why_and_what_to_do(client, world):
    client.force_login(world.users.enterprise)  # leads are confidential: no enterprise contact sees them
    response = client.get("/attraction/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="forbidden"' in page and "没有权限" in page and "企业联系人" in page
    assert "请联系安全管理员" in page and 'href="/"' in page and "navbar" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/attraction/").content.decode()
    assert "Access denied" in page and "Enterprise contact" in page and "没有权限" not in page


def test_not_found_says_it_may_be_out_of_scope(client, world):
    client.force_login(world.users.enterprise)
    response = client.get("/engagement/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="not-found"' in page and "不在您的查看范围内" in page and 'href="/"' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in client.get("/engagement/999999/").content.decode()
