"""Issue 11: the client address behind a reverse proxy (TRUSTED_PROXIES), and lockout counted per
account (with backoff) and per address separately (reliability.md 17, 21)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from keyprojects.accounts.models import LoginAttempt
from keyprojects.audit.models import AuditEvent
from keyprojects.core.context import client_ip
from keyprojects.core.testing import PASSWORD

WRONG = "Wrong-Secret-42!"
BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "登录失败次数过多，账户已锁定"
PROXY = "10.0.0.5"


def post_login(client, username, password, ip="10.1.1.1", **meta):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **meta)


@pytest.mark.parametrize(
    "trusted,remote,xff,expected",
    [
        ([], PROXY, "203.0.113.7", PROXY),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from the proxy: ignored
        (["10.0.0.0/8"], PROXY, "203.0.113.7", "203.0.113.7"),
        (["10.0.0.0/8"], PROXY, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # spoofed left part ignored
        (["10.0.0.0/8"], PROXY, "203.0.113.7:5555", "203.0.113.7"),
        (["10.0.0.0/8"], PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (["10.0.0.0/8"], PROXY, "not-an-ip", PROXY),
        (["10.0.0.0/8"], PROXY, "10.0.0.7", PROXY),  # only proxies: the connecting address
        ([PROXY], PROXY, "203.0.113.7", "203.0.113.7"),
    ],
)
def test_client_ip_believes_x_forwarded_for_only_from_trusted_proxies(settings, trusted, remote, xff, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff)
    assert client_ip(request) == expected


def test_audit_records_the_real_client_behind_the_proxy(client, world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    post_login(client, "lixia", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AuditEvent.objects.get(action="login").ip == "203.0.113.7"


def test_behind_a_proxy_one_client_does_not_block_the_others(client, world, settings):
    """The issue: every client seemed to come from the proxy, so one could lock everybody out."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(settings.KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES):
        post_login(client, f"guess{i}", WRONG, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert LoginAttempt.objects.get(username="", ip="203.0.113.66").locked_until is not None
    assert not LoginAttempt.objects.filter(username="", ip=PROXY).exists()
    r = post_login(client, "lixia", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert r.status_code == 302


def test_one_address_cannot_lock_out_everyone(client, world, settings):
    """An address spraying wrong passwords over many accounts is blocked itself after
    KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES failures; from then on its attempts count against no account."""
    limit = settings.KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES
    names = ["lixia", "shizhong", "jinan", "prov", "fgw"]
    for i in range(limit - 1):
        r = post_login(client, names[i % len(names)] if i < 4 else f"ghost{i}", WRONG, ip="192.0.2.1")
        assert BAD_CREDENTIALS in r.content.decode()
    r = post_login(client, "ghost-last", WRONG, ip="192.0.2.1")
    assert LOCKED in r.content.decode()
    blocked = LoginAttempt.objects.get(username="", ip="192.0.2.1")
    assert dt.timedelta(minutes=29) < blocked.locked_until - timezone.now() <= dt.timedelta(minutes=30)
    assert AuditEvent.objects.filter(action="lockout", object_type="address", object_id="192.0.2.1").count() == 1
    # Blocked: even a right password from that address is refused …
    assert LOCKED in post_login(client, "lixia", PASSWORD, ip="192.0.2.1").content.decode()
    # … and hammering one account from it does not lock that account for others.
    for _ in range(10):
        post_login(client, "shizhong", WRONG, ip="192.0.2.1")
    assert not LoginAttempt.objects.filter(username="shizhong", locked_until__isnull=False).exists()
    for name in names:
        client.logout()
        assert post_login(client, name, PASSWORD, ip="192.0.2.200").status_code == 302, name


def test_many_addresses_cannot_guess_freely(client, world, settings):
    limit = settings.KEYPROJECTS_LOCKOUT_FAILURES
    for i in range(limit):
        post_login(client, "lixia", WRONG, ip=f"198.51.100.{i + 1}")
    for i in range(limit, limit + 3):
        r = post_login(client, "lixia", PASSWORD, ip=f"198.51.100.{i + 1}")
        assert LOCKED in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_locks_back_off(client, world, settings):
    limit = settings.KEYPROJECTS_LOCKOUT_FAILURES
    minutes = []
    for round_ in range(3):
        for i in range(limit):
            post_login(client, "lixia", WRONG, ip=f"198.51.{round_}.{i + 1}")
        row = LoginAttempt.objects.get(username="lixia", ip="")
        minutes.append(round((row.locked_until - timezone.now()).total_seconds() / 60))
        LoginAttempt.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert minutes == [30, 60, 120]
    messages = list(AuditEvent.objects.filter(action="lockout").order_by("id").values_list("message", flat=True))
    assert [m.split("锁定")[1].split("分钟")[0] for m in messages] == ["30", "60", "120"]
    # A successful login ends the backoff.
    assert post_login(client, "lixia", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="lixia").exists()


def test_a_success_does_not_reset_the_address_counter(client, world, settings):
    for i in range(5):
        post_login(client, f"ghost{i}", WRONG, ip="192.0.2.9")
    assert post_login(client, "lixia", PASSWORD, ip="192.0.2.9").status_code == 302
    assert LoginAttempt.objects.get(username="", ip="192.0.2.9").failures == 5


def test_same_message_for_unknown_and_known_when_locked(client, world, settings):
    bodies = []
    for name in ("lixia", "nosuchuser"):
        for i in range(settings.KEYPROJECTS_LOCKOUT_FAILURES):
            r = post_login(client, name, WRONG, ip=f"198.18.{len(bodies)}.{i + 1}")
        bodies.append(r.content.decode().replace(name, "USER"))
        assert LOCKED + "30分钟" in bodies[-1]
    assert bodies[0].count(LOCKED) == bodies[1].count(LOCKED)


def test_api_token_respects_the_address_block(client, world, settings):
    settings.KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES = 3
    url = reverse("api:token")
    for i in range(3):
        client.post(url, {"username": f"x{i}", "password": WRONG}, content_type="application/json", REMOTE_ADDR="192.0.2.77")
    r = client.post(url, {"username": "lixia", "password": PASSWORD}, content_type="application/json", REMOTE_ADDR="192.0.2.77")
    assert r.status_code == 403 and r.json()["code"] == "locked"
    r = client.post(url, {"username": "lixia", "password": PASSWORD}, content_type="application/json", REMOTE_ADDR="192.0.2.78")
    assert r.status_code == 200
