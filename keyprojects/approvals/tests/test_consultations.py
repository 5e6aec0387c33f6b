"""会商会办 and 提级会商: a county meeting escalates a need to the city, the city's meeting to
the province; the need keeps its history; decisions are tracked to done (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.approvals.models import Consultation, ConsultationTopic
from keyprojects.approvals.services_consultations import consultation_hold, need_history, topic_mark_done
from keyprojects.approvals.services_needs import factor_need_create
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def need(world):
    return factor_need_create(
        user=world.users.county, project=world.projects.own_county, data={"kind": "environment", "subtype": "vocs", "quantity": 12}
    )


def test_county_then_city_escalate_a_need_to_the_province(world, need):
    county = consultation_hold(
        user=world.users.county,
        held_on=D(2025, 3, 1),
        convener="历下区副区长",
        unit_ids=[world.dept.pk],
        topics=[{"need": need.pk, "decision": "区内无法调剂，提请市级会商", "escalate": True}],
    )
    need.refresh_from_db()
    assert county.level == "county" and need.level == "city"
    city = consultation_hold(
        user=world.users.city,
        held_on=D(2025, 3, 20),
        convener="济南市副市长",
        topics=[
            {"need": need.pk, "decision": "提请省级调剂VOCs指标", "owner_unit": world.dept.pk, "due_on": D(2025, 4, 30), "escalate": True}
        ],
    )
    need.refresh_from_db()
    assert city.level == "city" and need.level == "province"
    history = need_history(need)
    assert [(t.consultation.level, t.escalated_to) for t in history] == [("county", "city"), ("city", "province")]
    assert AuditEvent.objects.filter(action="consultation.hold").count() == 2
    # The county sees the city meeting about its project; another city sees neither.
    assert set(Consultation.objects.visible_to(world.users.county)) == {county, city}
    assert not Consultation.objects.visible_to(world.users.other_city).exists()
    assert Consultation.objects.visible_to(world.users.department).filter(pk=city.pk).exists()  # it owns a decision
    # The owner unit carries the decision out.
    topic = city.topics.get()
    topic_mark_done(user=world.users.department, topic=topic, done_on=D(2025, 4, 2))
    topic.refresh_from_db()
    assert topic.done_on == D(2025, 4, 2)
    with pytest.raises(ValidationFailed):
        topic_mark_done(user=world.users.city, topic=topic, done_on=D(2025, 3, 1))


def test_province_cannot_escalate_and_bad_input_is_refused(world, need):
    with pytest.raises(ValidationFailed) as exc:
        consultation_hold(
            user=world.users.province, held_on=D(2025, 3, 1), convener="省", topics=[{"need": need.pk, "decision": "x", "escalate": True}]
        )
    assert "topics.0.escalate" in exc.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        consultation_hold(user=world.users.county, held_on=D(2099, 1, 1), convener="x", topics=[{"need": need.pk, "decision": "x"}])
    with pytest.raises(ValidationFailed):  # a need outside the user's scope
        consultation_hold(user=world.users.other_city, held_on=D(2025, 1, 1), convener="x", topics=[{"need": need.pk, "decision": "x"}])
    with pytest.raises(ValidationFailed):
        consultation_hold(user=world.users.county, held_on=D(2025, 1, 1), convener="x", topics=[])
    for user in (world.users.leader, world.users.department, world.users.enterprise, world.users.sysadmin):
        with pytest.raises(PermissionDenied):
            consultation_hold(user=user, held_on=D(2025, 1, 1), convener="x", topics=[{"need": need.pk, "decision": "x"}])
    assert not Consultation.objects.exists() and not ConsultationTopic.objects.exists()
    need.refresh_from_db()
    assert need.level == "county" and need.version == 1


def test_city_holds_a_meeting_in_the_page_and_the_unit_marks_it_done(client, world, need):
    client.force_login(world.users.city)
    assert client.get("/approvals/consultations/").status_code == 200
    url = "/approvals/consultations/new/"
    assert client.get(url).status_code == 200
    data = {
        "held_on": "2025-03-20",
        "convener": "济南市副市长",
        "need": need.pk,
        "decision": "提请省级调剂",
        "owner_unit": world.dept.pk,
        "escalate": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    need.refresh_from_db()
    assert need.level == "province"  # a city meeting sends it to the province
    page = client.get("/approvals/consultations/").content.decode()
    assert "提请省级调剂" in page and "省级" in page
    topic = ConsultationTopic.objects.filter(owner_unit=world.dept).get()
    client.force_login(world.users.department)
    assert client.post(f"/approvals/consultations/topics/{topic.pk}/done/").status_code == 302
    topic.refresh_from_db()
    assert topic.done_on is not None
    for user in (world.users.department, world.users.leader, world.users.enterprise):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get("/approvals/consultations/").status_code == 200
    client.force_login(world.users.other_city)
    assert client.post(f"/approvals/consultations/topics/{topic.pk}/done/").status_code == 404
