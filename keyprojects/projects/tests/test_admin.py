"""Admin for projects and enterprises: lists work; saves go through the services (audit, version)."""

from __future__ import annotations

from html.parser import HTMLParser

from keyprojects.audit.models import AuditEvent


class FormValues(HTMLParser):
    """The values a browser would post for the admin change form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = "on"
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    p = FormValues()
    p.feed(html)
    p.values.pop("csrfmiddlewaretoken", None)
    return p.values


def test_project_admin_lists_and_saves_through_the_service(world, client):
    p = world.projects.own_county
    client.force_login(world.users.superuser)
    assert client.get("/admin/projects/project/?q=历下").status_code == 200
    url = f"/admin/projects/project/{p.pk}/change/"
    values = form_values(client.get(url).content.decode())
    assert values["loaded_version"] == "1" and "version" not in values and "stage" not in values
    r = client.post(url, {**values, "total_investment": "22222", "_save": "保存"})
    assert r.status_code == 302, r.content.decode()[-2000:]
    p.refresh_from_db()
    assert str(p.total_investment) == "22222.0000" and p.version == 2
    assert AuditEvent.objects.filter(action="update", object_id=str(p.pk), actor_username="root").exists()
    # the same (now stale) page again: refused with a message, nothing written
    r = client.post(url, {**values, "total_investment": "33333", "_save": "保存"}, follow=True)
    assert "已被他人修改" in r.content.decode()
    p.refresh_from_db()
    assert str(p.total_investment) == "22222.0000"
    assert client.get(f"/admin/projects/project/{p.pk}/delete/").status_code == 403


def test_enterprise_admin_saves_through_the_service(world, client):
    ent = world.ent
    client.force_login(world.users.superuser)
    assert client.get("/admin/enterprises/enterprise/?q=比亚迪").status_code == 200
    url = f"/admin/enterprises/enterprise/{ent.pk}/change/"
    values = form_values(client.get(url).content.decode())
    r = client.post(url, {**values, "address": "济南市历下区经十路", "_save": "保存"})
    assert r.status_code == 302
    ent.refresh_from_db()
    assert ent.address == "济南市历下区经十路" and ent.version == 2
    assert AuditEvent.objects.filter(action="update", object_type="enterprises.enterprise", object_id=str(ent.pk)).exists()


def test_admin_lists_are_scoped_for_staff_without_business_scope(world, client):
    admin_user = world.users.sysadmin
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/admin/projects/project/").status_code == 403  # no model permission, no data
