"""Password rules, password change and session policy (reliability.md 16, 18)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from keyprojects.accounts.models import PasswordHistory
from keyprojects.accounts.services import password_expired, user_change_password, user_set_active
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ValidationFailed
from keyprojects.core.testing import PASSWORD

CHANGE_URL = "accounts:password_change"


def change(client, old, new1, new2=None):
    return client.post(reverse(CHANGE_URL), {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


@pytest.mark.parametrize(
    "candidate,message",
    [
        ("Ab1!xyz", "8"),  # 7 characters
        ("abcdefgh12", "至少3类"),  # two classes
        ("ABCDEFGH!!", "至少3类"),  # two classes
        ("Lixia12!", "相似"),  # too similar to the username
    ],
)
def test_password_rules(world, candidate, message):
    with pytest.raises(ValidationFailed) as exc:
        user_change_password(user=world.users.county, new_password=candidate)
    assert any(message in m for m in exc.value.extra["fields"]["new_password1"])


def test_minimum_length_message_is_chinese():
    from keyprojects.accounts.validators import MinimumLengthValidator

    v = MinimumLengthValidator(8)
    v.validate("Abcd-123")
    with pytest.raises(ValidationError) as exc:
        v.validate("Abc-123")
    assert exc.value.messages == ["密码太短，至少需要8个字符"]


def test_three_of_four_classes_is_enough(world):
    user = world.users.county
    for pw in ["qwerty-lake-99", "Qwertylake99", "QWERTY-LAKE-99"]:
        user_change_password(user=user, new_password=pw)
    user.refresh_from_db()
    assert user.check_password("QWERTY-LAKE-99")


def test_history_of_five(world):
    user = world.users.county
    passwords = [f"Hist-{i}-Pw#x" for i in range(1, 7)]
    for pw in passwords:
        user_change_password(user=user, new_password=pw)
    assert PasswordHistory.objects.filter(user=user).count() == 6
    for reused in [passwords[-1], passwords[-3], passwords[-5]]:  # current and recent ones
        with pytest.raises(ValidationFailed) as exc:
            user_change_password(user=user, new_password=reused)
        assert "最近5次" in exc.value.extra["fields"]["new_password1"][0]
    user_change_password(user=user, new_password=PASSWORD)  # the original is beyond the window now
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_view_shows_validator_messages_at_the_field(client, world):
    client.force_login(world.users.county)
    r = change(client, PASSWORD, "abcdefgh")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="error-new_password1"' in html and "至少3类" in html
    r = change(client, "not-the-old-one", "Fresh-Pass-2026")
    assert 'data-testid="error-old_password"' in r.content.decode()
    r = change(client, PASSWORD, "Fresh-Pass-2026", "Fresh-Pass-2027")
    assert 'data-testid="error-new_password2"' in r.content.decode()
    world.users.county.refresh_from_db()
    assert world.users.county.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password_change").exists()


def test_password_change_ends_the_users_other_sessions(client, world, django_user_model):
    from django.test import Client

    user = world.users.county
    other_device, someone_else = Client(), Client()
    other_device.force_login(user)
    someone_else.force_login(world.users.city)
    client.post(reverse("accounts:login"), {"username": "lixia", "password": PASSWORD})
    assert Session.objects.count() == 3

    r = change(client, PASSWORD, "Fresh-Pass-2026")
    assert r.status_code == 302 and r.url == "/"
    user.refresh_from_db()
    assert user.check_password("Fresh-Pass-2026") and not user.must_change_password
    # This browser stays logged in (new hash), the other device is out, other users are untouched.
    assert client.get(reverse(CHANGE_URL)).status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)
    r = other_device.get(reverse(CHANGE_URL))
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))
    assert someone_else.get(reverse(CHANGE_URL)).status_code == 200
    ev = AuditEvent.objects.get(action="password_change")
    assert ev.actor_username == "lixia" and "Fresh-Pass-2026" not in str(ev.changes)


def test_disabling_a_user_ends_their_sessions(client, world):
    client.force_login(world.users.county)
    user_set_active(user=world.users.county, active=False, actor=world.users.sysadmin)
    r = client.get(reverse(CHANGE_URL))
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


def test_password_expires_after_max_age(world, settings):
    user = world.users.county
    assert not password_expired(user)
    user.password_changed_at = timezone.now() - dt.timedelta(days=settings.KEYPROJECTS_PASSWORD_MAX_AGE_DAYS + 1)
    assert password_expired(user)


def _age_session(client, **offsets):
    s = client.session
    now = int(time.time())
    s["kp_started"] = now - offsets.get("started", 0)
    s["kp_seen"] = now - offsets.get("seen", 0)
    s.save()


def test_idle_timeout_logs_out(client, world, settings):
    client.force_login(world.users.auditor)
    _age_session(client, seen=settings.KEYPROJECTS_SESSION_IDLE_SECONDS - 60)
    assert client.get(reverse("audit:list")).status_code == 200
    _age_session(client, seen=settings.KEYPROJECTS_SESSION_IDLE_SECONDS + 1)
    r = client.get(reverse("audit:list"))
    assert r.status_code == 302 and r.url == "/accounts/login/?next=/audit/"
    assert "_auth_user_id" not in client.session


def test_absolute_timeout_logs_out_even_when_active(client, world, settings):
    client.force_login(world.users.auditor)
    _age_session(client, started=settings.KEYPROJECTS_SESSION_ABSOLUTE_SECONDS + 1, seen=5)
    r = client.get(reverse("audit:list"))
    assert r.status_code == 302 and "_auth_user_id" not in client.session
