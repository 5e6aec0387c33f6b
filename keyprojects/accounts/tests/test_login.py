"""Login, lockout and logout (reliability.md 17, 18, 21, 24)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from keyprojects.accounts.models import LoginAttempt
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD

WRONG = "Wrong-Secret-42!"
BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "登录失败次数过多，账户已锁定30分钟"


@pytest.fixture
def login_url():
    return reverse("accounts:login")


def post_login(client, username, password, ip="10.1.1.1", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def test_login_page_renders_chinese_form(client, db, login_url):
    r = client.get(login_url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "用户登录" in html and 'name="username"' in html and 'type="password"' in html


def test_login_success_is_audited_and_cycles_session_key(client, world):
    user = world.users.county
    s = client.session
    s["pre"] = 1
    s.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key
    r = post_login(client, "lixia", PASSWORD)
    assert r.status_code == 302 and r.url == "/"
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != s.session_key
    assert client.session["_auth_user_id"] == str(user.pk)
    ev = AuditEvent.objects.get(action="login")
    assert (ev.actor_id, ev.actor_username, ev.actor_role, ev.actor_region, ev.ip, ev.result) == (
        user.pk,
        "lixia",
        "county",
        "370102",
        "10.1.1.1",
        "success",
    )


@pytest.mark.parametrize(
    "next_url,expected",
    [("/audit/?page=2", "/audit/?page=2"), ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("", "/")],
)
def test_login_redirects_to_safe_next_only(client, world, next_url, expected):
    r = post_login(client, "lixia", PASSWORD, next=next_url)
    assert r.status_code == 302 and r.url == expected


def test_same_message_for_unknown_user_wrong_password_and_disabled_account(client, world):
    type(world.users.sibling).objects.filter(pk=world.users.sibling.pk).update(is_active=False)
    bodies = []
    for username, password in [("nobody", WRONG), ("lixia", WRONG), ("shizhong", PASSWORD)]:
        r = post_login(client, username, password)
        assert r.status_code == 200
        body = r.content.decode()
        assert BAD_CREDENTIALS in body
        bodies.append(body.replace(username, "USER"))
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.filter(action="login_failed").order_by("id")
    assert [(e.actor_username, e.result, e.actor_id) for e in failed] == [
        ("nobody", "failure", None),
        ("lixia", "failure", None),
        ("shizhong", "failure", None),
    ]


def test_five_failures_lock_the_account_for_thirty_minutes_from_every_address(client, world):
    for i in range(4):
        r = post_login(client, "lixia", WRONG, ip=f"10.1.1.{i + 1}")  # spread over addresses: still counted
        assert BAD_CREDENTIALS in r.content.decode(), i
    r = post_login(client, "lixia", WRONG)
    assert LOCKED in r.content.decode()
    attempt = LoginAttempt.objects.get(username="lixia", ip="")
    remaining = attempt.locked_until - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    assert AuditEvent.objects.filter(action="lockout", actor_username="lixia", ip="10.1.1.1").count() == 1
    assert AuditEvent.objects.filter(action="login_failed", actor_username="lixia").count() == 5

    # The right password does not get in while locked, from any address, and does not extend the lock.
    for ip in ("10.1.1.1", "10.9.9.9"):
        r = post_login(client, "lixia", PASSWORD, ip=ip)
        assert LOCKED in r.content.decode()
    assert "_auth_user_id" not in client.session
    attempt.refresh_from_db()
    assert attempt.locked_until - timezone.now() <= remaining
    assert AuditEvent.objects.filter(action="lockout").count() == 1

    # Another user on the same address is not locked.
    assert post_login(client, "shizhong", PASSWORD).status_code == 302


def test_unknown_user_is_locked_the_same_way(client, db):
    for _ in range(4):
        assert BAD_CREDENTIALS in post_login(client, "ghost", WRONG).content.decode()
    assert LOCKED in post_login(client, "ghost", WRONG).content.decode()
    assert AuditEvent.objects.filter(action="lockout", actor_username="ghost").exists()


def test_lock_expires(client, world):
    for _ in range(5):
        post_login(client, "lixia", WRONG)
    assert LOCKED in post_login(client, "lixia", PASSWORD).content.decode()
    LoginAttempt.objects.filter(username="lixia").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    r = post_login(client, "lixia", PASSWORD)
    assert r.status_code == 302
    assert not LoginAttempt.objects.filter(username="lixia").exists()  # success clears the counter


def test_expired_lock_counts_afresh(client, world):
    for _ in range(5):
        post_login(client, "lixia", WRONG)
    LoginAttempt.objects.filter(username="lixia").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    r = post_login(client, "lixia", WRONG)
    assert BAD_CREDENTIALS in r.content.decode()
    assert LoginAttempt.objects.get(username="lixia").failures == 1


def test_logout_is_post_only_and_audited(client, world):
    client.force_login(world.users.county)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    r = client.post(reverse("accounts:logout"))
    assert r.status_code == 302 and r.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="logout", actor_username="lixia").count() == 1


def test_logs_never_contain_passwords(client, world):
    secret = "Very-Secret-Pa55!"
    post_login(client, "lixia", secret)
    post_login(client, "nobody", secret)
    post_login(client, "lixia", PASSWORD)
    dumped = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())
    assert AuditEvent.objects.count() == 3
    assert secret not in dumped and PASSWORD not in dumped


def test_failed_login_page_does_not_echo_the_password(client, world):
    secret = "Echo-Secret-77!"
    body = post_login(client, "lixia", secret).content.decode()
    assert secret not in body
    assert 'value="lixia"' in body  # the username is kept for the retry


def test_crlf_in_username_is_escaped_in_the_log(client, db):
    post_login(client, "evil\r\n2026-01-01 login ok root", WRONG)
    ev = AuditEvent.objects.get(action="login_failed")
    assert "\r" not in ev.actor_username and "\n" not in ev.actor_username
    assert ev.actor_username == "evil\\r\\n2026-01-01 login ok root"


def test_forced_password_change_after_login(client, world):
    user = world.users.county
    type(user).objects.filter(pk=user.pk).update(must_change_password=True)
    r = post_login(client, "lixia", PASSWORD)
    assert r.status_code == 302 and r.url == reverse("accounts:password_change")
    # Any other page sends the user back to the change form until the password is changed.
    r = client.get(reverse("audit:list"))
    assert r.status_code == 302 and r.url == reverse("accounts:password_change")
    r = client.get(reverse("accounts:password_change"))
    assert r.status_code == 200 and 'data-testid="password-forced"' in r.content.decode()
