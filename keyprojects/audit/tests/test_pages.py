"""The audit log page, its export and admin: audit admins only (三权分立, reliability.md 15, 21, 24)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.audit.exports import xlsx_safe
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.services import audit_record

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")


@pytest.mark.parametrize("who", ["auditor", "superuser"])
def test_audit_admins_see_the_log(client, world, who):
    audit_record(action="update", user=world.users.county, object_type="projects.project", object_id="7")
    client.force_login(getattr(world.users, who))
    r = client.get(LIST)
    assert r.status_code == 200
    html = r.content.decode()
    assert "审计日志" in html and "lixia" in html and 'data-testid="audit-row"' in html


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "province", "city", "county", "department", "enterprise", "leader"])
def test_everybody_else_gets_404_and_the_denial_is_audited(client, world, who):
    client.force_login(getattr(world.users, who))
    assert client.get(LIST).status_code == 404
    assert client.get(EXPORT).status_code == 404
    denials = AuditEvent.objects.filter(action="permission_denied", object_type="audit.auditevent", result="denied")
    assert denials.count() == 2 and {e.actor_id for e in denials} == {getattr(world.users, who).pk}
    assert not AuditEvent.objects.filter(action="export").exists()


def test_anonymous_is_sent_to_login(client, db):
    r = client.get(LIST)
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


@pytest.fixture
def log(world):
    for i in range(3):
        audit_record(
            action="update", user=world.users.county, object_type="projects.project", object_id=str(i), changes={"name": ["甲", f"乙{i}"]}
        )
    audit_record(action="create", user=world.users.city, object_type="enterprises.enterprise", object_id="9")
    audit_record(action="login_failed", username="ghost", result="failure", message="市中区重点项目")
    return world


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"action": "update"}, 3),
        ({"username": "jinan"}, 1),
        ({"username": "LIX"}, 3),
        ({"object_type": "enterprises.enterprise"}, 1),
        ({"q": "市中区"}, 1),
        ({"q": "ghost"}, 1),
        ({"action": "update", "username": "jinan"}, 0),
    ],
)
def test_filters(client, log, query, expected):
    client.force_login(log.users.auditor)
    r = client.get(LIST, query)
    assert r.status_code == 200
    assert r.context["page_obj"].paginator.count == expected


def test_date_range_filter(client, log):
    client.force_login(log.users.auditor)
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    n = AuditEvent.objects.count()
    assert client.get(LIST, {"date_from": today, "date_to": today}).context["page_obj"].paginator.count == n
    assert client.get(LIST, {"date_from": today + day}).context["page_obj"].paginator.count == 0
    assert client.get(LIST, {"date_to": today - day}).context["page_obj"].paginator.count == 0
    # A bad value is shown at the field and ignored; a reversed range is refused.
    r = client.get(LIST, {"date_from": "2026-13-45", "action": "update"})
    assert r.status_code == 200 and 'data-testid="error-date_from"' in r.content.decode()
    assert r.context["page_obj"].paginator.count == 3
    r = client.get(LIST, {"date_from": today, "date_to": today - day})
    assert "截止日期不能早于起始日期" in r.content.decode()


def test_pagination_fifty_per_page(client, world):
    for i in range(120):
        audit_record(action="config", username="ops", object_id=str(i))
    client.force_login(world.users.auditor)
    r = client.get(LIST, {"action": "config"})
    assert len(r.context["page_obj"].object_list) == 50 and r.context["page_obj"].paginator.num_pages == 3
    assert "?action=config&page=2" in r.content.decode()
    r = client.get(LIST, {"action": "config", "page": 3})
    assert len(r.context["page_obj"].object_list) == 20
    assert client.get(LIST, {"action": "config", "page": "x"}).status_code == 200


def test_htmx_request_gets_only_the_results_fragment(client, log):
    client.force_login(log.users.auditor)
    r = client.get(LIST, {"action": "update"}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="audit-table"' in html
    assert "<html" not in html and 'data-testid="audit-filter"' not in html


def _sheet(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    ws = wb.active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_contains_the_filtered_rows_and_is_audited(client, log):
    client.force_login(log.users.auditor)
    r = client.get(EXPORT, {"action": "update"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r["Content-Disposition"].startswith("attachment;")
    rows = _sheet(r)
    assert rows[0][:3] == ["ID", "时间", "用户名"]
    body = rows[1:]
    assert len(body) == 3 and {row[2] for row in body} == {"lixia"} and {row[6] for row in body} == {"修改"}
    assert '"乙2"' in body[0][10]
    ev = AuditEvent.objects.get(action="export")
    assert ev.actor_username == "auditor" and ev.changes == {"filters": {"action": "update"}, "rows": 3}


def test_export_neutralises_formula_injection(client, world):
    nasty = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", '@HYPERLINK("http://x")']
    for name in nasty:
        audit_record(action="login_failed", username=name, result="failure", message=name)
    client.force_login(world.users.auditor)
    rows = _sheet(client.get(EXPORT, {"action": "login_failed"}))[1:]
    usernames = {row[2] for row in rows}
    assert usernames == {"'" + n for n in nasty}
    assert all(row[12].startswith("'") for row in rows)
    wb = load_workbook(io.BytesIO(client.get(EXPORT, {"action": "login_failed"}).content))
    assert all(c.data_type == "s" for row in wb.active.iter_rows(min_row=2) for c in row if isinstance(c.value, str))


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_xlsx_safe_prefixes_dangerous_strings(value):
    assert xlsx_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["普通文本", "a=b", 42, None, "1-2"])
def test_xlsx_safe_leaves_other_values(value):
    assert xlsx_safe(value) == value


def test_admin_is_read_only_and_for_the_superuser_only(client, world):
    """The auditor reads the log at /audit/; the Django admin is the superuser's alone (issue 11)."""
    ev = audit_record(action="update", user=world.users.county)
    User = type(world.users.auditor)
    User.objects.filter(pk__in=[world.users.auditor.pk, world.users.sysadmin.pk]).update(is_staff=True)
    client.force_login(world.users.superuser)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[ev.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[ev.pk])).status_code == 403
    r = client.post(reverse("admin:audit_auditevent_change", args=[ev.pk]), {"action": "delete"})
    assert r.status_code == 403
    for who in ("auditor", "sysadmin"):
        client.force_login(getattr(world.users, who))
        assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
        assert client.get(reverse("admin:index")).status_code == 403


def test_the_log_names_roles_in_chinese_and_shows_changes_as_json(client, world):
    """UI tour: the 角色 column read ``county``/``province`` and changes read ``{'x': None}``."""
    audit_record(action="update", user=world.users.county, object_type="projects.project", object_id="7", changes={"stage": [None, "施工"]})
    client.force_login(world.users.auditor)
    html = client.get(LIST).content.decode()
    row = html[html.index('data-testid="audit-row"') :]
    row = row[: row.index("</tr>")]
    assert ">县级工作人员</td>" in row and ">county</td>" not in row
    assert "{&quot;stage&quot;: [null, &quot;施工&quot;]}" in row and "None" not in row
    r = client.get(EXPORT)
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    roles = [r[3] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "县级工作人员" in roles and "county" not in roles


def test_filter_lists_name_actions_and_object_types_in_the_page_language(client, world, settings):
    """No internal codes in the drop-downs: an action by its label (a dotted one by its object
    and verb, an unknown part humanised), an object type by its model's verbose name."""
    for action, object_type in (
        ("activity.create", "attraction.activity"),
        ("lead.signed", "attraction.lead"),
        ("request.reply", "engagement.enterpriserequest"),
        ("forward", "dispatch.monthlyreport"),
        ("seed_demo", "accounts.user"),
        ("brand_new.thing_done", "nowhere.model"),
    ):
        audit_record(action=action, user=world.users.county, object_type=object_type, object_id="1")
    client.force_login(world.users.auditor)
    form = client.get(LIST).context["form"]
    actions = dict(form.fields["action"].choices)
    assert actions["activity.create"] == "招商活动·新增" and actions["lead.signed"] == "招商线索·签约"
    assert actions["request.reply"] == "企业诉求·答复" and actions["forward"] == "审核通过并上报"
    assert actions["seed_demo"] == "生成演示数据" and actions["brand_new.thing_done"] == "brand new·thing done"
    types = dict(form.fields["object_type"].choices)
    assert types["accounts.user"] == "用户" and types["dispatch.monthlyreport"] == "月报"
    assert types["nowhere.model"] == "nowhere.model"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(LIST).context["form"]
    actions = dict(form.fields["action"].choices)
    assert actions["lead.signed"] == "Investment leads: Signed" and actions["forward"] == "Approve and forward"
    assert dict(form.fields["object_type"].choices)["accounts.user"] == "User"


def test_a_filtered_view_has_its_own_address(client, log):
    """Filtering (htmx) puts the filters set in the address bar, so the view can be bookmarked
    and reloaded; the page itself at that address shows the same rows."""
    client.force_login(log.users.auditor)
    page = client.get(LIST).content.decode()
    assert 'hx-push-url="true"' in page
    r = client.get(LIST, {"action": "update", "username": "", "q": "", "page": "2"}, headers={"HX-Request": "true"})
    assert r["HX-Push-Url"] == f"{LIST}?action=update" and "HX-Request" in r["Vary"]
    again = client.get(r["HX-Push-Url"])
    assert again.status_code == 200 and b"<html" in again.content
    assert again.context["page_obj"].paginator.count == r.context["page_obj"].paginator.count
