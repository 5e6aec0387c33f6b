"""Every path of the brand selection services: drafting, eligibility at submit, one application a
year, the preliminary review, scoring, the decision with its cap and ceiling, four eyes, version
checks and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.audit.models import AuditEvent
from keyprojects.brands.models import BrandApplication, SelectionRound
from keyprojects.brands.services import (
    application_create,
    application_decide,
    application_review,
    application_score,
    application_submit,
    application_update,
    round_advance,
    round_create,
)
from keyprojects.core.errors import ConflictError, Duplicate, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.testing import EnterpriseFactory, make_user
from keyprojects.regions.models import Region

from .conftest import good, to_reviewing

pytestmark = pytest.mark.django_db


def _fields(exc) -> dict:
    return exc.value.extra["fields"]


def test_enterprise_drafts_for_its_own_enterprise_and_submits(world, rnd):
    app = application_create(actor=world.users.enterprise, round=rnd, enterprise=world.other_ent, data=good())
    assert app.enterprise == world.ent and app.status == "draft" and app.reward_cap == Decimal("10")
    app = application_submit(actor=world.users.enterprise, application=app, expected_version=app.version)
    assert app.status == "submitted" and app.submitted_by == world.users.enterprise
    events = AuditEvent.objects.filter(object_id=str(app.pk), object_type="brands.brandapplication").order_by("id")
    assert list(events.values_list("action", flat=True)) == ["brand_application.create", "brand_application.submit"]


def test_eligibility_is_checked_at_submit_with_field_errors(world, rnd):
    expired = rnd.closes_on - dt.timedelta(days=1)
    data = good(trademark_valid_until=expired, years_in_city=2, is_cultivation_enterprise=False, has_quality_system=False)
    app = application_create(actor=world.users.enterprise, round=rnd, data=data)
    with pytest.raises(ValidationFailed) as exc:
        application_submit(actor=world.users.enterprise, application=app, expected_version=app.version)
    fields = _fields(exc)
    assert set(fields) == {"trademark_valid_until", "years_in_city", "is_cultivation_enterprise", "has_quality_system"}
    assert "早于申报截止日" in fields["trademark_valid_until"][0]
    assert "满3年" in fields["years_in_city"][0]
    assert BrandApplication.objects.get(pk=app.pk).status == "draft"
    # a trademark valid exactly to the close date is fine; corrected, the draft goes in
    app = application_update(
        actor=world.users.enterprise,
        application=app,
        expected_version=app.version,
        data={"trademark_valid_until": rnd.closes_on, "years_in_city": 3, "is_cultivation_enterprise": True, "has_quality_system": True},
    )
    assert application_submit(actor=world.users.enterprise, application=app, expected_version=app.version).status == "submitted"


def test_haopin_shandong_and_missing_trademark_are_refused(world, rnd):
    app = application_create(
        actor=world.users.enterprise, round=rnd, data=good(in_haopin_shandong=True, trademark_no="", is_advanced=False)
    )
    with pytest.raises(ValidationFailed) as exc:
        application_submit(actor=world.users.enterprise, application=app, expected_version=app.version)
    assert set(_fields(exc)) == {"in_haopin_shandong", "trademark_no", "is_advanced"}
    assert "好品山东" in _fields(exc)["in_haopin_shandong"][0]


def test_one_application_per_enterprise_and_year(world, rnd):
    application_create(actor=world.users.enterprise, round=rnd, data=good())
    with pytest.raises(Duplicate) as exc:
        application_create(actor=world.users.county, round=rnd, enterprise=world.ent, data=good(category="service"))
    assert "只能申报一个类别" in exc.value.message
    # a second round of the same city and year does not open a second category either
    second = round_create(
        actor=world.users.city, region=rnd.region, year=rnd.year, name="第二批", opens_on=rnd.opens_on, closes_on=rnd.closes_on
    )
    second = round_advance(actor=world.users.city, round=second, expected_version=second.version, to_status="open")
    with pytest.raises(Duplicate):
        application_create(actor=world.users.enterprise, round=second, data=good(category="service"))


def test_who_may_draft(world, rnd):
    with pytest.raises(PermissionDenied):
        application_create(actor=world.users.leader, round=rnd, enterprise=world.ent, data=good())
    with pytest.raises(ValidationFailed):  # a Qingdao enterprise in Jinan's round
        application_create(actor=world.users.province, round=rnd, enterprise=world.other_ent, data=good())
    with pytest.raises(NotFound):  # Qingdao does not see Jinan's round
        application_create(actor=world.users.other_city, round=rnd, enterprise=world.other_ent, data=good())
    app = application_create(actor=world.users.county, round=rnd, enterprise=world.ent, data=good())  # on its behalf
    assert app.created_by == world.users.county


def test_submit_outside_the_window_is_refused(world, rnd):
    app = application_create(actor=world.users.enterprise, round=rnd, data=good())
    with pytest.raises(TransitionNotAllowed):
        application_submit(
            actor=world.users.enterprise, application=app, expected_version=app.version, today=rnd.closes_on + dt.timedelta(days=1)
        )


def test_review_four_eyes_and_return_with_reason(world, rnd, submitted):
    with pytest.raises(PermissionDenied):  # the enterprise itself
        application_review(actor=world.users.enterprise, application=submitted, expected_version=submitted.version, passed=True)
    staff = application_create(actor=world.users.county, round=rnd, enterprise=EnterpriseFactory(region_id="370102"), data=good())
    staff = application_submit(actor=world.users.county, application=staff, expected_version=staff.version)
    with pytest.raises(PermissionDenied) as exc:  # entered and submitted by lixia: lixia does not review it
        application_review(actor=world.users.county, application=staff, expected_version=staff.version, passed=True)
    assert "四眼" in exc.value.message
    assert (
        application_review(actor=world.users.county_clerk, application=staff, expected_version=staff.version, passed=True).status
        == "passed"
    )
    with pytest.raises(NotFound):  # 市中区 does not even see 历下区's enterprise's application
        application_review(actor=world.users.sibling, application=submitted, expected_version=submitted.version, passed=True)
    with pytest.raises(ValidationFailed):
        application_review(actor=world.users.county, application=submitted, expected_version=submitted.version, passed=False)
    back = application_review(
        actor=world.users.county, application=submitted, expected_version=submitted.version, passed=False, note="商标证书不清晰"
    )
    assert back.status == "returned" and back.review_note == "商标证书不清晰"
    # the enterprise corrects and resubmits
    again = application_submit(actor=world.users.enterprise, application=back, expected_version=back.version)
    assert again.status == "submitted"
    with pytest.raises(ConflictError):
        application_review(actor=world.users.county, application=again, expected_version=back.version, passed=True)


def test_score_and_decide_four_eyes_cap_and_ceiling(world, rnd, submitted):
    passed = application_review(actor=world.users.city_clerk, application=submitted, expected_version=submitted.version, passed=True)
    with pytest.raises(TransitionNotAllowed):  # scoring waits for the close of applications
        application_score(actor=world.users.city, application=passed, expected_version=passed.version, score="90")
    to_reviewing(world, rnd)
    with pytest.raises(PermissionDenied):  # a county does not score
        application_score(actor=world.users.county, application=passed, expected_version=passed.version, score="90")
    with pytest.raises(ValidationFailed):
        application_score(actor=world.users.city, application=passed, expected_version=passed.version, score="101")
    scored = application_score(actor=world.users.city, application=passed, expected_version=passed.version, score="91.5")
    assert scored.status == "scored" and scored.score == Decimal("91.5")
    for actor in (world.users.city, world.users.city_clerk):  # the scorer, the reviewer
        with pytest.raises(PermissionDenied) as exc:
            application_decide(actor=actor, application=scored, expected_version=scored.version, select=True)
        assert "四眼" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        application_decide(
            actor=world.users.province, application=scored, expected_version=scored.version, select=True, reward_amount="10.5"
        )
    assert "不能超过10万元" in _fields(exc)["reward_amount"][0]
    chosen = application_decide(actor=world.users.province, application=scored, expected_version=scored.version, select=True)
    assert chosen.status == "selected" and chosen.reward_amount == Decimal("10") and chosen.decided_by == world.users.province
    actions = set(
        AuditEvent.objects.filter(object_id=str(chosen.pk), object_type="brands.brandapplication").values_list("action", flat=True)
    )
    assert {"brand_application.pass", "brand_application.score", "brand_application.select"} <= actions


def test_a_scorer_whose_score_was_corrected_by_another_still_may_not_decide(world, rnd, submitted):
    """Four eyes survive a correction: A scores, B corrects the score, A may still not decide
    (nor may B); a third organiser may."""
    passed = application_review(actor=world.users.county, application=submitted, expected_version=submitted.version, passed=True)
    to_reviewing(world, rnd)
    first = application_score(actor=world.users.city, application=passed, expected_version=passed.version, score="80")
    corrected = application_score(actor=world.users.city_clerk, application=first, expected_version=first.version, score="80")
    assert corrected.scored_by == world.users.city_clerk and corrected.scorer_ids == [world.users.city.pk, world.users.city_clerk.pk]
    for actor in (world.users.city, world.users.city_clerk):
        assert not policy.can_decide_brand(actor, corrected)
        with pytest.raises(PermissionDenied) as exc:
            application_decide(actor=actor, application=corrected, expected_version=corrected.version, select=True)
        assert "四眼" in exc.value.message
    again = application_score(actor=world.users.city, application=corrected, expected_version=corrected.version, score="85")
    assert again.scorer_ids == [world.users.city.pk, world.users.city_clerk.pk]  # each scorer once
    chosen = application_decide(actor=world.users.province, application=again, expected_version=again.version, select=True)
    assert chosen.status == "selected"


def _scored(world, rnd, n: int) -> list[BrandApplication]:
    """``n`` applications of 历下区 enterprises entered by the county clerk, passed by the county,
    scored by the city (the round is then under review)."""
    out = []
    for i in range(n):
        ent = EnterpriseFactory(region_id="370102")
        a = application_create(actor=world.users.county_clerk, round=rnd, enterprise=ent, data=good(brand_name=f"品牌{i}"))
        a = application_submit(actor=world.users.county_clerk, application=a, expected_version=a.version)
        a = application_review(actor=world.users.county, application=a, expected_version=a.version, passed=True)
        out.append(a)
    to_reviewing(world, rnd)
    return [application_score(actor=world.users.city, application=a, expected_version=a.version, score=80 + i) for i, a in enumerate(out)]


def test_the_cap_is_enforced_at_decision_time(world, rnd):
    rnd.max_selected = 2
    rnd.save(update_fields=["max_selected"])
    apps = _scored(world, rnd, 3)
    decider = world.users.province
    for a in apps[:2]:
        application_decide(actor=decider, application=a, expected_version=a.version, select=True, reward_amount="8")
    with pytest.raises(TransitionNotAllowed) as exc:
        application_decide(actor=decider, application=apps[2], expected_version=apps[2].version, select=True)
    assert exc.value.message.startswith("已达本批次上限2个") and exc.value.code == "cap_reached"
    # not selecting is always possible
    no = application_decide(actor=decider, application=apps[2], expected_version=apps[2].version, select=False, note="得分靠后")
    assert no.status == "not_selected" and no.reward_amount is None


def test_default_cap_message_names_40(world, rnd):
    apps = _scored(world, rnd, 1)
    BrandApplication.objects.bulk_create(
        [BrandApplication(round=rnd, enterprise=EnterpriseFactory(region_id="370102"), category="service", brand_name=f"B{i}",
                          status="selected", reward_cap=rnd.reward_ceiling, reward_amount=Decimal("1")) for i in range(40)]
    )  # fmt: skip
    with pytest.raises(TransitionNotAllowed) as exc:
        application_decide(actor=world.users.province, application=apps[0], expected_version=apps[0].version, select=True)
    assert "已达本批次上限40个" in exc.value.message


def test_round_steps(world, rnd):
    with pytest.raises(TransitionNotAllowed):
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="published")
    with pytest.raises(PermissionDenied):
        round_advance(actor=world.users.county, round=rnd, expected_version=rnd.version, to_status="reviewing")
    apps = _scored(world, rnd, 1)
    rnd.refresh_from_db()
    with pytest.raises(TransitionNotAllowed) as exc:  # one application still waits for its decision
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="decided")
    assert "1份申报" in exc.value.message
    application_decide(actor=world.users.province, application=apps[0], expected_version=apps[0].version, select=True)
    rnd = round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="decided")
    with pytest.raises(ConflictError):
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version - 1, to_status="published")
    rnd = round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="published")
    assert rnd.status == "published"
    with pytest.raises(TransitionNotAllowed):  # published is final
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="reviewing")
    assert (
        AuditEvent.objects.filter(action="brand_round.advance", object_id=str(rnd.pk)).count() == 4
    )  # open, reviewing, decided, published


def test_closing_before_the_close_date_must_be_confirmed(world, rnd):
    """The early close is the service's rule, not only the page's: without the organiser's
    confirmation it is refused and nothing changes (found in a user trial)."""
    with pytest.raises(TransitionNotAllowed) as exc:
        round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="reviewing")
    assert exc.value.message == f"申报期至{rnd.closes_on:%Y-%m-%d}，提前截止申报须先确认"
    rnd.refresh_from_db()
    assert rnd.status == "open"
    assert AuditEvent.objects.filter(action="brand_round.advance", object_id=str(rnd.pk)).count() == 1  # only its opening
    SelectionRound.objects.filter(pk=rnd.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    rnd.refresh_from_db()  # the window has ended: closing needs no confirmation
    assert round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="reviewing").status == "reviewing"


def test_round_create_is_the_organisers(world):
    today = timezone.localdate()
    kw = {"year": today.year, "name": "X", "opens_on": today, "closes_on": today}
    with pytest.raises(PermissionDenied):
        round_create(actor=world.users.other_city, region=Region.objects.get(code="370100"), **kw)
    with pytest.raises(PermissionDenied):
        round_create(actor=world.users.county, region=Region.objects.get(code="370100"), **kw)
    with pytest.raises(ValidationFailed):
        round_create(actor=world.users.city, region=Region.objects.get(code="370102"), **kw)
    assert make_user("x", "sysadmin").pk and round_create(actor=world.users.province, region=Region.objects.get(code="370100"), **kw).pk


def test_round_update_while_prepared_or_open(world):
    from keyprojects.brands.services import round_update

    today = timezone.localdate()
    r = round_create(
        actor=world.users.city, region=Region.objects.get(code="370100"), year=today.year, name="X", opens_on=today, closes_on=today
    )
    r = round_update(
        actor=world.users.city, round=r, expected_version=r.version, data={"reward_ceiling": "8", "max_selected": 30, "name": " 第一批 "}
    )
    assert (r.reward_ceiling, r.max_selected, r.name) == (Decimal("8"), 30, "第一批")
    with pytest.raises(ValidationFailed) as exc:
        round_update(actor=world.users.city, round=r, expected_version=r.version, data={"closes_on": today - dt.timedelta(days=1)})
    assert "closes_on" in _fields(exc)
    with pytest.raises(ValidationFailed):
        round_update(actor=world.users.city, round=r, expected_version=r.version, data={"region": "370200"})
    with pytest.raises(PermissionDenied):
        round_update(actor=world.users.leader, round=r, expected_version=r.version, data={"name": "Y"})
    r = round_advance(actor=world.users.city, round=r, expected_version=r.version, to_status="open")
    with pytest.raises(ValidationFailed) as exc:  # the applications keep the ceiling of the opening
        round_update(actor=world.users.city, round=r, expected_version=r.version, data={"reward_ceiling": "12"})
    assert "reward_ceiling" in _fields(exc)
    r = round_update(actor=world.users.city, round=r, expected_version=r.version, data={"closes_on": today + dt.timedelta(days=9)})
    with pytest.raises(ConflictError):
        round_update(actor=world.users.city, round=r, expected_version=r.version - 1, data={"name": "Z"})
    r = round_advance(actor=world.users.city, round=r, expected_version=r.version, to_status="reviewing", early_close_confirmed=True)
    with pytest.raises(TransitionNotAllowed):
        round_update(actor=world.users.city, round=r, expected_version=r.version, data={"name": "Z"})
    assert AuditEvent.objects.filter(action="brand_round.update", object_id=str(r.pk)).count() == 2
