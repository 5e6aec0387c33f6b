"""No default accounts: the first administrators come from commands (reliability.md 15, 20)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from keyprojects.accounts.models import LoginAttempt, User
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD


def create_admin(*args):
    out = StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_create_admin_prints_throwaway_password_and_forces_change(client, db, role):
    out = create_admin("boss", "--role", role)
    password = re.search(r"初始密码.*：(\S+)", out).group(1)
    user = User.objects.get(username="boss")
    assert user.role == role and user.is_staff and not user.is_superuser and user.must_change_password
    assert user.check_password(password) and len(password) >= 12
    ev = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert password not in str(ev.changes) and ev.actor_username == "manage.py"

    r = client.post(reverse("accounts:login"), {"username": "boss", "password": password})
    assert r.status_code == 302 and r.url == reverse("accounts:password_change")
    r = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "Brand-New-2026", "new_password2": "Brand-New-2026"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password


def test_create_admin_passwords_differ(db):
    outs = [create_admin(f"admin{i}", "--role", "sysadmin") for i in range(2)]
    pw = [re.search(r"：(\S+)$", o.strip()).group(1) for o in outs]
    assert pw[0] != pw[1]


def test_create_admin_refuses_duplicates_and_business_roles(db):
    create_admin("boss", "--role", "auditor")
    with pytest.raises(CommandError):
        create_admin("boss", "--role", "auditor")
    with pytest.raises(CommandError):
        create_admin("someone", "--role", "county")
    assert User.objects.count() == 1


def test_django_createsuperuser_noinput_still_works(client, db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root2")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root2@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-Pass-2026")
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = User.objects.get(username="root2")
    assert user.is_superuser and user.is_staff and user.email == "root2@example.org"
    r = client.post(reverse("accounts:login"), {"username": "root2", "password": "Root-Pass-2026"})
    assert r.status_code == 302 and r.url == "/"


def test_admin_user_pages_for_the_superuser_only(client, world):
    client.force_login(world.users.superuser)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[world.users.county.pk])).status_code == 200
    for name in ["auditor", "secadmin", "sysadmin"]:
        u = getattr(world.users, name)
        type(u).objects.filter(pk=u.pk).update(is_staff=True)
        client.force_login(u)
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_admin_edit_is_audited_and_disabling_ends_sessions(client, world):
    from django.test import Client

    admin_user, target = world.users.superuser, world.users.county
    victim_browser = Client()
    victim_browser.force_login(target)
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    skip = {"password", "last_login", "date_joined", "password_changed_at", "is_active"}  # unticked box: not posted
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k not in skip}
    data["phone"] = "0531-1234567"
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    target.refresh_from_db()
    assert not target.is_active and target.phone == "0531-1234567"
    ev = AuditEvent.objects.get(action="update", object_id=str(target.pk))
    assert ev.actor_username == "root" and ev.changes["is_active"] == [True, False]
    assert victim_browser.get(reverse("accounts:password_change")).status_code == 302


def test_login_attempts_read_only_and_unlock_by_the_superuser_in_the_admin(client, world):
    LoginAttempt.objects.create(username="lixia", ip="10.0.0.1", failures=5)
    client.force_login(world.users.superuser)
    url = reverse("admin:accounts_loginattempt_changelist")
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:accounts_loginattempt_add")).status_code == 403
    r = client.post(url, {"action": "unlock", "_selected_action": [LoginAttempt.objects.get().pk]})
    assert r.status_code == 302
    assert not LoginAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="unlock", actor_username="root").exists()
    assert client.post(reverse("accounts:login"), {"username": "lixia", "password": PASSWORD}).status_code == 302
