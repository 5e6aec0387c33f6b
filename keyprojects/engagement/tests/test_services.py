"""企业诉求 services: every transition, deadlines over a holiday, four eyes, reopen once."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.engagement import services as s
from keyprojects.engagement.choices import EventKind, ExtensionStatus, RequestStatus, Source
from keyprojects.engagement.models import RequestEvent
from keyprojects.engagement.selectors import with_timing

from .conftest import at, raise_request

pytestmark = pytest.mark.django_db


def kinds(req):
    return list(RequestEvent.objects.filter(request=req).values_list("kind", flat=True))


def test_enterprise_raises_and_rules_route(eng):
    req = raise_request(eng, project=eng.projects.own_county.pk)
    assert req.status == RequestStatus.SUBMITTED and req.source == Source.ENTERPRISE
    assert [a.unit for a in req.assignments.filter(active=True)] == [eng.dept]
    assert kinds(req) == [EventKind.CREATED, EventKind.ROUTED]
    assert req.city_code == "370100" and req.region_id == "370102"
    assert AuditEvent.objects.filter(action="request.create", object_id=str(req.pk)).count() == 1


def test_create_refusals(eng):
    u = eng.users
    with pytest.raises(PermissionDenied):
        raise_request(eng, enterprise=eng.other_ent)  # not its own enterprise
    with pytest.raises(ValidationFailed) as e:
        raise_request(eng, project=eng.projects.other_city.pk)  # another enterprise's project
    assert "project" in e.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        raise_request(eng, category="nope")
    with pytest.raises(PermissionDenied):
        raise_request(eng, user=u.leader)
    with pytest.raises(PermissionDenied):
        raise_request(eng, user=u.department)
    with pytest.raises(ValidationFailed):  # staff must name how it came in
        s.request_create(user=u.city, enterprise=eng.ent, data={"category": "factor", "title": "x", "description": "y"})
    with pytest.raises(NotFound):  # staff: only enterprises in scope
        s.request_create(
            user=u.city, enterprise=eng.other_ent, source=Source.VISIT, data={"category": "factor", "title": "x", "description": "y"}
        )
    req = s.request_create(
        user=u.city, enterprise=eng.ent, source=Source.VISIT, data={"category": "other", "title": "x", "description": "y"}
    )
    assert req.source == Source.VISIT and req.raised_by == u.city
    assert not req.assignments.exists()  # no rule for 其他: waits for manual routing


def test_full_cycle_satisfied(eng):
    u = eng.users
    req = raise_request(eng, now=at(2026, 3, 2))
    with pytest.raises(NotFound):
        s.request_acknowledge(user=u.other_enterprise, req=req, expected_version=req.version)
    with pytest.raises(PermissionDenied):  # its own enterprise sees it but does not handle it
        s.request_acknowledge(user=u.enterprise, req=req, expected_version=req.version)
    with pytest.raises(NotFound):
        s.request_acknowledge(user=u.other_city, req=req, expected_version=req.version)
    req = s.request_acknowledge(user=u.department, req=req, expected_version=req.version, now=at(2026, 3, 3))
    assert req.status == RequestStatus.IN_PROGRESS
    with pytest.raises(TransitionNotAllowed):
        s.request_acknowledge(user=u.department, req=req, expected_version=req.version)
    with pytest.raises(TransitionNotAllowed):  # nothing to rate before a reply
        s.request_rate(user=u.enterprise, req=req, expected_version=req.version, rating="satisfied")
    with pytest.raises(ValidationFailed):
        s.request_reply(user=u.department, req=req, expected_version=req.version, reply="  ")
    req = s.request_reply(user=u.department, req=req, expected_version=req.version, reply="已协调增加指标", now=at(2026, 3, 5))
    assert req.status == RequestStatus.REPLIED and req.replied_by_unit == eng.dept
    with pytest.raises(PermissionDenied):  # only the enterprise rates
        s.request_rate(user=u.city, req=req, expected_version=req.version, rating="satisfied")
    req = s.request_rate(user=u.enterprise, req=req, expected_version=req.version, rating="satisfied", now=at(2026, 3, 6))
    assert req.status == RequestStatus.CLOSED and req.closed_at == at(2026, 3, 6)
    assert kinds(req) == ["created", "routed", "acknowledged", "replied", "rated", "closed"]
    [row] = with_timing([req], today=dt.date(2026, 4, 1))
    assert row.timing.on_time is True and row.timing.days_used == 3 and not row.timing.overdue
    actions = set(AuditEvent.objects.filter(object_id=str(req.pk)).values_list("action", flat=True))
    assert {"request.create", "request.acknowledge", "request.reply", "request.rate"} <= actions


def test_unsatisfied_reopens_once(eng):
    u = eng.users
    req = raise_request(eng, now=at(2026, 3, 2))
    req = s.request_reply(user=u.department, req=req, expected_version=req.version, reply="第一次答复", now=at(2026, 3, 3))
    with pytest.raises(ValidationFailed):  # 不满意 needs a reason
        s.request_rate(user=u.enterprise, req=req, expected_version=req.version, rating="unsatisfied")
    req = s.request_rate(
        user=u.enterprise, req=req, expected_version=req.version, rating="unsatisfied", reason="指标仍未落实", now=at(2026, 3, 4)
    )
    assert req.status == RequestStatus.REOPENED and req.reopen_count == 1 and req.replied_at is None
    assert req.resolve_due == dt.date(2026, 3, 25)  # 15 working days from 3-4
    req = s.request_reply(user=u.department, req=req, expected_version=req.version, reply="第二次答复", now=at(2026, 3, 10))
    req = s.request_rate(
        user=u.enterprise, req=req, expected_version=req.version, rating="unsatisfied", reason="还是不行", now=at(2026, 3, 11)
    )
    assert req.status == RequestStatus.CLOSED and req.reopen_count == 1  # no second reopening
    assert kinds(req)[-2:] == [EventKind.RATED, EventKind.CLOSED]
    with pytest.raises(TransitionNotAllowed):
        s.request_rate(user=u.enterprise, req=req, expected_version=req.version, rating="satisfied")


def test_deadlines_count_working_days_over_a_holiday(eng):
    # Wed 2026-09-30, then the National Day holiday 10-01..10-07, Sat 10-10 a make-up working day.
    req = raise_request(eng, category="approval", now=at(2026, 9, 30))
    assert req.acknowledge_due == dt.date(2026, 10, 9)
    assert req.resolve_due == dt.date(2026, 10, 20)  # 10 working days: 10-08 .. 10-20
    [row] = with_timing([req], today=dt.date(2026, 10, 8))
    assert not row.timing.overdue and row.timing.days_used == 1
    [row] = with_timing([req], today=dt.date(2026, 10, 12))
    assert row.timing.acknowledge_overdue and not row.timing.resolve_overdue
    [row] = with_timing([req], today=dt.date(2026, 10, 21))
    assert row.timing.resolve_overdue and row.timing.on_time is False


def test_extension_four_eyes(eng):
    u = eng.users
    req = raise_request(eng, now=at(2026, 3, 2))
    due = req.resolve_due
    with pytest.raises(PermissionDenied):
        s.extension_ask(user=u.enterprise, req=req, days=5, reason="x")
    with pytest.raises(ValidationFailed):
        s.extension_ask(user=u.department, req=req, days=0, reason="x")
    ext = s.extension_ask(user=u.department, req=req, days=5, reason="需省级协调")
    with pytest.raises(TransitionNotAllowed):
        s.extension_ask(user=u.department, req=req, days=3, reason="again")
    with pytest.raises(PermissionDenied):  # a department does not decide
        s.extension_decide(user=u.department, extension=ext, expected_version=ext.version, approve=True)
    ext2 = s.extension_ask(user=u.city, req=raise_request(eng, now=at(2026, 3, 2)), days=2, reason="城市自己申请")
    with pytest.raises(PermissionDenied):  # whoever asks never decides
        s.extension_decide(user=u.city, extension=ext2, expected_version=ext2.version, approve=True)
    s.extension_decide(user=u.province, extension=ext2, expected_version=ext2.version, approve=False, note="理由不充分")
    ext = s.extension_decide(user=u.city, extension=ext, expected_version=ext.version, approve=True, now=at(2026, 3, 5))
    assert ext.status == ExtensionStatus.APPROVED and ext.decided_by == u.city
    req.refresh_from_db()
    assert req.resolve_due == dt.date(2026, 3, 30) and due == dt.date(2026, 3, 23)
    with pytest.raises(TransitionNotAllowed):
        s.extension_decide(user=u.province, extension=ext, expected_version=ext.version, approve=False)
    assert EventKind.EXTENSION_APPROVED in kinds(req)


def test_route_reroute_and_decline(eng):
    u = eng.users
    req = s.request_create(
        user=u.province, enterprise=eng.ent, source=Source.PHONE, data={"category": "other", "title": "x", "description": "y"}
    )
    with pytest.raises(NotFound):  # the department does not see it before it is routed to it
        s.request_route(user=u.department, req=req, expected_version=req.version, units=[eng.dept.pk])
    with pytest.raises(NotFound):
        s.request_acknowledge(user=u.department, req=req, expected_version=req.version)
    req = s.request_route(user=u.city, req=req, expected_version=req.version, units=[eng.zone.pk])
    with pytest.raises(ValidationFailed):
        s.request_reroute(user=u.city, req=req, expected_version=req.version, from_unit=eng.zone, to_unit=eng.dept, reason="")
    req = s.request_reroute(user=u.city, req=req, expected_version=req.version, from_unit=eng.zone, to_unit=eng.dept, reason="属发改职责")
    assert [a.unit_id for a in req.assignments.filter(active=True)] == [eng.dept.pk]
    with pytest.raises(ValidationFailed):
        s.request_decline(user=u.department, req=req, expected_version=req.version, right_unit=eng.dept, reason="x")
    req = s.request_decline(user=u.department, req=req, expected_version=req.version, right_unit=eng.zone, reason="项目在起步区")
    assert [a.unit_id for a in req.assignments.filter(active=True)] == [eng.zone.pk]
    with pytest.raises(NotFound):  # no longer routed to the department
        s.request_reply(user=u.department, req=req, expected_version=req.version, reply="x")
    ev = RequestEvent.objects.get(request=req, kind=EventKind.DECLINED)
    assert ev.unit == eng.dept and "非本部门职责" in ev.note  # the unit that declined, not where it went
    assert kinds(req) == ["created", "routed", "rerouted", "declined", "routed"]


def test_optimistic_lock(eng):
    u = eng.users
    req = raise_request(eng)
    stale = req.version
    s.request_acknowledge(user=u.department, req=req, expected_version=stale)
    with pytest.raises(ConflictError):
        s.request_reply(user=u.department, req=req, reply="x", expected_version=stale)


def test_a_failed_step_leaves_nothing(eng, monkeypatch):
    u = eng.users
    req = raise_request(eng)

    def boom(**kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(s, "audit_record", boom)
    with pytest.raises(RuntimeError):
        s.request_acknowledge(user=u.department, req=req, expected_version=req.version)
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED and kinds(req) == ["created", "routed"]


def test_every_step_needs_the_version_it_saw(eng):
    """A missing version is the caller's bug (TypeError), never a silent last-writer-wins; a
    stale one is the project's conflict message."""
    u = eng.users
    req = raise_request(eng)
    with pytest.raises(TypeError):
        s.request_acknowledge(user=u.department, req=req)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        s.request_acknowledge(user=u.department, req=req, expected_version=None)  # type: ignore[arg-type]
    ext = s.extension_ask(user=u.department, req=req, days=3, reason="需协调")
    with pytest.raises(TypeError):
        s.extension_decide(user=u.city, extension=ext, approve=True)  # type: ignore[call-arg]
    stale = req.version
    req = s.request_route(user=u.city, req=req, expected_version=stale, units=[eng.zone.pk])
    for step in (
        lambda v: s.request_acknowledge(user=u.department, req=req, expected_version=v),
        lambda v: s.request_reply(user=u.department, req=req, expected_version=v, reply="x"),
        lambda v: s.request_route(user=u.city, req=req, expected_version=v, units=[eng.zone.pk]),
        lambda v: s.request_reroute(user=u.city, req=req, expected_version=v, from_unit=eng.zone, to_unit=eng.dept, reason="x"),
        lambda v: s.request_decline(user=u.department, req=req, expected_version=v, right_unit=eng.zone, reason="x"),
    ):
        with pytest.raises(ConflictError) as exc:
            step(stale)
        assert exc.value.message == "已被他人修改，请核对后重新保存" and exc.value.status == 409
    with pytest.raises(ConflictError):
        s.extension_decide(user=u.city, extension=ext, expected_version=ext.version + 1, approve=True)
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED and req.version == stale + 1
