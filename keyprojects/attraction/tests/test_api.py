"""``/api/v1/leads/``: scope, strict bodies, the stage operations incl. land, 409 on conflicts,
events and the funnel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.attraction.models import Lead
from keyprojects.dispatch.selectors import due_projects
from keyprojects.projects.models import Project

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


def body(**extra):
    return {
        "name": "储能电池材料项目",
        "investor_name": "深圳示例新能源科技有限公司",
        "investor_origin": "out_province",
        "investor_location": "广东深圳",
        "source": "leader_trip",
        "intended_amount": "80000.0000",
        "industry_section": "C",
        "industry_division": "38",
        **extra,
    }


def test_the_whole_chain_over_the_api(world, api_as):
    c = api_as(world.users.county)
    r = c.post(URL, body(), format="json")
    assert r.status_code == 201, r.json()
    lead = r.json()
    assert lead["region"] == "370102" and lead["stage"] == "info" and lead["intended_amount"] == "80000.0000"
    r = c.post(f"{URL}{lead['id']}/advance/", {"version": lead["version"]}, format="json")
    assert r.status_code == 200 and r.json()["stage"] == "negotiation"
    v = r.json()["version"]
    r = c.post(f"{URL}{lead['id']}/advance/", {"version": v}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    today = timezone.localdate()
    sign = {
        "version": v, "enterprise": world.ent.pk, "signed_on": today.isoformat(), "signed_amount": "75000.0000",
        "commitments": [
            {"party": "government", "kind": "land", "description": "交付用地100亩", "due_on": (today + dt.timedelta(days=180)).isoformat()}
        ],
    }  # fmt: skip
    r = c.post(f"{URL}{lead['id']}/sign/", {**sign, "version": v + 3}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = c.post(f"{URL}{lead['id']}/sign/", sign, format="json")
    assert r.status_code == 200, r.json()
    signed = r.json()
    assert (
        signed["stage"] == "signed"
        and signed["signed_amount"] == "75000.0000"
        and signed["agreement"]
        and signed["enterprise"] == world.ent.pk
    )
    r = c.post(f"{URL}{lead['id']}/funds/", {"arrived_on": today.isoformat(), "arrived_amount": "5000"}, format="json")
    assert r.status_code == 200 and r.json()["arrived_amount"] == "0.0000"  # 待确认: not counted yet
    entry = c.get(f"{URL}{lead['id']}/fund-entries/").json()[0]
    assert entry["status"] == "pending" and entry["counts"] is False and entry["arrived_amount"] == "5000.0000"
    decide = f"{URL}{lead['id']}/fund-entries/{entry['id']}/decide/"
    r = c.post(decide, {"version": entry["version"], "accept": True}, format="json")  # the enterer: never
    assert r.status_code == 403 and "四眼" in r.json()["message"]
    r = api_as(world.users.county_clerk).post(decide, {"version": entry["version"], "accept": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed" and r.json()["confirmed_by_name"]
    r = c.get(f"{URL}{lead['id']}/")
    assert r.json()["arrived_amount"] == "5000.0000"
    r = c.post(f"{URL}{lead['id']}/land/", {"version": r.json()["version"], "annual_plan": "20000.0000"}, format="json")
    assert r.status_code == 200, r.json()
    landed = r.json()
    project = Project.objects.get(pk=landed["project"])
    assert landed["stage"] == "landed" and project.region_id == "370102" and project.stage == "preparation"
    from keyprojects.dispatch.models import ReportingPeriod

    nxt = ReportingPeriod(year=today.year + (today.month == 12), month=today.month % 12 + 1)
    assert project in due_projects(period=nxt)
    events = c.get(f"{URL}{lead['id']}/events/").json()["results"]
    assert [e["kind"] for e in events] == ["created", "advanced", "signed", "landed"]
    funnel = c.get(f"{URL}funnel/", {"by": "source"}).json()
    assert funnel["total"]["leads"] == 1 and funnel["total"]["landed"] == 1 and funnel["total"]["funds_rate"] == "0.0667"


def test_county_may_not_place_a_lead_elsewhere_and_strict_bodies(world, api_as):
    c = api_as(world.users.county)
    r = c.post(URL, body(region="370202"), format="json")
    assert r.status_code == 400 and "region" in r.json()["extra"]["fields"]
    r = c.post(URL, body(intended_amount=5), format="json")
    assert r.status_code == 400
    r = c.post(URL, body(stage="signed"), format="json")
    assert r.status_code == 400 and "stage" in r.json()["extra"]["fields"]


def test_scope_over_the_api(world, api_as, lead_of):
    lead = lead_of()
    assert api_as(world.users.sibling).get(f"{URL}{lead.pk}/").status_code == 404
    assert api_as(world.users.city).get(f"{URL}{lead.pk}/").status_code == 200
    assert api_as(world.users.enterprise).get(URL).json()["count"] == 0
    assert api_as(world.users.leader).post(f"{URL}{lead.pk}/advance/", {"version": 1}, format="json").status_code == 403
    ids = [x["id"] for x in api_as(world.users.other_city).get(URL).json()["results"]]
    assert lead.pk not in ids


def test_patch_needs_the_version(world, api_as, lead_of):
    lead = lead_of()
    c = api_as(world.users.county)
    r = c.patch(f"{URL}{lead.pk}/", {"contact_name": "王经理"}, format="json")
    assert r.status_code == 400 and r.json()["extra"]["fields"]["version"] == [
        "缺少 version：请先读取该对象，并提交读取时的版本号（乐观锁）"
    ]
    for step in ("advance", "drop", "reopen", "sign", "land"):
        r = c.post(f"{URL}{lead.pk}/{step}/", {}, format="json")
        assert r.status_code == 400 and "缺少 version" in r.json()["extra"]["fields"]["version"][0], step
    r = c.patch(f"{URL}{lead.pk}/", {"contact_name": "王经理", "version": lead.version}, format="json")
    assert r.status_code == 200 and r.json()["contact_name"] == "王经理"
    r = c.patch(f"{URL}{lead.pk}/", {"contact_name": "李经理", "version": lead.version}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert Lead.objects.get(pk=lead.pk).contact_name == "王经理"


def test_bad_query_values_are_400(world, api_as):
    c = api_as(world.users.city)
    assert c.get(URL, {"stage": ""}).status_code == 400
    assert c.get(URL, {"region": "12"}).status_code == 400
    assert c.get(f"{URL}funnel/", {"by": "nonsense"}).status_code == 400
    assert c.get(URL, {"stalled": "true"}).status_code == 200
