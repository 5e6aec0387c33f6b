"""履约提醒 before and after due dates and 履约率 against hand-computed figures (fixed dates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from keyprojects.partnership.choices import CommitmentStatus
from keyprojects.partnership.models import Commitment
from keyprojects.partnership.selectors import (
    alert_days,
    commitment_alerts,
    fulfilment_by_department,
    fulfilment_by_region,
    pending_confirmations,
    status_on,
)
from keyprojects.partnership.services import agreement_create, commitment_claim, commitment_confirm
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


def test_alerts_before_and_after_due(world, deal, settings):
    gov = deal.commitments.get(party="government")  # due 2026-06-30
    # 31 days before: nothing with the default 30-day window
    assert commitment_alerts(world.users.city, today=dt.date(2026, 5, 30)) == []
    # 30 days before: 即将到期
    rows = commitment_alerts(world.users.city, today=dt.date(2026, 5, 31))
    assert [(c.pk, c.state_value) for c in rows] == [(gov.pk, "due_soon")]
    # a wider window given on the page, or in settings
    assert len(commitment_alerts(world.users.city, today=dt.date(2026, 5, 1), days=60)) == 1
    settings.KEYPROJECTS_COMMITMENT_ALERT_DAYS = 90
    assert alert_days() == 90 and alert_days("x") == 90 and alert_days("400") == 90
    assert len(commitment_alerts(world.users.city, today=dt.date(2026, 4, 1))) == 1
    # on the due date still 即将到期; the day after, 逾期未履行
    assert commitment_alerts(world.users.city, today=dt.date(2026, 6, 30))[0].state_value == "due_soon"
    late = commitment_alerts(world.users.city, today=dt.date(2026, 7, 1))[0]
    assert late.state_value == "overdue" and late.days_over == 1


def test_alerts_stop_once_claimed_and_follow_scope(world, deal, other_deal):
    day = dt.date(2026, 7, 1)
    assert len(commitment_alerts(world.users.province, today=day, days=200)) == 2  # Jinan land + Qingdao jobs
    assert len(commitment_alerts(world.users.city, today=day, days=200)) == 1
    assert commitment_alerts(world.users.other_enterprise, today=day, days=200)[0].agreement == other_deal
    assert commitment_alerts(world.users.sysadmin, today=day, days=200) == []
    gov = deal.commitments.get(party="government")
    commitment_claim(actor=world.users.department, commitment=gov, expected_version=1, result="fulfilled", evidence_text="已交地")
    assert commitment_alerts(world.users.city, today=day) == []
    assert [c.pk for c in pending_confirmations(world.users.city)] == [gov.pk]
    assert pending_confirmations(world.users.department) == []  # not a confirmer


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


SETTLED_ON = dt.date(2026, 5, 15)  # the settled commitments below were confirmed that day


def _commit(a, party, kind, due, status=CommitmentStatus.OPEN, unit=None):
    stamps = {} if status == CommitmentStatus.OPEN else {"claimed_at": _at(SETTLED_ON, 9), "confirmed_at": _at(SETTLED_ON)}
    return Commitment.objects.create(
        agreement=a, party=party, kind=kind, description=kind, due_on=due, status=status, owner_unit=unit, evidence_text="x", **stamps
    )


def test_fulfilment_rate_by_region_and_department(world, deal, other_deal):
    """Hand computation on 2026-12-31:

    历下区 (Jinan): land (due 06-30, fulfilled) + investment (due 2027, open, not due)
      + subsidy (due 09-30, broken) + approval (due 10-31, open → overdue) + jobs (due 2027, fulfilled early)
      + tax (due 11-30, partial)
      due = land, subsidy, approval, jobs(settled), tax = 5; kept = land, jobs = 2 → 40.00 %
    市南区 (Qingdao): jobs due 12-31 open → due, overdue? no (due today, not past) → due 1, kept 0 → 0.00 %
    province: due 6, kept 2 → 33.33 %
    """
    gov = deal.commitments.get(party="government")
    Commitment.objects.filter(pk=gov.pk).update(
        status=CommitmentStatus.FULFILLED, evidence_text="x", claimed_at=_at(SETTLED_ON, 9), confirmed_at=_at(SETTLED_ON)
    )
    _commit(deal, "government", "subsidy", dt.date(2026, 9, 30), CommitmentStatus.BROKEN, unit=world.dept)
    _commit(deal, "government", "approval", dt.date(2026, 10, 31), unit=world.other_dept)
    _commit(deal, "enterprise", "jobs", dt.date(2027, 6, 30), CommitmentStatus.FULFILLED)
    _commit(deal, "enterprise", "tax", dt.date(2026, 11, 30), CommitmentStatus.PARTIAL)
    day = dt.date(2026, 12, 31)

    rows, total = fulfilment_by_region(world.users.province, as_of=day)
    by = {r.key: r for r in rows}
    assert set(by) == {"370100", "370200"}
    jn = by["370100"]
    assert (jn.total, jn.due, jn.kept, jn.partial, jn.broken, jn.overdue, jn.not_due) == (6, 5, 2, 1, 1, 1, 1)
    assert jn.rate == Decimal("0.4000") and jn.rate_percent == Decimal("40.00")
    assert by["370200"].due == 1 and by["370200"].rate_percent == Decimal("0.00") and by["370200"].overdue == 0
    assert total.due == 6 and total.kept == 2 and total.rate_percent == Decimal("33.33")

    # a city user sees its counties; the government side only
    rows, total = fulfilment_by_region(world.users.city, as_of=day, party="government")
    assert [(r.key, r.due, r.kept) for r in rows] == [("370102", 3, 1)]

    # departments: government commitments by owner unit (发改委: land kept + subsidy broken → 50 %;
    # 青岛工信局: approval overdue → 0 %), best first
    depts, dtotal = fulfilment_by_department(world.users.province, as_of=day)
    assert [(d.name, d.due, d.kept, d.rate_percent) for d in depts] == [
        ("济南市发展和改革委员会", 2, 1, Decimal("50.00")),
        ("青岛市工业和信息化局", 1, 0, Decimal("0.00")),
    ]
    assert dtotal.rate_percent == Decimal("33.33")

    # before anything is due only settled ones count: on 2026-06-01 → jobs(fulfilled), subsidy(broken), tax(partial), land(fulfilled)
    rows, total = fulfilment_by_region(world.users.city, as_of=dt.date(2026, 6, 1))
    assert (total.due, total.kept, total.rate_percent) == (4, 2, Decimal("50.00"))


def test_rate_moves_with_confirmation_from_its_day_on(world, deal):
    """A claim and a confirmation count from their day on: the 履约率 of an earlier day stays."""
    gov = deal.commitments.get(party="government")  # due 2026-06-30
    today, earlier = timezone.localdate(), dt.date(2026, 7, 1)
    assert earlier < today

    def counts(day):
        _rows, total = fulfilment_by_region(world.users.city, as_of=day)
        return (total.due, total.kept, total.overdue, total.claimed)

    assert counts(earlier) == counts(today) == (1, 0, 1, 0)
    gov = commitment_claim(actor=world.users.department, commitment=gov, expected_version=1, result="fulfilled", evidence_text="已交地")
    assert counts(today) == (1, 0, 0, 1) and counts(earlier) == (1, 0, 1, 0)
    commitment_confirm(actor=world.users.city, commitment=gov, expected_version=gov.version, accept=True)
    assert counts(today) == (1, 1, 0, 0)
    _rows, total = fulfilment_by_region(world.users.city)  # the page's default day: today
    assert total.rate_percent == Decimal("100.00")
    assert counts(earlier) == (1, 0, 1, 0)  # 07-01 as it was: overdue, not kept


def test_status_on_a_day_follows_the_claim_and_the_confirmation(world, deal):
    """The service stamps each step; a returned claim reads open; days are local (Asia/Shanghai)."""
    gov = deal.commitments.get(party="government")
    assert status_on(gov, dt.date(2030, 1, 1)) == CommitmentStatus.OPEN
    gov = commitment_claim(actor=world.users.department, commitment=gov, expected_version=1, result="fulfilled", evidence_text="x")
    assert gov.claimed_at is not None and timezone.localdate(gov.claimed_at) == timezone.localdate()
    assert status_on(gov, timezone.localdate()) == CommitmentStatus.CLAIMED
    assert status_on(gov, timezone.localdate() - dt.timedelta(days=1)) == CommitmentStatus.OPEN
    gov = commitment_confirm(actor=world.users.city, commitment=gov, expected_version=gov.version, accept=False, note="材料不全")
    assert gov.confirmed_at is None and status_on(gov, timezone.localdate()) == CommitmentStatus.OPEN
    gov = commitment_claim(actor=world.users.department, commitment=gov, expected_version=gov.version, result="partial", evidence_text="y")
    gov = commitment_confirm(actor=world.users.city, commitment=gov, expected_version=gov.version, accept=True)
    assert gov.status == CommitmentStatus.PARTIAL and gov.confirmed_at is not None
    # as if recorded on 08-10 and confirmed at 23:30 on 08-20, Beijing time (15:30 UTC)
    utc = dt.UTC
    Commitment.objects.filter(pk=gov.pk).update(
        claimed_at=dt.datetime(2026, 8, 10, 2, tzinfo=utc), confirmed_at=dt.datetime(2026, 8, 20, 15, 30, tzinfo=utc)
    )
    gov.refresh_from_db()
    days = {d: status_on(gov, dt.date(2026, 8, d)) for d in (9, 10, 19, 20, 21)}
    assert days == {9: "open", 10: "claimed", 19: "claimed", 20: "partial", 21: "partial"}
    Commitment.objects.filter(pk=gov.pk).update(confirmed_at=dt.datetime(2026, 8, 20, 16, 30, tzinfo=utc))  # 00:30 on 08-21
    gov.refresh_from_db()
    assert status_on(gov, dt.date(2026, 8, 20)) == "claimed" and status_on(gov, dt.date(2026, 8, 21)) == "partial"


def test_a_settled_status_needs_its_times(world, deal):
    from django.db import IntegrityError, transaction

    gov = deal.commitments.get(party="government")
    for stamps in ({}, {"claimed_at": timezone.now()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Commitment.objects.filter(pk=gov.pk).update(status=CommitmentStatus.FULFILLED, evidence_text="x", **stamps)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=gov.pk).update(status=CommitmentStatus.CLAIMED, evidence_text="x")


def test_department_sees_agreements_it_signed_or_owes(world, deal, other_deal):
    from keyprojects.partnership.models import Agreement

    assert list(Agreement.objects.visible_to(world.users.department)) == [deal]
    a = agreement_create(
        actor=world.users.other_city,
        enterprise=world.other_ent,
        region=Region.objects.get(code="370202"),
        title="另一份",
        signed_on=dt.date(2026, 3, 1),
        amount=0,
        signatory_name="市南区人民政府",
        commitments=[
            {"party": "government", "kind": "approval", "description": "审批", "due_on": dt.date(2026, 5, 1), "owner_unit": world.dept}
        ],
    )
    assert set(Agreement.objects.visible_to(world.users.department)) == {deal, a}
    assert not Agreement.objects.visible_to(world.users.auditor).exists()
