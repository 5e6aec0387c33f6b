"""The demo's “泉城好品” brand selection: an open round of this year the byd login can apply to,
applications in every state before the decision, last year's published pilot with its selected
brands; the pages render for every business role."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts.models import User
from keyprojects.brands.models import BrandApplication, SelectionRound
from keyprojects.brands.selectors import selected_brands


@pytest.mark.django_db
def test_demo_brands():
    call_command("seed_demo", stdout=io.StringIO(), projects=40, seed=7, year=2026, month=2, months=0, verbosity=0, interactive=False)
    first = SelectionRound.objects.get(status="open")
    assert first.region_id == "370100" and first.max_selected == 40 and first.opens_on <= first.closes_on
    assert {"draft", "submitted", "passed", "returned"} <= set(first.applications.values_list("status", flat=True))
    for a in BrandApplication.objects.all():
        a.full_clean()
    byd = User.objects.get(username="byd")
    assert not first.applications.filter(enterprise=byd.enterprise).exists()
    assert {a.brand_name for a in selected_brands(byd)} == {"比亚迪济南智造", "泉水人家"}
    client = Client()
    client.force_login(byd)
    assert reverse("brands:apply", args=[first.pk]) in client.get(reverse("brands:round", args=[first.pk])).content.decode()
    assert client.get(reverse("brands:apply", args=[first.pk])).status_code == 200
    # a reset deletes the applications with the enterprises; seeding again fills the same rounds
    before = sorted(BrandApplication.objects.values_list("round__name", "brand_name", "status"))
    call_command("seed_demo", stdout=io.StringIO(), projects=40, seed=7, year=2026, month=2, months=0, reset=True, verbosity=0)
    assert sorted(BrandApplication.objects.values_list("round__name", "brand_name", "status")) == before
    assert SelectionRound.objects.count() == 2
    first = SelectionRound.objects.get(status="open")
    for username in ("province", "jinan", "lixia", "lixia_sh", "jinan_fgw", "byd", "leader"):
        client.force_login(User.objects.get(username=username))
        for url in (reverse("brands:rounds"), reverse("brands:results"), reverse("brands:round", args=[first.pk])):
            assert client.get(url).status_code == 200, (username, url)
