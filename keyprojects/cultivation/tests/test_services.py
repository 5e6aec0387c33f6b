from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.testing import EnterpriseFactory
from keyprojects.cultivation.models import CultivationEntry, CultivationList
from keyprojects.cultivation.services import (
    entry_confirm_removal,
    entry_decide,
    entry_link_agreement,
    entry_nominate,
    entry_propose_removal,
    list_create,
)
from keyprojects.partnership.services import agreement_create
from keyprojects.regions.models import Region


def actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id").values_list("action", flat=True)
    )


# --- constraints ------------------------------------------------------------------------------


def test_enterprise_at_most_once_per_list(world, nominated):
    with pytest.raises(IntegrityError), transaction.atomic():
        CultivationEntry.objects.create(cultivation_list=nominated.cultivation_list, enterprise=world.ent, reason="again")


@pytest.mark.parametrize("field", ["revenue", "tax", "rd_spending"])
def test_amounts_not_negative_in_database(world, clist, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        CultivationEntry.objects.create(cultivation_list=clist, enterprise=world.ent, reason="x", **{field: Decimal("-1")})


def test_removed_needs_reason_and_date_in_database(world, clist):
    with pytest.raises(IntegrityError), transaction.atomic():
        CultivationEntry.objects.create(cultivation_list=clist, enterprise=world.ent, reason="x", status="removed")


def test_one_list_per_region_year_kind(world, clist):
    with pytest.raises(IntegrityError), transaction.atomic():
        CultivationList.objects.create(region_id="370100", year=2026, kind="backbone")
    with pytest.raises(ValidationFailed) as exc:
        list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2026, kind="backbone")
    assert exc.value.status == 409


# --- lists ------------------------------------------------------------------------------------


def test_list_create_defaults_and_audit(world):
    c = list_create(actor=world.users.county, region=Region.objects.get(code="370102"), year=2026, kind="innovative_growth")
    assert c.capacity == 50 and str(c) == "历下区2026年创新成长型企业培育名单"
    assert actions(c) == ["cultivation_list.create"]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("county", "370100"),
        ("county", "370103"),
        ("other_city", "370100"),
        ("leader", "370100"),
        ("department", "370100"),
        ("enterprise", "370100"),
        ("sysadmin", "370100"),
        ("province", "370000"),
    ],
)
def test_list_create_refused(world, who, code):
    with pytest.raises(PermissionDenied):
        list_create(actor=getattr(world.users, who), region=Region.objects.get(code=code), year=2026, kind="backbone")


def test_list_create_province_for_a_city(world):
    c = list_create(actor=world.users.province, region=Region.objects.get(code="370200"), year=2026, kind="backbone")
    assert c.region_id == "370200"


# --- nominate ---------------------------------------------------------------------------------


def test_nominate_stores_indicators_to_four_places(world, nominated):
    nominated.refresh_from_db()
    assert nominated.status == "nominated" and nominated.nominated_by == world.users.county
    assert nominated.revenue == Decimal("123456.7891") and nominated.tax == Decimal("100.0000")
    assert actions(nominated) == ["cultivation_entry.nominate"]


def test_nominate_twice_is_a_duplicate(world, nominated):
    with pytest.raises(ValidationFailed) as exc:
        entry_nominate(actor=world.users.city, cultivation_list=nominated.cultivation_list, enterprise=world.ent, reason="x")
    assert exc.value.code == "duplicate"


def test_nominate_enterprise_outside_list_region(world, clist):
    with pytest.raises(ValidationFailed) as exc:
        entry_nominate(actor=world.users.province, cultivation_list=clist, enterprise=world.other_ent, reason="x")
    assert "不在济南市辖区内" in exc.value.extra["fields"]["enterprise"][0]


def test_nominate_enterprise_not_visible(world, clist, sibling_ent):
    # 历下区 staff do not see 市中区's enterprises
    with pytest.raises(ValidationFailed) as exc:
        entry_nominate(actor=world.users.county, cultivation_list=clist, enterprise=sibling_ent, reason="x")
    assert "enterprise" in exc.value.extra["fields"]


@pytest.mark.parametrize("value", ["-1", "abc", "NaN"])
def test_nominate_bad_amount(world, clist, value):
    with pytest.raises(ValidationFailed) as exc:
        entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=world.ent, reason="x", revenue=value)
    assert "revenue" in exc.value.extra["fields"]
    assert not CultivationEntry.objects.exists()


def test_nominate_needs_reason(world, clist):
    with pytest.raises(ValidationFailed):
        entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=world.ent, reason="  ")


@pytest.mark.parametrize("who", ["leader", "department", "enterprise", "sysadmin"])
def test_nominate_refused(world, clist, who):
    with pytest.raises((PermissionDenied, NotFound)):
        entry_nominate(actor=getattr(world.users, who), cultivation_list=clist, enterprise=world.ent, reason="x")


def test_nominate_other_city_list_not_found(world, clist):
    with pytest.raises(NotFound):
        entry_nominate(actor=world.users.other_city, cultivation_list=clist, enterprise=world.ent, reason="x")


# --- decide (four eyes, capacity) -------------------------------------------------------------


def test_nominator_cannot_decide(world, clist):
    e = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=world.ent, reason="x")
    with pytest.raises(PermissionDenied) as exc:
        entry_decide(actor=world.users.city, entry=e, expected_version=e.version, admit=True)
    assert "四眼" in exc.value.message
    e.refresh_from_db()
    assert e.status == "nominated"


def test_county_cannot_decide_city_list(world, clist):
    e = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=world.ent, reason="x")
    with pytest.raises(PermissionDenied):
        entry_decide(actor=world.users.county, entry=e, expected_version=e.version, admit=True)


def test_admit(world, admitted):
    admitted.refresh_from_db()
    assert admitted.status == "admitted" and admitted.decided_by == world.users.city and admitted.decided_at is not None
    assert actions(admitted) == ["cultivation_entry.nominate", "cultivation_entry.admit"]


def test_reject_needs_note(world, nominated):
    with pytest.raises(ValidationFailed):
        entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version, admit=False)
    e = entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version, admit=False, note="研发投入不足")
    assert e.status == "rejected" and e.decision_note == "研发投入不足"
    assert actions(e)[-1] == "cultivation_entry.reject"
    with pytest.raises(TransitionNotAllowed):
        entry_decide(actor=world.users.city, entry=e, expected_version=e.version, admit=True)


def test_decide_stale_version(world, nominated):
    with pytest.raises(ConflictError):
        entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version + 1, admit=True)


def test_capacity_enforced_at_admission(world, clist, admitted, sibling_ent):
    second = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=sibling_ent, reason="x")
    third_ent = EnterpriseFactory(name="济南第三企业", region_id="370102")
    third = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=third_ent, reason="x")
    entry_decide(actor=world.users.province, entry=second, expected_version=second.version, admit=True)
    with pytest.raises(TransitionNotAllowed) as exc:
        entry_decide(actor=world.users.province, entry=third, expected_version=third.version, admit=True)
    assert exc.value.message.startswith("名单已满2家") and exc.value.code == "list_full"
    third.refresh_from_db()
    assert third.status == "nominated"
    # a rejection is still possible, and a removal frees a place
    e = entry_propose_removal(actor=world.users.county, entry=admitted, expected_version=admitted.version, reason="迁出本市")
    entry_confirm_removal(actor=world.users.city, entry=e, expected_version=e.version, accept=True)
    assert entry_decide(actor=world.users.province, entry=third, expected_version=third.version, admit=True).status == "admitted"


def test_capacity_message_says_fifty(world):
    c = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2027, kind="backbone")
    ents = EnterpriseFactory.create_batch(51, region_id="370102")
    entries = [entry_nominate(actor=world.users.county, cultivation_list=c, enterprise=e, reason="x") for e in ents]
    for e in entries[:50]:
        entry_decide(actor=world.users.city, entry=e, expected_version=e.version, admit=True)
    with pytest.raises(TransitionNotAllowed, match="名单已满50家"):
        entry_decide(actor=world.users.city, entry=entries[50], expected_version=entries[50].version, admit=True)


# --- removal (four eyes) ----------------------------------------------------------------------


def test_removal_two_people(world, admitted):
    e = entry_propose_removal(actor=world.users.city, entry=admitted, expected_version=admitted.version, reason="经营困难")
    assert e.removal_pending and e.status == "admitted"
    with pytest.raises(TransitionNotAllowed):
        entry_propose_removal(actor=world.users.county, entry=e, expected_version=e.version, reason="again")
    with pytest.raises(PermissionDenied, match="四眼"):
        entry_confirm_removal(actor=world.users.city, entry=e, expected_version=e.version, accept=True)
    with pytest.raises(ValidationFailed):
        future = timezone.localdate() + dt.timedelta(days=3)
        entry_confirm_removal(actor=world.users.province, entry=e, expected_version=e.version, accept=True, removed_on=future)
    e = entry_confirm_removal(actor=world.users.province, entry=e, expected_version=e.version, accept=True, removed_on=dt.date(2026, 3, 1))
    e.refresh_from_db()
    assert e.status == "removed" and e.removed_on == dt.date(2026, 3, 1) and e.removed_by == world.users.province
    assert e.removal_reason == "经营困难"
    assert actions(e)[-2:] == ["cultivation_entry.propose_removal", "cultivation_entry.remove"]


def test_removal_kept_on_list(world, admitted):
    e = entry_propose_removal(actor=world.users.county, entry=admitted, expected_version=admitted.version, reason="经营困难")
    with pytest.raises(ValidationFailed):
        entry_confirm_removal(actor=world.users.city, entry=e, expected_version=e.version, accept=False)
    e = entry_confirm_removal(actor=world.users.city, entry=e, expected_version=e.version, accept=False, note="已好转")
    assert e.status == "admitted" and not e.removal_pending and e.removal_reason == ""
    assert actions(e)[-1] == "cultivation_entry.keep"


def test_removal_needs_reason_and_admitted(world, nominated):
    with pytest.raises(TransitionNotAllowed):
        entry_propose_removal(actor=world.users.city, entry=nominated, expected_version=nominated.version, reason="x")
    e = entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version, admit=True)
    with pytest.raises(ValidationFailed):
        entry_propose_removal(actor=world.users.county, entry=e, expected_version=e.version, reason="")
    with pytest.raises(TransitionNotAllowed):
        entry_confirm_removal(actor=world.users.province, entry=e, expected_version=e.version, accept=True)


# --- the one-to-one agreement -----------------------------------------------------------------


def _agreement(world, enterprise, region="370102"):
    return agreement_create(
        actor=world.users.city,
        enterprise=enterprise,
        region=Region.objects.get(code=region),
        title=f"{enterprise.name}政企合作协议",
        signed_on=dt.date(2026, 2, 1),
        amount="100",
        signatory_name="济南市人民政府",
    )


def test_link_agreement(world, admitted):
    a = _agreement(world, world.ent)
    e = entry_link_agreement(actor=world.users.city, entry=admitted, expected_version=admitted.version, agreement=a)
    e.refresh_from_db()
    assert e.agreement == a
    assert actions(e)[-1] == "cultivation_entry.link_agreement"
    e = entry_link_agreement(actor=world.users.city, entry=e, expected_version=e.version, agreement=None)
    assert e.agreement is None


def test_link_agreement_of_another_enterprise_refused(world, admitted, sibling_ent):
    a = _agreement(world, sibling_ent, "370103")
    with pytest.raises(ValidationFailed, match="本企业"):
        entry_link_agreement(actor=world.users.city, entry=admitted, expected_version=admitted.version, agreement=a)


def test_link_agreement_out_of_scope_refused(world, admitted):
    other = agreement_create(
        actor=world.users.other_city,
        enterprise=world.ent,
        region=Region.objects.get(code="370202"),
        title="青岛签的协议",
        signed_on=dt.date(2026, 2, 1),
        amount="1",
        signatory_name="市南区人民政府",
    )
    with pytest.raises(ValidationFailed, match="无权访问"):
        entry_link_agreement(actor=world.users.city, entry=admitted, expected_version=admitted.version, agreement=other)


def test_link_needs_admitted_and_decider(world, nominated):
    a = _agreement(world, world.ent)
    with pytest.raises(TransitionNotAllowed):
        entry_link_agreement(actor=world.users.city, entry=nominated, expected_version=nominated.version, agreement=a)
    e = entry_decide(actor=world.users.city, entry=nominated, expected_version=nominated.version, admit=True)
    with pytest.raises(PermissionDenied):
        entry_link_agreement(actor=world.users.county, entry=e, expected_version=e.version, agreement=a)


def test_carry_over_nominates_last_years_admitted(world, clist, admitted, sibling_ent):
    from keyprojects.cultivation.services import list_carry_over

    rejected = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=sibling_ent, reason="x")
    entry_decide(actor=world.users.province, entry=rejected, expected_version=rejected.version, admit=False, note="不符合")
    new = list_create(actor=world.users.city, region=Region.objects.get(code="370100"), year=2027, kind="backbone")
    with pytest.raises(TransitionNotAllowed):
        list_carry_over(actor=world.users.city, cultivation_list=clist)  # no 2025 list
    assert list_carry_over(actor=world.users.sibling, cultivation_list=new) == []  # 市中区 does not see 比亚迪
    out = list_carry_over(actor=world.users.city, cultivation_list=new)
    assert [(e.enterprise_id, e.status, e.revenue, e.nominated_by_id) for e in out] == [
        (world.ent.pk, "nominated", Decimal("123456.7891"), world.users.city.pk)
    ]
    assert "2026年度已入选" in out[0].reason
    assert list_carry_over(actor=world.users.city, cultivation_list=new) == []  # already there
    # still four eyes: the carrier does not decide
    with pytest.raises(PermissionDenied, match="四眼"):
        entry_decide(actor=world.users.city, entry=out[0], expected_version=out[0].version, admit=True)
    assert actions(new)[-1] == "cultivation_list.carry_over"
