"""Leads: recording, the stage machine, checklist, 到资, optimistic locking, audit and events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from keyprojects.attraction.choices import LeadStage
from keyprojects.attraction.models import Lead, LeadEvent, ServiceItem
from keyprojects.attraction.services import (
    fund_arrival_add,
    lead_advance,
    lead_check,
    lead_drop,
    lead_land,
    lead_reopen,
    lead_sign,
    lead_update,
)
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_county_records_a_lead_in_its_county(world, lead_of):
    lead = lead_of(region="370202")  # a county cannot place it elsewhere
    assert lead.region_id == "370102" and lead.city_code == "370100" and lead.stage == LeadStage.INFO
    assert lead.stage_entered_on == lead.obtained_on
    assert LeadEvent.objects.filter(lead=lead, kind="created").count() == 1
    assert AuditEvent.objects.filter(action="lead.create", object_id=str(lead.pk)).exists()


def test_investor_uscc_is_optional_outside_the_province_but_checked_when_given(world, lead_of):
    lead = lead_of(investor_origin="abroad", investor_location="德国慕尼黑", investor_uscc="")
    assert lead.investor_uscc == ""
    with pytest.raises(ValidationFailed) as e:
        lead_of(investor_origin="in_province", investor_uscc="")
    assert "investor_uscc" in e.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        lead_of(investor_uscc="91370000XXXXXXXXXX")


def test_read_only_and_enterprise_users_record_nothing(world, lead_of):
    for u in (world.users.leader, world.users.enterprise, world.users.sysadmin):
        with pytest.raises(PermissionDenied):
            lead_of(user=u)


def test_the_whole_chain_with_events_and_versions(world, lead_of):
    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    assert lead.stage == LeadStage.NEGOTIATION
    with pytest.raises(TransitionNotAllowed):
        lead_advance(user=county, lead=lead, expected_version=lead.version)  # signing has its own step
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip
    assert lead.stage == LeadStage.SIGNED and lead.signed_amount == Decimal("48000.0000")
    fund_arrival_add(user=county, lead=lead, arrived_on=TODAY() - dt.timedelta(days=5), arrived_amount="1000")
    lead = lead_land(user=county, lead=lead, expected_version=lead.version, landed_on=TODAY(), annual_plan="6000")
    p = lead.project
    assert p.stage == "preparation" and p.owner_id == world.ent.pk and p.total_investment == Decimal("48000")
    assert p.years.get(year=TODAY().year).on_county_list
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, note="企业满意，建议加快供地")
    assert lead.stage == LeadStage.FEEDBACK and lead.feedback
    kinds = list(LeadEvent.objects.filter(lead=lead).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "advanced", "signed", "landed", "advanced"]
    assert Lead.objects.get(pk=lead.pk).version == 5


def test_a_stale_version_is_a_conflict_and_writes_nothing(world, lead_of):
    lead = lead_of()
    lead_update(user=world.users.county, lead=lead, expected_version=1, data={"content": "一期"})
    with pytest.raises(ConflictError):
        lead_advance(user=world.users.county, lead=lead, expected_version=1)
    assert Lead.objects.get(pk=lead.pk).stage == LeadStage.INFO
    assert LeadEvent.objects.filter(lead=lead).count() == 1


def test_required_service_items_hold_a_lead_in_its_stage(world, lead_of):
    item = ServiceItem.objects.create(stage="info", name="投资方背景核查", required=True)
    lead = lead_of()
    with pytest.raises(TransitionNotAllowed, match="投资方背景核查"):
        lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    lead_check(user=world.users.county, lead=lead, item=item)
    lead = lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    assert lead.stage == LeadStage.NEGOTIATION


def test_a_later_stages_service_item_waits_for_that_stage(world, lead_of, client):
    """The page offers the items up to the lead's stage; a later stage's item sent anyway (an old
    page, a hand-made request) is refused, nothing recorded, and the page says why."""
    from django.urls import reverse

    from keyprojects.attraction.models import LeadCheck

    later = ServiceItem.objects.create(stage="signed", name="协议合法性审查（测试）")
    lead = lead_of()
    with pytest.raises(ValidationFailed, match="签约"):
        lead_check(user=world.users.county, lead=lead, item=later)
    client.force_login(world.users.county)
    r = client.post(reverse("attraction:check", args=[lead.pk, later.pk]), follow=True)
    assert "须在线索进入该阶段后办理" in r.content.decode()
    assert not LeadCheck.objects.filter(lead=lead).exists()
    now = ServiceItem.objects.create(stage="info", name="线索登记建档（测试）")
    assert lead_check(user=world.users.county, lead=lead, item=now) is not None


def test_drop_needs_a_reason_and_reopen_returns_to_the_stage(world, lead_of):
    lead = lead_of()
    lead = lead_advance(user=world.users.county, lead=lead, expected_version=lead.version)
    with pytest.raises(ValidationFailed):
        lead_drop(user=world.users.county, lead=lead, expected_version=lead.version, reason=" ")
    lead = lead_drop(user=world.users.county, lead=lead, expected_version=lead.version, reason="投资方转投他地")
    assert lead.stage == LeadStage.DROPPED
    lead = lead_reopen(user=world.users.county, lead=lead, expected_version=lead.version)
    assert lead.stage == LeadStage.NEGOTIATION


def test_funds_only_after_signing(world, lead_of):
    lead = lead_of()
    with pytest.raises(TransitionNotAllowed):
        fund_arrival_add(user=world.users.county, lead=lead, arrived_on=TODAY(), arrived_amount="10")


def test_landing_links_an_existing_project_once(world, lead_of):
    county = world.users.county
    leads = []
    for _ in range(2):
        lead = lead_of()
        lead = lead_advance(user=county, lead=lead, expected_version=lead.version)
        lead = lead_sign(user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY(), amount="100")
        leads.append(lead)
    p = world.projects.own_county
    a = lead_land(user=county, lead=leads[0], expected_version=leads[0].version, project=p)
    assert a.project_id == p.pk
    with pytest.raises(ValidationFailed):
        lead_land(user=county, lead=leads[1], expected_version=leads[1].version, project=p)
    with pytest.raises(ValidationFailed):  # a peer county's project
        lead_land(user=county, lead=leads[1], expected_version=leads[1].version, project=world.projects.sibling_county)


def test_a_peer_county_cannot_touch_a_lead(world, lead_of):
    lead = lead_of()
    with pytest.raises(NotFound):
        lead_update(user=world.users.sibling, lead=lead, expected_version=lead.version, data={"content": "x"})


def test_signing_makes_the_partnership_agreement_and_landing_links_the_project(world, lead_of):
    from keyprojects.partnership.models import Agreement

    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version)
    commitments = [
        {
            "party": "enterprise",
            "kind": "investment",
            "description": "三年内完成投资5亿元",
            "target_value": "50000",
            "due_on": TODAY() + dt.timedelta(days=900),
        },
        {"party": "government", "kind": "land", "description": "年内交付工业用地120亩", "due_on": TODAY() + dt.timedelta(days=200)},
    ]
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY(), amount="50000",
        commitments=commitments,
    )  # fmt: skip
    agreement = Agreement.objects.get(source="attraction", source_ref=str(lead.pk))
    assert lead.agreement_id == agreement.pk and agreement.lead == lead
    assert agreement.commitments.count() == 2 and agreement.amount == Decimal("50000") and agreement.enterprise_id == world.ent.pk
    assert agreement.signatory_name == "历下区人民政府"
    lead = lead_land(user=county, lead=lead, expected_version=lead.version)
    assert list(agreement.projects.all()) == [lead.project]
    # the agreement is the one record: changing its amount is what the lead shows
    Agreement.objects.filter(pk=agreement.pk).update(amount=Decimal("52000"))
    assert Lead.objects.get(pk=lead.pk).signed_amount == Decimal("52000")


def test_a_signed_lead_stays_in_the_region_that_signed_it(world, lead_of):
    """The city may move a lead between its counties while it is being pursued; once 历下区 has
    signed it (and its 到资 and landing count for 历下区), moving it to 市中区 is refused."""
    from keyprojects.regions.models import Region

    county, city = world.users.county, world.users.city
    xiashi, shizhong = Region.objects.get(code="370102"), Region.objects.get(code="370103")
    lead = lead_of()
    lead = lead_update(user=city, lead=lead, expected_version=lead.version, data={"region": shizhong})
    lead = lead_update(user=city, lead=lead, expected_version=lead.version, data={"region": xiashi})
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version)
    lead = lead_sign(user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY(), amount="100")
    with pytest.raises(ValidationFailed) as exc:
        lead_update(user=city, lead=lead, expected_version=lead.version, data={"region": shizhong, "content": "迁往市中区"})
    assert exc.value.extra["fields"]["region"][0].shown == "线索已签约，所属区域以协议的签约地（历下区）为准，不能修改"
    fresh = Lead.objects.get(pk=lead.pk)
    assert fresh.region_id == "370102" and fresh.content == "" and fresh.version == lead.version
    lead = lead_update(user=city, lead=fresh, expected_version=fresh.version, data={"region": xiashi, "content": "跟进"})
    assert lead.content == "跟进"  # the same region with other changes is fine


def test_signing_needs_an_enterprise_in_reach(world, lead_of):
    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version)
    with pytest.raises(ValidationFailed):
        lead_sign(user=county, lead=lead, expected_version=lead.version, enterprise=world.other_ent, signed_on=TODAY(), amount="1")
    assert Lead.objects.get(pk=lead.pk).stage == LeadStage.NEGOTIATION


def test_funds_typed_in_yuan_are_refused_with_what_to_check(client, world, lead_of):
    """到资 is in 万元: 4.8亿元 typed as 480000000 (yuan) would be 10,000× the agreement and its
    资金到位率 a nonsense 1,000,000 %. Beyond 10× the signed amount the entry is refused and the user
    is told to check the unit; up to it (追加投资 happens) it is kept."""
    from keyprojects.attraction.models import FundArrival

    county = world.users.county
    lead = lead_of()
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=TODAY() - dt.timedelta(days=20))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=TODAY() - dt.timedelta(days=10),
        amount="48000", title="投资协议",
    )  # fmt: skip
    client.force_login(county)
    response = client.post(f"/attraction/{lead.pk}/funds/", {"arrived_on": TODAY().isoformat(), "arrived_amount": "480000000", "note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "是签约额48,000.00万元的10000倍" in page and "请核对金额单位是否为万元" in page
    assert not FundArrival.objects.filter(lead=lead).exists()
    fund_arrival_add(user=county, lead=lead, arrived_on=TODAY(), arrived_amount="400000")  # 8.3×: kept
    with pytest.raises(ValidationFailed) as e:
        fund_arrival_add(user=county, lead=lead, arrived_on=TODAY(), arrived_amount="100000")  # 10.4× in all
    assert "arrived_amount" in e.value.extra["fields"]
    assert FundArrival.objects.filter(lead=lead).count() == 1


def test_a_step_tells_the_user_in_english(client, world, lead_of):
    from django.conf import settings

    lead = lead_of()
    client.force_login(world.users.county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/attraction/{lead.pk}/step/advance/", {"version": lead.version, "on_date": TODAY().isoformat()}, follow=True)
    page = response.content.decode()
    assert "Moved on to the next stage" in page and "已推进到下一阶段" not in page
    assert Lead.objects.get(pk=lead.pk).stage == LeadStage.NEGOTIATION


def test_a_stage_standard_names_itself_in_the_page_language(compiled):  # noqa: F811
    from django.utils import translation

    from keyprojects.attraction.models import StageStandard

    standard = StageStandard(stage=LeadStage.NEGOTIATION, stall_days=90)
    with translation.override("zh-hans"):
        assert str(standard) == f"{standard.get_stage_display()}（90天）"
    with translation.override("en"):
        assert str(standard) == f"{standard.get_stage_display()} (90 days)" and "天" not in str(standard)
        assert str(StageStandard(stage=LeadStage.NEGOTIATION, stall_days=1)).endswith(" (1 day)")
