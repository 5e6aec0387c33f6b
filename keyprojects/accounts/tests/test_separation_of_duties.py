"""三权分立 that holds in every path (issue 11, reliability.md 15): the user-management area,
the Django admin for the superuser only, business configuration for province staff."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keyprojects.accounts.models import ApiToken, LoginAttempt, User
from keyprojects.accounts.services import token_issue
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import DispatchConfig

MANAGE = "/accounts/manage/"


def test_the_reproduced_attack_sysadmin_cannot_make_itself_province(client, world):
    """sysadmin edits its own user in /admin/ to role=province → must be impossible."""
    sa = world.users.sysadmin
    User.objects.filter(pk=sa.pk).update(is_staff=True)
    client.force_login(sa)
    url = f"/admin/accounts/user/{sa.pk}/change/"
    assert client.get(url).status_code == 403
    r = client.post(url, {"username": sa.username, "role": "province", "region": "370000", "is_active": "on"})
    assert r.status_code == 403
    sa.refresh_from_db()
    assert (sa.role, sa.region_id) == ("sysadmin", None)
    # Nor through the management area: assigning roles is not the system administrator's.
    r = client.post(f"{MANAGE}{sa.pk}/", {"role": "province", "region": "370000"})
    assert r.status_code == 404
    sa.refresh_from_db()
    assert sa.role == "sysadmin"
    # And no business data through the API.
    api = APIClient()
    api.force_authenticate(sa)
    assert api.get("/api/v1/projects/").json()["count"] == 0


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor", "province", "county"])
def test_django_admin_is_for_the_superuser_only(client, world, who):
    user = getattr(world.users, who)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    for url in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{world.users.county.pk}/password/"):
        assert client.get(url).status_code == 403, url
    client.force_login(world.users.superuser)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_anonymous_admin_goes_to_the_platform_login(client, db):
    r = client.get("/admin/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


def test_secadmin_assigns_sysadmin_cannot(client, world):
    target = world.users.sibling
    client.force_login(world.users.sysadmin)
    assert client.post(f"{MANAGE}{target.pk}/", {"role": "city", "region": "370100"}).status_code == 404
    client.force_login(world.users.secadmin)
    assert client.get(f"{MANAGE}{target.pk}/").status_code == 200
    r = client.post(f"{MANAGE}{target.pk}/", {"role": "city", "region": "370100"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.region_id) == ("city", "370100")
    ev = AuditEvent.objects.get(action="role_assign")
    assert ev.actor_username == "secadmin" and ev.changes["role"] == ["county", "city"]


def test_assignment_is_validated_in_chinese(client, world):
    client.force_login(world.users.secadmin)
    target = world.users.sibling
    r = client.post(f"{MANAGE}{target.pk}/", {"role": "city", "region": "370102"})  # a county code for a city role
    assert r.status_code == 200 and "须对应市级区划" in r.content.decode()
    r = client.post(f"{MANAGE}{target.pk}/", {"role": "department"})
    assert "须选择所属单位" in r.content.decode()
    r = client.post(f"{MANAGE}{target.pk}/", {"role": "sysadmin"})
    assert r.status_code == 200
    target.refresh_from_db()
    assert target.role == "county"


@pytest.mark.parametrize("admin_role", ["sysadmin", "secadmin"])
def test_nobody_acts_on_themselves_or_another_administrator(client, world, admin_role):
    actor = getattr(world.users, admin_role)
    client.force_login(actor)
    for target in (actor, world.users.sysadmin, world.users.secadmin, world.users.auditor, world.users.superuser):
        before = User.objects.values("role", "region_id", "is_active", "password", "must_change_password").get(pk=target.pk)
        client.post(f"{MANAGE}{target.pk}/", {"role": "province", "region": "370000"})
        for action in ("disable", "reset_password", "unlock"):
            client.post(f"{MANAGE}{target.pk}/{action}/")
        after = User.objects.values("role", "region_id", "is_active", "password", "must_change_password").get(pk=target.pk)
        assert before == after, (admin_role, target.username)


def test_sysadmin_creates_an_account_without_rights_and_a_one_time_password(client, world):
    client.force_login(world.users.sysadmin)
    r = client.post(f"{MANAGE}new/", {"username": "zhangsan", "last_name": "张", "first_name": "三", "phone": "0531-88888888"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="one-time-password"' in html
    user = User.objects.get(username="zhangsan")
    assert user.role == "pending" and user.must_change_password and user.region_id is None
    password = html.split('<code class="user-select-all fs-5">')[1].split("</code>")[0]
    assert user.check_password(password)
    assert AuditEvent.objects.filter(action="create", object_id=str(user.pk), actor_username="sysadmin").exists()
    assert password not in str(list(AuditEvent.objects.values_list("changes", "message")))
    # The new user must change the password first and sees no business data until a role is assigned.
    c = APIClient()
    c.force_authenticate(user)
    assert c.get("/api/v1/projects/").json()["count"] == 0
    # Only the system administrator creates.
    client.force_login(world.users.secadmin)
    assert client.get(f"{MANAGE}new/").status_code == 404


def test_sysadmin_disables_unlocks_and_resets_a_business_user(client, world):
    target = world.users.county
    token_issue(user=target)
    LoginAttempt.objects.create(username="lixia", ip="", failures=5, locked_until="2999-01-01T00:00:00Z")
    client.force_login(world.users.sysadmin)
    assert client.post(f"{MANAGE}{target.pk}/unlock/").status_code == 302
    assert not LoginAttempt.objects.filter(username="lixia").exists()
    r = client.post(f"{MANAGE}{target.pk}/reset_password/")
    password = r.content.decode().split('<code class="user-select-all fs-5">')[1].split("</code>")[0]
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(password) and not target.check_password(PASSWORD)
    assert not ApiToken.objects.filter(user=target).exists()
    assert client.post(f"{MANAGE}{target.pk}/disable/").status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert client.post(f"{MANAGE}{target.pk}/enable/").status_code == 302
    actions = list(AuditEvent.objects.filter(actor_username="sysadmin").values_list("action", flat=True))
    assert {"unlock", "password_reset", "update"} <= set(actions)


def test_role_change_revokes_tokens(client, world):
    target = world.users.sibling
    _token, key = token_issue(user=target)
    client.force_login(world.users.secadmin)
    client.post(f"{MANAGE}{target.pk}/", {"role": "county", "region": "370102"})
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert c.get("/api/v1/projects/").status_code == 401


@pytest.mark.parametrize("who", ["auditor", "province", "county", "leader", "enterprise"])
def test_others_do_not_see_the_area(client, world, who):
    client.force_login(getattr(world.users, who))
    assert client.get(MANAGE).status_code == 404
    assert client.get(f"{MANAGE}{world.users.county.pk}/").status_code == 404
    assert client.post(f"{MANAGE}{world.users.county.pk}/disable/").status_code == 404
    assert AuditEvent.objects.filter(action="permission_denied", object_type="accounts.user").exists()


def test_list_for_both_administrators(client, world):
    for who in ("sysadmin", "secadmin"):
        client.force_login(getattr(world.users, who))
        r = client.get(MANAGE, {"q": "li"})
        assert r.status_code == 200 and "lixia" in r.content.decode()
        assert "no-store" in r.headers["Cache-Control"]


def test_administrators_do_not_edit_business_configuration(client, world):
    config = DispatchConfig.get()
    url = f"/config/dispatch/dispatchconfig/{config.pk}/change/"
    for who in ("sysadmin", "secadmin", "auditor", "county", "city"):
        client.force_login(getattr(world.users, who))
        assert client.get(url).status_code == 403, who
        assert client.get("/config/analytics/assessmentscheme/add/").status_code == 403, who
    client.force_login(world.users.province)
    assert client.get(url).status_code == 200
    assert client.get("/config/analytics/assessmentscheme/add/").status_code == 200
    assert client.get("/config/dataio/headersynonym/").status_code == 200


def test_pending_user_is_forced_to_change_password_even_in_accounts_area(client, world):
    u = world.users.sysadmin
    User.objects.filter(pk=u.pk).update(must_change_password=True)
    client.force_login(u)
    r = client.get(MANAGE)
    assert r.status_code == 302 and r.url == reverse("accounts:password_change")


def test_a_role_change_in_the_superusers_admin_revokes_tokens_too(client, world):
    target = world.users.sibling
    token_issue(user=target)
    client.force_login(world.users.superuser)
    url = f"/admin/accounts/user/{target.pk}/change/"
    form = client.get(url).context["adminform"].form
    skip = {"password", "last_login", "date_joined", "password_changed_at"}
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k not in skip}
    data.update(role="city", region="370100", is_active="on")
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    assert not ApiToken.objects.filter(user=target).exists()


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_no_administrator_sees_business_data_anywhere(client, world, who):
    client.force_login(getattr(world.users, who))
    names = ["历下区项目", "市中区项目", "济南市本级项目", "青岛市南区项目"]
    for url in ("/", "/projects/", "/leaders/", "/enterprises/"):
        r = client.get(url)
        body = r.content.decode() if r.status_code == 200 else ""
        assert not any(n in body for n in names), (who, url)
    assert client.get(f"/projects/{world.projects.own_county.pk}/").status_code == 403  # (the page, whatever the project)
    r = client.get("/projects/export.xlsx")
    if r.status_code == 200:
        import io

        from openpyxl import load_workbook

        cells = {str(c.value) for ws in load_workbook(io.BytesIO(r.content)).worksheets for row in ws.iter_rows() for c in row}
        assert not cells & set(names), who
    else:
        assert r.status_code in (403, 404)
    api = APIClient()
    api.force_authenticate(getattr(world.users, who))
    for url in ("/api/v1/projects/", "/api/v1/enterprises/", "/api/v1/reports/"):
        r = api.get(url)
        assert r.status_code in (200, 403) and (r.status_code == 403 or r.json()["count"] == 0), (who, url)


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_an_administrator_is_refused_every_business_page_by_its_address(world, client, who):
    """三权分立: typed addresses of business pages answer 403 with the role named (not an empty
    list that says the role may view reports); the administrator's own pages still open."""
    user = getattr(world.users, who)
    client.force_login(user)
    for path in ("/projects/", "/projects/export.xlsx", f"/projects/{world.projects.own_county.pk}/", "/dispatch/",
                 "/dispatch/review/", "/dispatch/board/", "/leaders/", "/enterprises/", "/analytics/bulletin/",
                 "/engagement/", "/attraction/", "/partnership/", "/approvals/", "/brands/", "/cultivation/"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 403, path
        assert str(user.get_role_display()) in r.content.decode()
    assert client.get("/").status_code == 200  # the administrator's home
    own = "/audit/" if who == "auditor" else "/accounts/manage/"
    assert client.get(own).status_code == 200


def test_business_users_and_the_superuser_still_open_them(world, client):
    for user in (world.users.county, world.users.leader, world.users.superuser):
        client.force_login(user)
        assert client.get("/projects/").status_code == 200 and client.get("/dispatch/").status_code == 200


@pytest.mark.django_db
def test_an_account_is_created_with_its_audit_record_or_not_at_all(world, monkeypatch):
    """account_create saves the user and its audit record in one transaction: when the record
    cannot be written, no account is left behind."""
    from keyprojects.accounts import services

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.account_create(actor=world.users.sysadmin, username="newclerk", phone="13800000000")
    assert not User.objects.filter(username="newclerk").exists()
