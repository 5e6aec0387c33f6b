"""到资 four eyes (user trial): whoever enters a figure never confirms it, whoever asks for a 冲销
never decides it; only confirmed entries count (the page, the funnel, the indicators, the API);
a confirmed figure is voided or corrected by a new entry, never edited; versions, events, audit;
the pages show the buttons to the right users only and the confirmer's to-do list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.attraction import selectors
from keyprojects.attraction.models import FundArrival, FundEvent, Lead
from keyprojects.attraction.services import (
    fund_arrival_add,
    fund_decide,
    fund_void_request,
    fund_withdraw,
    lead_advance,
    lead_sign,
)
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def signed(world, lead_of):
    """A 历下区 lead signed for 48,000 万元 ten days ago."""
    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    return lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip


def _total(lead):
    return selectors.funds_of(lead)[1]


def _enter(user, lead, amount="1000", **kw):
    return fund_arrival_add(user=user, lead=lead, arrived_on=TODAY() - dt.timedelta(days=2), arrived_amount=amount, **kw)


def test_an_entry_counts_only_once_somebody_else_confirms_it(world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    assert entry.status == "pending" and _total(signed) == 0
    total, _rows = selectors.funnel(Lead.objects.filter(pk=signed.pk))
    assert total.arrived_amount == 0 and total.funded == 0
    with pytest.raises(PermissionDenied) as e:
        fund_decide(user=u.county, entry=entry, expected_version=entry.version, accept=True)
    assert "四眼" in e.value.message
    for outsider in (u.sibling, u.other_city):  # a peer county, another city: not theirs (404)
        with pytest.raises(NotFound):
            fund_decide(user=outsider, entry=entry, expected_version=entry.version, accept=True)
    for no_right in (u.department, u.leader):  # records leads / reads only: never confirms
        with pytest.raises((PermissionDenied, NotFound)):
            fund_decide(user=no_right, entry=entry, expected_version=entry.version, accept=True)
    entry = fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True, note="已核对进账单")
    assert entry.status == "confirmed" and entry.confirmed_by == u.county_clerk and entry.confirmed_at
    assert _total(signed) == D("1000")
    total, _rows = selectors.funnel(Lead.objects.filter(pk=signed.pk))
    assert total.arrived_amount == D("1000") and total.funded == 1
    kinds = list(FundEvent.objects.filter(entry=entry).values_list("kind", "actor__username"))
    assert kinds == [("recorded", "lixia"), ("confirmed", "lixia_tb")]
    assert AuditEvent.objects.filter(action="lead.funds_confirm", object_id=str(entry.pk)).exists()


def test_the_city_and_the_province_confirm_a_countys_entry_a_superuser_not_their_own(world, signed):
    u = world.users
    for confirmer in (u.city, u.province):
        entry = _enter(u.county, signed, amount="10")
        assert policy.can_confirm_funds(confirmer, entry)
        fund_decide(user=confirmer, entry=entry, expected_version=entry.version, accept=True)
    own = _enter(u.superuser, signed, amount="10")
    assert not policy.can_confirm_funds(u.superuser, own)
    with pytest.raises(PermissionDenied):
        fund_decide(user=u.superuser, entry=own, expected_version=own.version, accept=True)
    fund_decide(user=u.superuser_reviewer, entry=own, expected_version=own.version, accept=True)
    assert _total(signed) == D("30")


def test_a_return_needs_a_reason_and_is_never_counted(world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    with pytest.raises(ValidationFailed) as e:
        fund_decide(user=u.city, entry=entry, expected_version=entry.version, accept=False, note="  ")
    assert "note" in e.value.extra["fields"]
    entry = fund_decide(user=u.city, entry=entry, expected_version=entry.version, accept=False, note="进账单金额为100万元")
    assert entry.status == "returned" and entry.return_note == "进账单金额为100万元" and _total(signed) == 0
    with pytest.raises(TransitionNotAllowed):  # nothing waits any more
        fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)


def test_a_stale_decision_is_a_conflict_and_changes_nothing(world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    with pytest.raises(ConflictError):
        fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version + 1, accept=True)
    assert FundArrival.objects.get(pk=entry.pk).status == "pending" and not FundEvent.objects.filter(kind="confirmed").exists()


def test_a_void_is_asked_for_with_a_reason_and_decided_by_somebody_else(world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    entry = fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)
    with pytest.raises(ValidationFailed):
        fund_void_request(user=u.county, entry=entry, expected_version=entry.version, reason="")
    entry = fund_void_request(user=u.county_clerk, entry=entry, expected_version=entry.version, reason="重复登记")
    assert entry.status == "void_pending" and _total(signed) == D("1000")  # counts until decided
    with pytest.raises(PermissionDenied) as e:  # the one who asked never decides, though the enterer may
        fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)
    assert "申请冲销的人" in e.value.message
    refused = fund_decide(user=u.county, entry=entry, expected_version=entry.version, accept=False, note="并非重复，是两笔")
    assert refused.status == "confirmed" and _total(signed) == D("1000")
    entry = fund_void_request(user=u.county, entry=refused, expected_version=refused.version, reason="银行退回该笔款项")
    entry = fund_decide(user=u.city, entry=entry, expected_version=entry.version, accept=True)
    assert entry.status == "voided" and entry.voided_by == u.city and entry.void_reason == "银行退回该笔款项"
    assert _total(signed) == 0 and FundArrival.objects.get(pk=entry.pk).arrived_amount == D("1000")  # kept, not edited
    kinds = list(FundEvent.objects.filter(entry=entry).values_list("kind", flat=True))
    assert kinds == ["recorded", "confirmed", "void_requested", "void_returned", "void_requested", "voided"]
    with pytest.raises(TransitionNotAllowed):
        fund_void_request(user=u.county, entry=entry, expected_version=entry.version, reason="再次冲销")


def test_a_correction_is_a_new_entry_that_voids_the_old_one_when_confirmed(world, signed):
    u = world.users
    wrong = _enter(u.county, signed, amount="9000")
    wrong = fund_decide(user=u.county_clerk, entry=wrong, expected_version=wrong.version, accept=True)
    with pytest.raises(ValidationFailed) as e:
        _enter(u.county, signed, amount="900", replaces=wrong)
    assert "reason" in e.value.extra["fields"]
    fix = _enter(u.county, signed, amount="900", replaces=wrong, reason="多录了一个0")
    assert fix.status == "pending" and _total(signed) == D("9000")  # the old figure counts until the fix is confirmed
    with pytest.raises(TransitionNotAllowed):  # one correction waiting at a time, and no 冲销 meanwhile
        _enter(u.county_clerk, signed, amount="800", replaces=wrong, reason="再更正")
    with pytest.raises(TransitionNotAllowed):
        fund_void_request(user=u.county_clerk, entry=wrong, expected_version=wrong.version, reason="冲销")
    with pytest.raises(PermissionDenied):
        fund_decide(user=u.county, entry=fix, expected_version=fix.version, accept=True)
    fund_decide(user=u.city, entry=fix, expected_version=fix.version, accept=True)
    wrong.refresh_from_db()
    assert wrong.status == "voided" and wrong.voided_by == u.city and wrong.void_requested_by == u.county
    assert "多录了一个0" in wrong.void_reason and wrong.arrived_amount == D("9000")
    assert _total(signed) == D("900")
    with pytest.raises(TransitionNotAllowed):  # only a confirmed entry is corrected
        _enter(u.county, signed, amount="1", replaces=wrong, reason="x")


def test_the_slip_check_counts_standing_entries_but_not_the_one_corrected(world, signed):
    u = world.users
    big = _enter(u.county, signed, amount="400000")  # 8.3× the agreement: kept (追加投资 happens)
    with pytest.raises(ValidationFailed):
        _enter(u.county, signed, amount="100000")  # a pending entry stands: 10.4× in all
    big = fund_decide(user=u.county_clerk, entry=big, expected_version=big.version, accept=True)
    _enter(u.county, signed, amount="450000", replaces=big, reason="补录增资款")  # replaces it: 9.4×


def test_the_database_refuses_a_self_confirmation(world, signed):
    from django.db import IntegrityError, transaction

    entry = _enter(world.users.county, signed)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundArrival.objects.filter(pk=entry.pk).update(status="confirmed", confirmed_by=world.users.county, confirmed_at=timezone.now())


def test_only_confirmed_funds_feed_the_assessment_indicator(world, signed):
    from keyprojects.analytics.rankings import UnitFigures
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.regions.models import Region

    u = world.users
    entry = _enter(u.county, signed, amount="4800")
    period = ReportingPeriod(year=TODAY().year, month=TODAY().month)
    jinan = Region.objects.get(code="370100")

    def rate():
        units = selectors.unit_funnel(period=period, kind="region", root=jinan)
        return UnitFigures(key="370102", name="历下区", figures=None, leads=units["370102"]).value("lead_funds_rate")  # type: ignore[arg-type]

    assert rate() == D("0")
    fund_decide(user=u.city, entry=entry, expected_version=entry.version, accept=True)
    assert rate() == D("0.1000")


# ---- the pages ---------------------------------------------------------------------------------


def test_the_lead_page_shows_the_buttons_to_the_right_users_only(client, world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    url = reverse("attraction:detail", args=[signed.pk])
    client.force_login(u.county)
    page = client.get(url).content.decode()
    assert f'data-testid="fund-confirm-{entry.pk}"' not in page and f'data-testid="fund-own-{entry.pk}"' in page
    assert "待确认" in page
    for other in (u.county_clerk, u.city):
        client.force_login(other)
        page = client.get(url).content.decode()
        assert f'data-testid="fund-confirm-{entry.pk}"' in page and f'data-testid="fund-return-{entry.pk}"' in page
    client.force_login(u.department)  # not its unit's lead: 404; the leader reads without buttons
    assert client.get(url).status_code == 404
    client.force_login(u.leader)
    page = client.get(url).content.decode()
    assert f'data-testid="fund-confirm-{entry.pk}"' not in page and f'data-testid="fund-void-{entry.pk}"' not in page


def test_confirm_return_void_and_correct_through_the_pages(client, world, signed):
    u = world.users
    client.force_login(u.county)
    r = client.post(reverse("attraction:funds", args=[signed.pk]), {"arrived_on": TODAY().isoformat(), "arrived_amount": "5000"})
    assert r.status_code == 302
    entry = FundArrival.objects.get(lead=signed)
    decide = reverse("attraction:fund_decide", args=[signed.pk, entry.pk])
    r = client.post(decide, {"version": entry.version, "decision": "confirm"})
    assert r.status_code == 403 and "登记到资的人不能确认自己的登记" in r.content.decode()
    client.force_login(u.county_clerk)
    r = client.post(decide, {"version": entry.version, "decision": "return", "note": ""})
    assert r.status_code == 400 and "请填写退回理由" in r.content.decode()
    r = client.post(decide, {"version": entry.version, "decision": "confirm", "note": "已核对"}, follow=True)
    assert "已确认，该笔到资计入资金到位率" in r.content.decode()
    entry.refresh_from_db()
    assert entry.status == "confirmed"
    page = r.content.decode()
    assert f'data-testid="fund-void-{entry.pk}"' in page and f'data-testid="fund-correct-{entry.pk}"' in page
    correction = {"replaces": entry.pk, "arrived_on": TODAY().isoformat(), "arrived_amount": "500", "reason": ""}
    r = client.post(reverse("attraction:funds", args=[signed.pk]), correction)
    assert r.status_code == 400 and "更正到资须说明原因" in r.content.decode()
    r = client.post(reverse("attraction:funds", args=[signed.pk]), {**correction, "reason": "多录一个0"}, follow=True)
    assert "已登记更正" in r.content.decode()
    fix = FundArrival.objects.get(replaces=entry)
    client.force_login(u.county)
    r = client.post(reverse("attraction:fund_decide", args=[signed.pk, fix.pk]), {"version": fix.version, "decision": "confirm"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "voided" and _total(signed) == D("500")
    client.force_login(u.county_clerk)
    r = client.post(reverse("attraction:fund_void", args=[signed.pk, fix.pk + 0]), {"version": 1, "reason": "x"})
    assert r.status_code == 409  # a stale version (the confirmation moved it on)


def test_negative_amounts_say_so_plainly(client, world, signed):
    client.force_login(world.users.county)
    page = client.post(reverse("attraction:funds", args=[signed.pk]), {"arrived_on": TODAY().isoformat(), "arrived_amount": "-5"})
    assert "金额不能为负数" in page.content.decode() and "确保该值大于或等于" not in page.content.decode()
    from keyprojects.attraction.forms import LandForm, SignForm

    form = SignForm({"version": 1, "enterprise": world.ent.pk, "signed_on": TODAY(), "amount": "-1"}, user=world.users.county)
    assert not form.is_valid() and form.errors["amount"] == ["金额不能为负数"]
    form = LandForm({"version": 1, "annual_plan": "-1"}, user=world.users.county)
    assert not form.is_valid() and form.errors["annual_plan"] == ["金额不能为负数"]


def test_the_confirmers_to_do_list(client, world, signed, lead_of):
    u = world.users
    mine = _enter(u.county, signed)
    theirs = _enter(u.county_clerk, signed, amount="20")
    assert list(selectors.funds_to_confirm(u.county)) == [theirs]
    assert set(selectors.funds_to_confirm(u.city)) == {mine, theirs}
    assert not selectors.funds_to_confirm(u.department).exists() and not selectors.funds_to_confirm(u.sibling).exists()
    lead_of(name="别的线索")
    client.force_login(u.county)
    page = client.get(reverse("attraction:list")).content.decode()
    assert 'data-testid="funds-to-confirm"' in page
    page = client.get(reverse("attraction:list"), {"funds": "to_confirm"}).content.decode()
    assert "别的线索" not in page and signed.name in page
    client.force_login(u.sibling)
    assert 'data-testid="funds-to-confirm"' not in client.get(reverse("attraction:list")).content.decode()


def test_the_api_refuses_the_enterer_and_voids_with_a_reason(world, signed, api_as):
    u = world.users
    url = f"/api/v1/leads/{signed.pk}/"
    entry = _enter(u.county, signed)
    r = api_as(u.county).post(f"{url}fund-entries/{entry.pk}/decide/", {"version": 1, "accept": True}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = api_as(u.sibling).post(f"{url}fund-entries/{entry.pk}/decide/", {"version": 1, "accept": True}, format="json")
    assert r.status_code == 404
    r = api_as(u.city).post(f"{url}fund-entries/{entry.pk}/decide/", {"version": 1, "accept": True}, format="json")
    assert r.status_code == 200 and r.json()["counts"] is True
    r = api_as(u.county).post(f"{url}fund-entries/{entry.pk}/void/", {"version": 2, "reason": "重复登记"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "void_pending"
    r = api_as(u.county).post(f"{url}fund-entries/{entry.pk}/decide/", {"version": 3, "accept": True}, format="json")
    assert r.status_code == 403
    r = api_as(u.county_clerk).post(f"{url}fund-entries/{entry.pk}/decide/", {"version": 3, "accept": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "voided"
    history = api_as(u.city).get(f"{url}fund-entries/").json()[0]["history"]
    assert [h["kind"] for h in history] == ["recorded", "confirmed", "void_requested", "voided"]
    assert api_as(u.city).get(url).json()["arrived_amount"] == "0.0000"
    assert api_as(u.city).get("/api/v1/leads/", {"funds": "waiting"}).json()["count"] == 0


def test_the_upgrade_keeps_every_figure(world, signed):
    """Migration 0006: entries stored before the four-eyes check were counted; they become
    confirmed (no confirmer, the upgrade note in their history), so no figure changes."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("keyprojects.attraction.migrations.0006_existing_funds_confirmed")
    old = _enter(world.users.county, signed, amount="700")
    FundEvent.objects.filter(entry=old).delete()  # as stored before the upgrade: no status history
    total_before, _rows = selectors.funnel(Lead.objects.filter(pk=signed.pk))
    migration.confirm_existing(apps, None)
    old.refresh_from_db()
    assert old.status == "confirmed" and old.confirmed_by is None and old.confirmed_at == old.created_at
    assert _total(signed) == D("700") and selectors.funnel(Lead.objects.filter(pk=signed.pk))[0].arrived_amount == D("700")
    assert total_before.arrived_amount == 0  # after 0005 alone an old entry read 待确认 and left every figure
    history = list(FundEvent.objects.filter(entry=old).values_list("kind", "actor__username", "note"))
    assert history == [("recorded", "lixia", ""), ("confirmed", None, migration.UPGRADE_NOTE)]


def test_the_enterer_withdraws_her_own_pending_entry_and_it_never_counts(world, signed):
    u = world.users
    entry = _enter(u.county, signed)
    for other in (u.county_clerk, u.city):  # a confirmer returns it (with a reason), never withdraws it
        with pytest.raises(PermissionDenied):
            fund_withdraw(user=other, entry=entry, expected_version=entry.version)
    with pytest.raises(NotFound):
        fund_withdraw(user=u.sibling, entry=entry, expected_version=entry.version)
    with pytest.raises(ConflictError):
        fund_withdraw(user=u.county, entry=entry, expected_version=entry.version + 1)
    entry = fund_withdraw(user=u.county, entry=entry, expected_version=entry.version, note="  录错了金额 ")
    assert entry.status == "withdrawn" and _total(signed) == 0 and not entry.counts
    assert not selectors.funds_to_confirm(u.county_clerk).exists()
    kinds = list(FundEvent.objects.filter(entry=entry).values_list("kind", "actor__username", "note"))
    assert kinds == [("recorded", "lixia", ""), ("withdrawn", "lixia", "录错了金额")]
    audit = AuditEvent.objects.get(action="lead.funds_withdraw", object_id=str(entry.pk))
    assert audit.changes["status"] == ["pending", "withdrawn"]
    for later in (
        lambda: fund_withdraw(user=u.county, entry=entry, expected_version=entry.version),  # once only
        lambda: fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True),
    ):
        with pytest.raises(TransitionNotAllowed):
            later()
    confirmed = _enter(u.county, signed)
    confirmed = fund_decide(user=u.county_clerk, entry=confirmed, expected_version=confirmed.version, accept=True)
    with pytest.raises(TransitionNotAllowed):  # a confirmed figure is voided or corrected, never withdrawn
        fund_withdraw(user=u.county, entry=confirmed, expected_version=confirmed.version)
    fix = _enter(u.county, signed, amount="900", replaces=confirmed, reason="多录100万元")
    fund_withdraw(user=u.county, entry=fix, expected_version=fix.version)  # a correction too; the original stands
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed" and _total(signed) == D("1000")
    _enter(u.county, signed, amount="900", replaces=confirmed, reason="多录100万元")  # and may be entered again


def test_withdraw_through_the_page_and_the_api(client, world, signed, api_as):
    u = world.users
    entry = _enter(u.county, signed)
    url = reverse("attraction:detail", args=[signed.pk])
    client.force_login(u.county_clerk)
    assert f'data-testid="fund-withdraw-{entry.pk}"' not in client.get(url).content.decode()
    r = client.post(reverse("attraction:fund_withdraw", args=[signed.pk, entry.pk]), {"version": entry.version})
    assert r.status_code == 403 and "只有登记人本人可以撤回" in r.content.decode()
    client.force_login(u.county)
    assert f'data-testid="fund-withdraw-{entry.pk}"' in client.get(url).content.decode()
    r = client.post(reverse("attraction:fund_withdraw", args=[signed.pk, entry.pk]), {"version": entry.version}, follow=True)
    page = r.content.decode()
    assert "已撤回，该笔到资不计入" in page and "已撤回" in page and f'data-testid="fund-withdraw-{entry.pk}"' not in page
    other = _enter(u.county, signed, amount="30")
    api = f"/api/v1/leads/{signed.pk}/fund-entries/{other.pk}/withdraw/"
    r = api_as(u.city).post(api, {"version": 1}, format="json")
    assert r.status_code == 403
    r = api_as(u.county).post(api, {"version": 1, "note": "重复登记"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["counts"] is False
    r = api_as(u.county).post(api, {"version": 2}, format="json")
    assert r.status_code == 409
