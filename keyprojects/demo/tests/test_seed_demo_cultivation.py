"""The demo's “双50” 培育名单 (ADR 0020): Jinan's two lists of the demo year with entries in every
state, some linked to the demo agreements, decided by someone other than the nominator; the pages
render for each demo role and the 比亚迪 contact sees only its own admission."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts.models import User
from keyprojects.cultivation.models import CultivationEntry, CultivationList
from keyprojects.cultivation.selectors import list_figures


@pytest.mark.django_db
def test_demo_cultivation():
    call_command("seed_demo", stdout=io.StringIO(), projects=300, seed=13, year=2026, month=11, months=3, verbosity=0, interactive=False)
    lists = list(CultivationList.objects.order_by("kind"))
    assert [(c.region_id, c.year, c.kind, c.capacity) for c in lists] == [
        ("370100", 2026, "backbone", 50),
        ("370100", 2026, "innovative_growth", 50),
    ]
    entries = CultivationEntry.objects.all()
    assert {"nominated", "admitted", "rejected", "removed"} <= set(entries.values_list("status", flat=True))
    assert entries.filter(status="admitted", removal_proposed_by__isnull=False).count() == 1
    linked = entries.filter(agreement__isnull=False)
    assert linked.count() >= 3 and all(e.agreement.enterprise_id == e.enterprise_id for e in linked)
    # one signed enterprise's entry is not linked yet: the list shows 有协议未关联 and offers 关联
    unlinked = entries.filter(agreement__isnull=True, status="admitted", enterprise__agreements__isnull=False).distinct()
    assert unlinked.count() == 1
    assert all(e.decided_by_id != e.nominated_by_id for e in entries.exclude(status="nominated"))
    assert all(e.removed_by_id != e.removal_proposed_by_id for e in entries.filter(status="removed"))
    jinan = User.objects.get(username="jinan")
    figures = list_figures(jinan, lists)
    backbone = figures[lists[0].pk]
    assert backbone.admitted == 5 and backbone.signed == 3 and backbone.fulfilment.due > 0
    byd = User.objects.get(username="byd")
    assert list(CultivationEntry.objects.visible_to(byd).values_list("status", flat=True)) == ["admitted"]
    for username in ("province", "jinan", "lixia", "lixia_sh", "jinan_fgw", "leader", "byd"):
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        assert client.get(reverse("cultivation:overview")).status_code == 200, username
        for c in CultivationList.objects.visible_to(user):
            if username != "byd":
                assert client.get(reverse("cultivation:list", args=[c.pk])).status_code == 200, username
                entry = CultivationEntry.objects.visible_to(user).filter(cultivation_list=c).first()
                if entry is not None:
                    assert client.get(reverse("cultivation:entry", args=[entry.pk])).status_code == 200, username
    for username in ("sysadmin", "secadmin", "auditor"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("cultivation:overview")).status_code == 403


@pytest.mark.django_db
def test_demo_cultivation_after_a_reset():
    """A reset deletes the entries with the enterprises but keeps the lists (they hang on a
    region only); seeding again fills the same lists with the same picture."""

    def seed(**kw):
        call_command("seed_demo", stdout=io.StringIO(), projects=40, seed=7, year=2026, month=2, months=0, verbosity=0, **kw)

    seed(interactive=False)
    before = sorted(CultivationEntry.objects.values_list("cultivation_list__kind", "status", "reason"))
    assert before
    seed(reset=True)
    assert CultivationList.objects.count() == 2
    assert sorted(CultivationEntry.objects.values_list("cultivation_list__kind", "status", "reason")) == before
