"""Issue 11: API tokens expire, die with a password change, deactivation or role/scope change,
and are listed and revoked by their owner (API and page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from keyprojects.accounts.models import ApiToken
from keyprojects.accounts.services import user_change_password, user_set_active
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD

from .utils import error_of

TOKEN_URL = "/api/v1/auth/token/"
LIST_URL = "/api/v1/auth/tokens/"


def obtain(username: str = "lixia", name: str = "") -> str:
    r = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, "name": name}, format="json")
    assert r.status_code == 200, r.content
    return str(r.json()["token"])


def with_token(key: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def test_token_expires(world: Any, settings: Any) -> None:
    settings.KEYPROJECTS_API_TOKEN_DAYS = 7
    key = obtain()
    token = ApiToken.objects.get(user=world.users.county)
    assert dt.timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    assert with_token(key).get("/api/v1/projects/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    error_of(with_token(key).get("/api/v1/projects/"), 401, "authentication_failed")


def test_password_change_revokes_tokens(world: Any) -> None:
    """The issue: the old token still answered 200 after a password change."""
    key = obtain()
    user_change_password(user=world.users.county, new_password="New-Secret-2026!")
    error_of(with_token(key).get("/api/v1/projects/"), 401, "authentication_failed")
    assert AuditEvent.objects.filter(action="token_revoke", object_id=str(world.users.county.pk)).exists()


def test_deactivation_revokes_tokens(world: Any) -> None:
    key = obtain()
    user_set_active(user=world.users.county, active=False, actor=world.users.sysadmin)
    assert not ApiToken.objects.filter(user=world.users.county).exists()
    type(world.users.county).objects.filter(pk=world.users.county.pk).update(is_active=True)
    error_of(with_token(key).get("/api/v1/projects/"), 401, "authentication_failed")


def test_owner_lists_and_revokes_own_tokens_through_the_api(world: Any) -> None:
    k1, k2 = obtain(name="统计程序"), obtain(name="备用")
    other = obtain("shizhong")
    c = with_token(k1)
    rows = c.get(LIST_URL).json()
    assert [r["name"] for r in rows] == ["备用", "统计程序"]
    assert {r["prefix"] for r in rows} == {k1[:8], k2[:8]}
    assert all("token" not in r and "key_hash" not in r for r in rows)
    # Another user's token: 404, untouched.
    other_id = ApiToken.objects.get(user=world.users.sibling).pk
    error_of(c.delete(f"{LIST_URL}{other_id}/"), 404, "not_found")
    assert with_token(other).get(LIST_URL).status_code == 200
    # Revoke the second one.
    k2_id = next(r["id"] for r in rows if r["name"] == "备用")
    assert c.delete(f"{LIST_URL}{k2_id}/").status_code == 204
    error_of(with_token(k2).get(LIST_URL), 401, "authentication_failed")
    assert [r["name"] for r in c.get(LIST_URL).json()] == ["统计程序"]
    assert AuditEvent.objects.filter(action="token_revoke", actor_username="lixia").count() == 1
    error_of(APIClient().get(LIST_URL), 401, "not_authenticated")


def test_token_page_creates_shows_once_and_revokes(client: Any, world: Any) -> None:
    client.force_login(world.users.county)
    url = reverse("accounts:tokens")
    r = client.post(url, {"name": "报送脚本"})
    assert r.status_code == 200
    html = r.content.decode()
    token = ApiToken.objects.get(user=world.users.county)
    assert 'data-testid="new-token"' in html and token.prefix in html and "报送脚本" in html
    assert r.headers["Cache-Control"].startswith("max-age=0") or "no-store" in r.headers["Cache-Control"]
    again = client.get(url).content.decode()
    assert 'data-testid="new-token"' not in again and token.prefix in again
    r = client.post(url, {"revoke": str(token.pk)})
    assert r.status_code == 302 and not ApiToken.objects.filter(pk=token.pk).exists()
    # Someone else's token id: nothing happens to it.
    mine = ApiToken.objects.create(user=world.users.sibling, key_hash="x" * 64, prefix="xxxxxxxx", expires_at=timezone.now())
    client.post(url, {"revoke": str(mine.pk)})
    assert ApiToken.objects.filter(pk=mine.pk).exists()
