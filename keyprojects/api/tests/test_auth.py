"""Token and session authentication; the token endpoint goes through the lockout backend."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.middleware.csrf import get_token
from django.test import RequestFactory
from rest_framework.test import APIClient

from keyprojects.accounts.models import ApiToken, LoginAttempt
from keyprojects.accounts.services import token_user
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD

from .utils import error_of

TOKEN_URL = "/api/v1/auth/token/"


def test_token_obtain_and_use(api: APIClient, world: Any) -> None:
    r = api.post(TOKEN_URL, {"username": "lixia", "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    key = r.json()["token"]
    assert token_user(key) == world.users.county
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored
    assert AuditEvent.objects.filter(action="login", actor_username="lixia").exists()
    # each request issues a new token (listed and revocable by its owner)
    assert api.post(TOKEN_URL, {"username": "lixia", "password": PASSWORD}, format="json").json()["token"] != key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    names = {p["name"] for p in client.get("/api/v1/projects/").json()["results"]}
    assert names == {"历下区项目"}
    p = world.projects.own_county
    r = client.patch(f"/api/v1/projects/{p.pk}/", {"location": "经十路", "version": p.version}, format="json")
    assert r.status_code == 200, r.content  # token requests need no CSRF token


def test_bad_token(world: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    error_of(client.get("/api/v1/projects/"), 401, "authentication_failed")


def test_inactive_users_token_stops_working(api: APIClient, world: Any) -> None:
    key = api.post(TOKEN_URL, {"username": "lixia", "password": PASSWORD}, format="json").json()["token"]
    type(world.users.county).objects.filter(pk=world.users.county.pk).update(is_active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    error_of(client.get("/api/v1/projects/"), 401, "authentication_failed")


def test_wrong_credentials_look_the_same(api: APIClient, world: Any) -> None:
    wrong = api.post(TOKEN_URL, {"username": "lixia", "password": "wrong-Pass-1"}, format="json")
    unknown = api.post(TOKEN_URL, {"username": "nobody", "password": "wrong-Pass-1"}, format="json")
    error_of(wrong, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    assert wrong.json()["message"] == "用户名或密码错误"
    assert LoginAttempt.objects.get(username="lixia").failures == 1
    assert AuditEvent.objects.filter(action="login_failed", actor_username="nobody").exists()
    error_of(api.post(TOKEN_URL, {"username": "lixia"}, format="json"), 400, "invalid")


def test_lockout_applies_to_tokens(api: APIClient, world: Any) -> None:
    limit = settings.KEYPROJECTS_LOCKOUT_FAILURES
    for _ in range(limit - 1):
        error_of(api.post(TOKEN_URL, {"username": "lixia", "password": "wrong-Pass-1"}, format="json"), 401, "invalid_credentials")
    error_of(api.post(TOKEN_URL, {"username": "lixia", "password": "wrong-Pass-1"}, format="json"), 403, "locked")
    # the right password does not help while locked
    error_of(api.post(TOKEN_URL, {"username": "lixia", "password": PASSWORD}, format="json"), 403, "locked")
    assert not ApiToken.objects.filter(user=world.users.county).exists()
    assert AuditEvent.objects.filter(action="lockout", actor_username="lixia").count() == 1


def test_no_token_while_password_must_change(api: APIClient, world: Any) -> None:
    u = world.users.county
    u.must_change_password = True
    u.save(update_fields=["must_change_password"])
    error_of(api.post(TOKEN_URL, {"username": "lixia", "password": PASSWORD}, format="json"), 403, "password_expired")
    assert not ApiToken.objects.filter(user=u).exists()


def test_session_auth_with_csrf(world: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="lixia", password=PASSWORD)
    assert client.get("/api/v1/projects/").status_code == 200
    p = world.projects.own_county
    error_of(client.patch(f"/api/v1/projects/{p.pk}/", {"location": "x", "version": p.version}, format="json"), 403, "permission_denied")
    # With the CSRF cookie and header the UI's pages send, the session may write.
    fake = RequestFactory().get("/")
    token = get_token(fake)
    client.cookies[settings.CSRF_COOKIE_NAME] = fake.META["CSRF_COOKIE"]
    r = client.patch(f"/api/v1/projects/{p.pk}/", {"location": "经十路", "version": p.version}, format="json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200, r.content
