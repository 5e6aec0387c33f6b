"""有协议未关联: an entry whose enterprise signed a 政企合作协议 (partnership) that is not linked to
it says so on the list and the entry page (with the agreement's date and a link), and those who
may link it get the link action; the 签约率 still counts linked agreements only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from keyprojects.cultivation.selectors import list_figures
from keyprojects.partnership.services import agreement_create
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(world):
    def sign(title: str, on: dt.date):
        return agreement_create(
            actor=world.users.city, enterprise=world.ent, region=Region.objects.get(code="370102"), title=title, signed_on=on,
            amount="1", signatory_name="济南市人民政府",
        )  # fmt: skip

    sign("旧协议", dt.date(2025, 3, 1))
    return sign("一对一协议", dt.date(2026, 2, 15))


def test_list_and_entry_show_an_unlinked_agreement_and_link_it(world, client, admitted, agreement):
    clist = admitted.cultivation_list
    assert list_figures(world.users.city, [clist])[clist.pk].signed == 0
    client.force_login(world.users.city)
    page = client.get(reverse("cultivation:list", args=[clist.pk])).content.decode()
    assert 'data-testid="agreement-to-link"' in page and "有协议未关联" in page
    assert "一对一协议" in page and "2026-02-15" in page and "旧协议" not in page  # the latest one
    assert reverse("partnership:detail", args=[agreement.pk]) in page
    assert 'data-testid="link-row-form"' in page
    entry_page = client.get(reverse("cultivation:entry", args=[admitted.pk])).content.decode()
    assert "有协议未关联" in entry_page and "尚未签约" not in entry_page and "2026-02-15" in entry_page
    assert f'<option value="{agreement.pk}" selected>' in entry_page  # the link form offers it
    # one click on the list links it
    r = client.post(reverse("cultivation:link_agreement", args=[admitted.pk]), {"version": admitted.version, "agreement": agreement.pk})
    assert r.status_code == 302
    admitted.refresh_from_db()
    assert admitted.agreement_id == agreement.pk
    assert list_figures(world.users.city, [clist])[clist.pk].signed == 1
    page = client.get(reverse("cultivation:list", args=[clist.pk])).content.decode()
    assert "有协议未关联" not in page


def test_readers_see_the_mark_without_the_action(world, client, admitted, agreement):
    client.force_login(world.users.county)  # nominates, does not decide or link a city's list
    page = client.get(reverse("cultivation:list", args=[admitted.cultivation_list_id])).content.decode()
    assert "有协议未关联" in page and 'data-testid="link-row-form"' not in page
    entry_page = client.get(reverse("cultivation:entry", args=[admitted.pk])).content.decode()
    assert "有协议未关联" in entry_page and 'data-testid="link-form"' not in entry_page


def test_no_agreement_reads_as_before(world, client, admitted):
    client.force_login(world.users.city)
    page = client.get(reverse("cultivation:entry", args=[admitted.pk])).content.decode()
    assert "尚未签约" in page and "有协议未关联" not in page
