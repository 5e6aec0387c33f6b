"""The demo's 政企合作协议 and 一企一策 (issue 15): kept and broken commitments, alerts before and
after due dates, a fulfilment waiting for confirmation, liaisons, measures and policies; the
profile pages render over it for the region, the department and the enterprise."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts.models import User
from keyprojects.partnership.models import Agreement, AssistanceMeasure, Commitment, EnterpriseLiaison, PolicyGrant
from keyprojects.partnership.selectors import commitment_alerts, fulfilment_by_department, fulfilment_by_region, pending_confirmations


@pytest.mark.django_db
def test_demo_partnership():
    call_command("seed_demo", stdout=io.StringIO(), projects=40, seed=7, year=2024, month=2, months=0, verbosity=0, interactive=False)
    assert Agreement.objects.count() >= 5
    # 40 projects leave one generated project besides the real and port ones: it goes to the demo
    # county, which also gets an agreement, so its logins have projects and a 履约率 of their own
    from keyprojects.demo import DEMO_COUNTIES
    from keyprojects.projects.models import Project

    for county in DEMO_COUNTIES:
        assert Project.objects.filter(region_id=county).exists(), county
        assert Agreement.objects.filter(region_id=county).exists(), county
    counties, _total = fulfilment_by_region(User.objects.get(username="jinan"), party="government")
    assert {t.key: t for t in counties}["370102"].due > 0
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert {"fulfilled", "partial", "broken", "claimed", "open"} <= statuses
    for c in Commitment.objects.all():
        c.full_clean()
    assert EnterpriseLiaison.objects.count() >= 3 and AssistanceMeasure.objects.exists() and PolicyGrant.objects.exists()
    jinan = User.objects.get(username="jinan")
    states = {c.state_value for c in commitment_alerts(jinan)}
    assert states == {"overdue", "due_soon"}
    assert pending_confirmations(jinan)
    rows, total = fulfilment_by_region(User.objects.get(username="province"))
    assert len(rows) >= 2 and 0 < total.rate < 1
    depts, _t = fulfilment_by_department(jinan)
    assert len(depts) >= 2
    byd = User.objects.get(username="byd")
    assert set(Agreement.objects.visible_to(byd).values_list("enterprise_id", flat=True)) == {byd.enterprise_id}
    for username in ("jinan", "lixia", "jinan_fgw", "byd", "leader", "province"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name in ("list", "alerts", "rates", "profiles"):
            assert client.get(reverse(f"partnership:{name}")).status_code == 200, (username, name)
    client = Client()
    client.force_login(byd)
    page = client.get(reverse("partnership:profile", args=[byd.enterprise_id]))
    assert page.status_code == 200 and "包联干部" in page.content.decode()
    other = Agreement.objects.exclude(enterprise_id=byd.enterprise_id).first()
    assert client.get(reverse("partnership:profile", args=[other.enterprise_id])).status_code == 404
    # an agreement's commitments state their target in the English UI's unit words too
    client.cookies["django_language"] = "en"
    commitment = Commitment.objects.filter(measure="万元", target_value__isnull=False, agreement__enterprise_id=byd.enterprise_id).first()
    assert commitment is not None
    text = client.get(reverse("partnership:detail", args=[commitment.agreement_id])).content.decode()
    assert "10k CNY" in text and "万元" not in text
