from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the compiled catalogue, a fixture)
from keyprojects.cultivation.models import CultivationEntry
from keyprojects.partnership.services import agreement_create
from keyprojects.regions.models import Region


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("province", 200),
        ("city", 200),
        ("county", 200),
        ("leader", 200),
        ("department", 200),
        ("enterprise", 200),
        ("sysadmin", 403),
        ("secadmin", 403),
        ("auditor", 403),
    ],
)
def test_overview_per_role(world, client_for, clist, who, status):
    r = client_for(getattr(world.users, who)).get(reverse("cultivation:overview"))
    assert r.status_code == status
    if status == 200:
        nav = 'data-testid="nav-cultivation"'
        assert nav in r.content.decode()


def test_nav_hidden_from_administrators(world, client_for):
    r = client_for(world.users.sysadmin).get("/")
    assert 'data-testid="nav-cultivation"' not in r.content.decode()


def test_overview_shows_figures(world, client_for, admitted):
    r = client_for(world.users.city).get(reverse("cultivation:overview"))
    body = r.content.decode()
    assert "济南市2026年骨干企业培育名单" in body
    assert "1/2" in body


def test_other_city_sees_no_list(world, client_for, clist):
    c = client_for(world.users.other_city)
    assert "济南市2026年骨干企业培育名单" not in c.get(reverse("cultivation:overview")).content.decode()
    assert c.get(reverse("cultivation:list", args=[clist.pk])).status_code == 404


def test_enterprise_sees_only_own_admission(world, client_for, admitted, sibling_ent):
    c = client_for(world.users.enterprise)
    body = c.get(reverse("cultivation:overview")).content.decode()
    assert 'data-testid="own-entry"' in body and "已入选" in body
    assert "123,456.79" not in body  # no indicators
    assert c.get(reverse("cultivation:list", args=[admitted.cultivation_list_id])).status_code == 403
    assert c.get(reverse("cultivation:entry", args=[admitted.pk])).status_code == 403


def test_enterprise_does_not_see_a_nomination(world, client_for, nominated):
    body = client_for(world.users.enterprise).get(reverse("cultivation:overview")).content.decode()
    assert 'data-testid="own-entry"' not in body


def test_list_detail_search_filter_and_export(world, client_for, admitted, sibling_ent, clist):
    from keyprojects.cultivation.services import entry_nominate

    entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=sibling_ent, reason="装备制造")
    c = client_for(world.users.city)
    url = reverse("cultivation:list", args=[clist.pk])
    body = c.get(url).content.decode()
    assert body.count('data-testid="entry-row"') == 2 and 'data-testid="entries-export"' in body
    assert c.get(url, {"status": "admitted"}).content.decode().count('data-testid="entry-row"') == 1
    assert c.get(url, {"q": "市中区"}).content.decode().count('data-testid="entry-row"') == 1
    r = c.get(reverse("cultivation:export", args=[clist.pk]), {"status": "admitted"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))["名单"]
    names = [row[1] for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert names == ["比亚迪汽车（济南）有限公司"]


def test_list_pagination(world, client_for, clist):
    from keyprojects.core.testing import EnterpriseFactory

    for e in EnterpriseFactory.create_batch(30, region_id="370102"):
        CultivationEntry.objects.create(cultivation_list=clist, enterprise=e, reason="x")
    c = client_for(world.users.city)
    url = reverse("cultivation:list", args=[clist.pk])
    assert c.get(url).content.decode().count('data-testid="entry-row"') == 25
    assert c.get(url, {"page": 2}).content.decode().count('data-testid="entry-row"') == 5


def test_create_nominate_decide_remove_link_through_pages(world, client):
    city, county, province = world.users.city, world.users.county, world.users.province
    client.force_login(city)
    r = client.post(reverse("cultivation:list_new"), {"region": "370100", "year": 2026, "kind": "innovative_growth", "capacity": 50})
    assert r.status_code == 302
    clist_pk = int(r["Location"].rstrip("/").split("/")[-1])
    client.force_login(county)
    r = client.post(reverse("cultivation:nominate", args=[clist_pk]), {"enterprise": world.ent.pk, "reason": "专精特新", "revenue": "-5"})
    assert r.status_code == 400 and "error-revenue" in r.content.decode()
    r = client.post(reverse("cultivation:nominate", args=[clist_pk]), {"enterprise": world.ent.pk, "reason": "专精特新", "revenue": "5000"})
    assert r.status_code == 302
    entry = CultivationEntry.objects.get(cultivation_list_id=clist_pk)
    page = client.get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
    assert 'data-testid="decide-form"' not in page  # the nominator does not decide
    client.force_login(city)
    page = client.get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
    assert 'data-testid="decide-form"' in page and 'data-testid="profile-link"' in page
    r = client.post(reverse("cultivation:decide", args=[entry.pk]), {"version": entry.version, "decision": "admit"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "admitted"
    a = agreement_create(
        actor=city, enterprise=world.ent, region=Region.objects.get(code="370102"), title="一对一协议", signed_on=dt.date(2026, 1, 1),
        amount="1", signatory_name="济南市人民政府",
    )  # fmt: skip
    r = client.post(reverse("cultivation:link_agreement", args=[entry.pk]), {"version": entry.version, "agreement": a.pk})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.agreement_id == a.pk
    page = client.get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
    assert reverse("partnership:detail", args=[a.pk]) in page
    r = client.post(reverse("cultivation:propose_removal", args=[entry.pk]), {"version": entry.version, "reason": "外迁"})
    assert r.status_code == 302
    entry.refresh_from_db()
    # the proposer cannot confirm: the page offers no form and the service refuses
    assert 'data-testid="confirm-removal-form"' not in client.get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
    r = client.post(reverse("cultivation:confirm_removal", args=[entry.pk]), {"version": entry.version, "decision": "accept"}, follow=True)
    assert "四眼" in r.content.decode()
    client.force_login(province)
    r = client.post(reverse("cultivation:confirm_removal", args=[entry.pk]), {"version": entry.version, "decision": "accept"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "removed"


def test_stale_version_shows_conflict(world, client_for, nominated):
    c = client_for(world.users.city)
    r = c.post(reverse("cultivation:decide", args=[nominated.pk]), {"version": nominated.version + 5, "decision": "admit"}, follow=True)
    assert "已被他人修改" in r.content.decode()
    nominated.refresh_from_db()
    assert nominated.status == "nominated"


def test_leader_reads_but_cannot_act(world, client_for, nominated):
    c = client_for(world.users.leader)
    page = c.get(reverse("cultivation:entry", args=[nominated.pk])).content.decode()
    assert 'data-testid="decide-form"' not in page
    r = c.post(reverse("cultivation:decide", args=[nominated.pk]), {"version": nominated.version, "decision": "admit"}, follow=True)
    nominated.refresh_from_db()
    assert nominated.status == "nominated" and "无权" in r.content.decode()


def test_list_new_refused_for_leader(world, client_for):
    r = client_for(world.users.leader).post(reverse("cultivation:list_new"), {"region": "370100", "year": 2026, "kind": "backbone"})
    assert r.status_code == 403


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_query_counts_do_not_grow(world, client_for, clist):
    from keyprojects.core.testing import EnterpriseFactory
    from keyprojects.cultivation.services import list_create

    c = client_for(world.users.city)
    url = reverse("cultivation:list", args=[clist.pk])
    for e in EnterpriseFactory.create_batch(3, region_id="370102"):
        CultivationEntry.objects.create(cultivation_list=clist, enterprise=e, reason="x", status="admitted")
    _queries(c, url), _queries(c, reverse("cultivation:overview"))  # warm the per-process caches
    few, few_overview = _queries(c, url), _queries(c, reverse("cultivation:overview"))
    for e in EnterpriseFactory.create_batch(20, region_id="370103"):
        CultivationEntry.objects.create(cultivation_list=clist, enterprise=e, reason="x", status="admitted")
    list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="innovative_growth")
    list_create(actor=world.users.county, region=Region.objects.get(code="370102"), year=2026, kind="backbone")
    assert _queries(c, url) == few
    assert _queries(c, reverse("cultivation:overview")) == few_overview


def test_profile_shows_the_lists(world, client_for, admitted, clist):
    url = reverse("partnership:profile", args=[world.ent.pk])
    body = client_for(world.users.city).get(url).content.decode()
    assert 'data-testid="profile-cultivation"' in body and reverse("cultivation:entry", args=[admitted.pk]) in body
    body = client_for(world.users.enterprise).get(url).content.decode()
    assert "济南市2026年骨干企业培育名单" in body and reverse("cultivation:entry", args=[admitted.pk]) not in body


def test_profile_without_lists_has_no_section(world, client_for):
    body = client_for(world.users.city).get(reverse("partnership:profile", args=[world.ent.pk])).content.decode()
    assert 'data-testid="profile-cultivation"' not in body


@pytest.mark.parametrize(
    ("who", "list_status", "entry_status", "actions"),
    [
        ("province", 200, 200, {"link-open", "propose-open"}),
        ("city", 200, 200, {"link-open", "propose-open"}),
        ("county", 200, 200, {"propose-open"}),  # its own enterprise on the city's list; no decisions
        ("sibling", 200, 404, set()),  # reads the city's list, not 历下区's enterprise on it
        ("leader", 200, 200, set()),
        ("department", 200, 200, set()),
        ("enterprise", 403, 403, set()),
        ("other_city", 404, 404, set()),
        ("sysadmin", 403, 403, set()),
        ("auditor", 403, 403, set()),
    ],
)
def test_list_and_entry_pages_per_role(world, client_for, admitted, who, list_status, entry_status, actions):
    c = client_for(getattr(world.users, who))
    assert c.get(reverse("cultivation:list", args=[admitted.cultivation_list_id])).status_code == list_status
    r = c.get(reverse("cultivation:entry", args=[admitted.pk]))
    assert r.status_code == entry_status
    if entry_status == 200:
        body = r.content.decode()
        shown = {a for a in ("link-open", "propose-open", "decide-form", "confirm-removal-form") if f'data-testid="{a}"' in body}
        assert shown == actions
    assert c.get(reverse("cultivation:export", args=[admitted.cultivation_list_id])).status_code == list_status


@pytest.mark.usefixtures("compiled")
def test_pages_in_english(client, world, admitted):
    from keyprojects.core.tests.test_i18n import _switch_to_english

    client.force_login(world.users.city)
    _switch_to_english(client)
    body = client.get(reverse("cultivation:overview")).content.decode()
    assert "“Double 50” enterprise cultivation lists" in body and "Signing rate" in body and "Double-50 cultivation" in body
    body = client.get(reverse("cultivation:entry", args=[admitted.pk])).content.decode()
    assert "Reason for nomination" in body and "Link the one-to-one government–enterprise agreement" in body


def test_overview_export(world, client_for, admitted):
    c = client_for(world.users.city)
    body = c.get(reverse("cultivation:overview"), {"kind": "backbone"}).content.decode()
    assert 'data-testid="lists-export"' in body and "format=xlsx" in body
    r = c.get(reverse("cultivation:overview"), {"kind": "backbone", "format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))["培育名单"]
    data = [row for row in ws.iter_rows(values_only=True) if row[0] == "济南市2026年骨干企业培育名单"]
    assert len(data) == 1 and data[0][4:7] == (2, 1, 0)  # places, admitted, nominated
    r = c.get(reverse("cultivation:overview"), {"kind": "innovative_growth", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))["培育名单"]
    assert not [row for row in ws.iter_rows(values_only=True) if row[0] == "济南市2026年骨干企业培育名单"]


def test_carry_over_button(world, client_for, admitted):
    from keyprojects.cultivation.services import list_create

    new = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2027, kind="backbone")
    c = client_for(world.users.city)
    assert 'data-testid="carry-over-form"' not in c.get(reverse("cultivation:list", args=[admitted.cultivation_list_id])).content.decode()
    assert 'data-testid="carry-over-form"' in c.get(reverse("cultivation:list", args=[new.pk])).content.decode()
    r = c.post(reverse("cultivation:carry_over", args=[new.pk]), follow=True)
    assert "已推荐上年度入选企业1家" in r.content.decode()
    assert list(new.entries.values_list("enterprise_id", "status")) == [(world.ent.pk, "nominated")]
    leader = client_for(world.users.leader)
    assert 'data-testid="carry-over-form"' not in leader.get(reverse("cultivation:list", args=[new.pk])).content.decode()
    r = leader.post(reverse("cultivation:carry_over", args=[new.pk]), follow=True)
    assert "无权" in r.content.decode() and new.entries.count() == 1


def test_nominating_an_enterprise_already_on_the_list_says_so(world, client_for, nominated):
    """A second tab (or a colleague) nominating the same enterprise: the page says the enterprise is
    on the list already, not Django's "select a valid choice"; the select no longer offers it."""
    c = client_for(world.users.county)
    url = reverse("cultivation:list", args=[nominated.cultivation_list_id])
    assert f'<option value="{world.ent.pk}"' not in c.get(url).content.decode()
    r = c.post(reverse("cultivation:nominate", args=[nominated.cultivation_list_id]), {"enterprise": world.ent.pk, "reason": "再次推荐"})
    body = r.content.decode()
    assert r.status_code == 400
    assert "该企业已在本名单中" in body and "该选择不在可用的选项中" not in body
    assert CultivationEntry.objects.filter(cultivation_list_id=nominated.cultivation_list_id).count() == 1
