"""``/api/v1/approvals/``, ``/factor-needs/``, ``/consultations/`` (issue 14): scope like projects
(404 outside it), writes through the services with the optimistic lock (409 on a stale version),
JSON errors ``{code, message, extra}``."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyprojects.approvals.models import ApprovalItem, Consultation, FactorNeed, ProjectApproval
from keyprojects.approvals.services import approval_items_set
from keyprojects.approvals.services_needs import factor_need_create

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def aw(world):
    eia = ApprovalItem.objects.get(code="eia")
    eia.department_unit = world.dept
    eia.save()
    world.eia = eia
    approval_items_set(user=world.users.county, project=world.projects.own_county, item_ids=[eia.pk])
    world.approval = ProjectApproval.objects.get(project=world.projects.own_county, item=eia)
    world.other_need = factor_need_create(
        user=world.users.other_city, project=world.projects.other_city, data={"kind": "energy", "subtype": "trading", "quantity": "10"}
    )
    return world


def test_county_adds_an_item_and_records_it_department_works_it(aw):
    county = api(aw.users.county)
    item = ApprovalItem.objects.get(code="construction-permit")
    r = county.post("/api/v1/approvals/", {"project": aw.projects.own_county.pk, "item": item.pk}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "not_applied" and r.json()["code"] == "green" and r.json()["working_days"] is None
    again = county.post("/api/v1/approvals/", {"project": aw.projects.own_county.pk, "item": item.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"

    pk = aw.approval.pk
    dept = api(aw.users.department)
    assert pk in [a["id"] for a in dept.get("/api/v1/approvals/").json()["results"]]  # it handles it (and is the responsible unit)
    body = {"version": 1, "status": "in_progress", "applied_on": "2026-03-02", "accepted_on": "2026-03-02"}
    r = dept.patch(f"/api/v1/approvals/{pk}/", body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2 and r.json()["department"] == "济南市发展和改革委员会" and r.json()["working_days"] > 0
    stale = dept.patch(f"/api/v1/approvals/{pk}/", {"version": 1, "note": "x"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict" and set(stale.json()) == {"code", "message", "extra"}
    # a department may not move who handles the item; bad dates are 400 naming the field
    denied = dept.patch(f"/api/v1/approvals/{pk}/", {"version": 2, "handling_unit": None}, format="json")
    assert denied.status_code == 403
    bad = dept.patch(f"/api/v1/approvals/{pk}/", {"version": 2, "completed_on": "2026-03-01", "status": "done"}, format="json")
    assert bad.status_code == 400 and "completed_on" in bad.json()["extra"]["fields"]
    unknown = dept.patch(f"/api/v1/approvals/{pk}/", {"version": 2, "project": 1}, format="json")
    assert unknown.status_code == 400 and "project" in unknown.json()["extra"]["fields"]


def test_scope_outside_is_404(aw):
    pk = aw.approval.pk
    for user in (aw.users.sibling, aw.users.other_city, aw.users.other_enterprise):
        c = api(user)
        assert c.get(f"/api/v1/approvals/{pk}/").status_code == 404
        assert c.patch(f"/api/v1/approvals/{pk}/", {"version": 1, "note": "x"}, format="json").status_code == 404
        assert pk not in [a["id"] for a in c.get("/api/v1/approvals/").json()["results"]]
    need = aw.other_need.pk
    for user in (aw.users.county, aw.users.city, aw.users.department):
        c = api(user)
        assert c.get(f"/api/v1/factor-needs/{need}/").status_code == 404
        assert c.patch(f"/api/v1/factor-needs/{need}/", {"version": 1, "status": "in_progress"}, format="json").status_code == 404
    assert api(aw.users.province).get(f"/api/v1/factor-needs/{need}/").status_code == 200
    # a project outside scope: creating on it is 404 as well
    r = api(aw.users.county).post(
        "/api/v1/factor-needs/",
        {"project": aw.projects.other_city.pk, "kind": "land", "subtype": "new_quota", "quantity": "5"},
        format="json",
    )
    assert r.status_code == 404
    # read-only roles write nothing
    assert api(aw.users.leader).patch(f"/api/v1/approvals/{pk}/", {"version": 1, "note": "x"}, format="json").status_code == 403


def test_needs_and_a_consultation_that_escalates_to_the_province(aw):
    county, city = api(aw.users.county), api(aw.users.city)
    body = {
        "project": aw.projects.own_county.pk,
        "kind": "environment",
        "subtype": "vocs",
        "quantity": "12.6",
        "owner_unit": aw.dept.pk,
        "due_on": "2026-06-30",
    }
    r = county.post("/api/v1/factor-needs/", body, format="json")
    assert r.status_code == 201, r.json()
    need = r.json()
    assert (need["gap"], need["measure"], need["level"], need["version"]) == ("12.6000", "吨/年", "county", 1)
    bad = county.post("/api/v1/factor-needs/", {**body, "subtype": "bank_loan"}, format="json")
    assert bad.status_code == 400 and "subtype" in bad.json()["extra"]["fields"]
    number = county.post("/api/v1/factor-needs/", {**body, "quantity": 5}, format="json")
    assert number.status_code == 400 and "quantity" in number.json()["extra"]["fields"]
    # the owner unit works it (only the securing fields)
    dept = api(aw.users.department)
    r = dept.patch(f"/api/v1/factor-needs/{need['id']}/", {"version": 1, "status": "in_progress", "secured": "2"}, format="json")
    assert r.status_code == 200 and r.json()["gap"] == "10.6000"
    assert dept.patch(f"/api/v1/factor-needs/{need['id']}/", {"version": 2, "quantity": "1"}, format="json").status_code == 403
    # the city holds a 会商 that sends it to the province
    meeting = {
        "held_on": "2026-04-01",
        "convener": "市政府分管副市长",
        "units_present": [aw.dept.pk],
        "topics": [{"need": need["id"], "decision": "市内无法调剂，提请省级协调", "owner_unit": aw.dept.pk, "escalate": True}],
    }
    r = city.post("/api/v1/consultations/", meeting, format="json")
    assert r.status_code == 201, r.json()
    c = r.json()
    assert c["level"] == "city" and c["topics"][0]["escalated_to"] == "province"
    assert FactorNeed.objects.get(pk=need["id"]).level == "province"
    assert county.post("/api/v1/consultations/", {**meeting, "topics": []}, format="json").status_code == 400
    assert api(aw.users.enterprise).post("/api/v1/consultations/", meeting, format="json").status_code == 403
    # the county sees the meeting about its project; another city does not
    assert county.get(f"/api/v1/consultations/{c['id']}/").status_code == 200
    assert api(aw.users.other_city).get(f"/api/v1/consultations/{c['id']}/").status_code == 404
    # the owner unit marks the decision done
    topic = c["topics"][0]["id"]
    r = dept.post(f"/api/v1/consultations/{c['id']}/topic-done/", {"topic": topic, "done_on": "2026-04-02"}, format="json")
    assert r.status_code == 200 and r.json()["topics"][0]["done_on"] == "2026-04-02"  # it sees meetings whose topics it owns
    assert Consultation.objects.count() == 1
    assert dt.date(2026, 4, 1) == Consultation.objects.get().held_on


def test_filters_are_strict(aw):
    c = api(aw.users.city)
    assert c.get("/api/v1/factor-needs/", {"kind": "water"}).status_code == 400
    assert c.get("/api/v1/approvals/", {"status": ""}).status_code == 400
    assert c.get("/api/v1/approvals/", {"region": "3701"}).status_code == 400
    ok = c.get("/api/v1/approvals/", {"region": "370102", "status": "not_applied"})
    assert ok.status_code == 200 and [a["id"] for a in ok.json()["results"]] == [aw.approval.pk]
