"""A list's figures come from partnership's Tally and metrics: the same numbers as the 履约率
partnership computes for the same agreements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keyprojects.analytics.metrics import fulfilment_rate, signing_rate
from keyprojects.cultivation.selectors import list_figures
from keyprojects.cultivation.services import entry_decide, entry_link_agreement, entry_nominate
from keyprojects.partnership.models import Commitment
from keyprojects.partnership.selectors import fulfilment_for_enterprise, tally
from keyprojects.partnership.services import agreement_create, commitment_claim, commitment_confirm
from keyprojects.regions.models import Region


@pytest.fixture
def signed(world, admitted):
    """比亚迪 admitted with an agreement: three government commitments (one kept, one broken,
    one overdue) and one of the enterprise (not counted)."""
    a = agreement_create(
        actor=world.users.city,
        enterprise=world.ent,
        region=Region.objects.get(code="370102"),
        title="比亚迪一对一政企合作协议",
        signed_on=dt.date(2025, 12, 1),
        amount="1000",
        signatory_unit=world.dept,
        commitments=[
            {"party": "government", "kind": "land", "description": "供地", "due_on": dt.date(2026, 1, 10)},
            {"party": "government", "kind": "approval", "description": "审批", "due_on": dt.date(2026, 2, 10)},
            {"party": "government", "kind": "subsidy", "description": "补贴", "due_on": dt.date(2026, 3, 10)},
            {"party": "enterprise", "kind": "tax", "description": "纳税", "due_on": dt.date(2026, 3, 10)},
        ],
    )
    cs = list(a.commitments.order_by("due_on", "id"))
    for c, result in ((cs[0], "fulfilled"), (cs[1], "broken")):
        c = commitment_claim(actor=world.users.county, commitment=c, expected_version=c.version, result=result, evidence_text="材料")
        commitment_confirm(actor=world.users.city, commitment=c, expected_version=c.version, accept=True)
    admitted.refresh_from_db()
    entry_link_agreement(actor=world.users.city, entry=admitted, expected_version=admitted.version, agreement=a)
    return a


def test_figures_equal_partnership_tally(world, clist, signed, sibling_ent):
    other = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=sibling_ent, reason="x")
    entry_decide(actor=world.users.province, entry=other, expected_version=other.version, admit=True)
    as_of = timezone.localdate()
    for user in (world.users.city, world.users.province, world.users.leader):
        f = list_figures(user, [clist], as_of=as_of)[clist.pk]
        assert (f.admitted, f.signed, f.capacity, f.room) == (2, 1, 2, 0)
        assert f.signing_rate == signing_rate(1, 2) == Decimal("0.5000")
        same = tally(Commitment.objects.filter(agreement=signed, party="government"), as_of)
        assert (f.fulfilment.due, f.fulfilment.kept, f.fulfilment.rate) == (same.due, same.kept, same.rate)
        assert f.fulfilment.rate == fulfilment_rate(1, 3)
        assert f.fulfilment.rate == fulfilment_for_enterprise(user, world.ent, as_of=as_of)["government"].rate


def test_figures_on_a_past_day_as_partnership_counts_it(world, clist, signed):
    day = dt.date(2026, 1, 20)
    f = list_figures(world.users.city, [clist], as_of=day)[clist.pk]
    # on that day only the land was due, and its confirmation came later (today)
    same = tally(Commitment.objects.filter(agreement=signed, party="government"), day)
    assert (f.fulfilment.due, f.fulfilment.kept) == (same.due, same.kept) == (1, 0)


def test_removed_entries_leave_the_figures(world, clist, signed, admitted):
    from keyprojects.cultivation.services import entry_confirm_removal, entry_propose_removal

    admitted.refresh_from_db()
    e = entry_propose_removal(actor=world.users.county, entry=admitted, expected_version=admitted.version, reason="外迁")
    entry_confirm_removal(actor=world.users.city, entry=e, expected_version=e.version, accept=True)
    f = list_figures(world.users.city, [clist])[clist.pk]
    assert (f.admitted, f.signed, f.signing_rate, f.fulfilment.due, f.fulfilment.rate) == (0, 0, None, 0, None)


def test_api_figures_match(world, clist, signed):
    c = APIClient()
    c.force_authenticate(world.users.city)
    r = c.get("/api/v1/cultivation/lists/")
    rows = r.json()["results"] if "results" in r.json() else r.json()
    one = next(x for x in rows if x["id"] == clist.pk)
    f = list_figures(world.users.city, [clist])[clist.pk]
    assert one["figures"]["admitted"] == 1 and one["figures"]["signed"] == 1
    assert Decimal(one["figures"]["fulfilment_rate"]) == f.fulfilment.rate
    assert Decimal(one["figures"]["signing_rate"]) == Decimal("1")
    detail = c.get(f"/api/v1/cultivation/lists/{clist.pk}/").json()
    assert detail["figures"] == one["figures"]
