"""Second factor (TOTP, django-otp) for administrators, issue 11 / reliability.md 19. The only
tests that turn ``KEYPROJECTS_OTP_REQUIRED`` on."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD


@pytest.fixture
def required(settings):
    settings.KEYPROJECTS_OTP_REQUIRED = True


def code(device: TOTPDevice, offset: int = 0) -> str:
    t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    t.time = t.time + offset * device.step
    return f"{t.token():0{device.digits}d}"


def unthrottle(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()


def login(client, username):
    r = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.2.2.2")
    assert r.status_code == 302, r.content.decode()[:500]
    return r


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor", "superuser"])
def test_administrators_must_enroll_then_verify(client, world, required, who):
    user = getattr(world.users, who)
    login(client, user.username)
    r = client.get("/accounts/manage/" if who != "auditor" else "/audit/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:otp_setup"))
    assert client.get("/api/v1/projects/").json()["code"] == "otp_required"
    page = client.get(reverse("accounts:otp_setup"))
    assert 'data-testid="otp-key"' in page.content.decode() and 'data-testid="otp-qr"' in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()  # a page view writes nothing
    pending = TOTPDevice(user=user, key=client.session["kp_otp_pending_key"])
    shown = base64.b32encode(pending.bin_key).decode()
    assert shown[:4] in page.content.decode() and shown[:4] in client.get(reverse("accounts:otp_setup")).content.decode()
    r = client.post(reverse("accounts:otp_setup"), {"token": "000000" if code(pending) != "000000" else "111111"})
    assert "验证码不正确" in r.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)  # a try saves it (django-otp throttles tries)
    assert device.key == pending.key
    unthrottle(device)  # django-otp delays the next try after a failure
    r = client.post(reverse("accounts:otp_setup"), {"token": code(device), "next": "/"})
    assert r.status_code == 302
    assert client.get("/audit/" if who in ("auditor", "superuser") else "/accounts/manage/").status_code == 200
    assert AuditEvent.objects.filter(action="otp_enroll", object_id=str(user.pk)).exists()

    # Next login: the code is asked for; a wrong one keeps the session out.
    client.post(reverse("accounts:logout"))
    login(client, user.username)
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:otp_verify"))
    device.refresh_from_db()
    r = client.post(reverse("accounts:otp_verify"), {"token": "12345"})
    assert "验证码不正确" in r.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed", object_id=str(user.pk)).exists()
    unthrottle(device)
    r = client.post(reverse("accounts:otp_verify"), {"token": code(device, offset=1), "next": "/"})
    assert r.status_code == 302 and r.url == "/"
    assert AuditEvent.objects.filter(action="otp_verify", object_id=str(user.pk)).exists()


def test_first_login_enrols_the_authenticator_then_changes_the_initial_password(client, world, required):
    """README, production step 5: a new administrator's first login (create_admin's one-time
    password) asks for the authenticator first, then for the new password; neither page contradicts it."""
    user = world.users.sysadmin
    type(user).objects.filter(pk=user.pk).update(must_change_password=True)
    r = login(client, user.username)
    assert r.url == reverse("accounts:password_change")
    r = client.get(r.url)
    assert r.status_code == 302 and r.url == f"{reverse('accounts:otp_setup')}?next={reverse('accounts:password_change')}"
    page = client.get(r.url).content.decode()
    assert 'data-testid="otp-required"' in page and 'data-testid="otp-key"' in page
    assert "请先修改密码" not in page  # the page asks for the authenticator, nothing else
    device = TOTPDevice(user=user, key=client.session["kp_otp_pending_key"])
    r = client.post(reverse("accounts:otp_setup"), {"token": code(device), "next": reverse("accounts:password_change")})
    assert r.status_code == 302 and r.url == reverse("accounts:password_change")
    page = client.get(r.url).content.decode()
    assert 'data-testid="password-forced"' in page and 'data-testid="password-change-form"' in page
    assert TOTPDevice.objects.get(user=user).confirmed


def test_administrators_cannot_remove_their_second_factor(client, world, required):
    user = world.users.secadmin
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    login(client, user.username)
    client.post(reverse("accounts:otp_verify"), {"token": code(device)})
    client.post(reverse("accounts:otp_setup"), {"remove": "1"})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_business_users_are_not_forced_but_may_enroll(client, world, required):
    login(client, "lixia")
    assert client.get("/").status_code in (200, 302)
    assert client.get(f"/projects/{world.projects.own_county.pk}/").status_code == 200
    device = TOTPDevice.objects.create(user=world.users.county, name="TOTP", confirmed=True)
    client.post(reverse("accounts:logout"))
    login(client, "lixia")
    r = client.get(f"/projects/{world.projects.own_county.pk}/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"token": code(device)})
    assert client.get(f"/projects/{world.projects.own_county.pk}/").status_code == 200
    # An enrolled user may turn it off again.
    client.post(reverse("accounts:otp_setup"), {"remove": "1"})
    assert not TOTPDevice.objects.filter(user=world.users.county).exists()
    assert client.get(f"/projects/{world.projects.own_county.pk}/").status_code == 200


def test_a_password_alone_gets_no_api_token_past_the_second_factor(world, required):
    TOTPDevice.objects.create(user=world.users.county, name="TOTP", confirmed=True)
    r = APIClient().post("/api/v1/auth/token/", {"username": "lixia", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"
    r = APIClient().post("/api/v1/auth/token/", {"username": "sysadmin", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"


def test_off_by_default_in_tests_and_development(client, world, settings):
    assert settings.KEYPROJECTS_OTP_REQUIRED is False
    login(client, "sysadmin")
    assert client.get("/accounts/manage/").status_code == 200
