"""``/api/v1/brands/rounds/`` and ``/api/v1/brands/applications/``: scope, filters, drafts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from keyprojects.brands.services import application_create
from keyprojects.core.testing import EnterpriseFactory

from .conftest import good

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def rows(r):
    body = r.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_rounds_and_applications_in_scope(world, rnd, submitted):
    draft = application_create(actor=world.users.city, round=rnd, enterprise=EnterpriseFactory(region_id="370103"), data=good())
    r = api(world.users.province).get("/api/v1/brands/rounds/")
    assert r.status_code == 200 and [x["id"] for x in rows(r)] == [rnd.pk] and rows(r)[0]["status"] == "open"
    assert rows(r)[0]["max_selected"] == 40 and rows(r)[0]["reward_ceiling"] in ("10.0000", 10)
    assert rows(api(world.users.other_city).get("/api/v1/brands/rounds/")) == []
    # staff see submitted applications and the drafts they entered, not others' drafts; the enterprise its own only
    assert [x["id"] for x in rows(api(world.users.city_clerk).get("/api/v1/brands/applications/"))] == [submitted.pk]
    assert api(world.users.city_clerk).get(f"/api/v1/brands/applications/{draft.pk}/").status_code == 404
    assert [x["id"] for x in rows(api(world.users.city).get("/api/v1/brands/applications/"))] == [submitted.pk, draft.pk]
    one = api(world.users.enterprise).get(f"/api/v1/brands/applications/{submitted.pk}/").json()
    assert one["brand_name"] == "济南比亚迪" and one["status"] == "submitted" and one["enterprise_name"] == world.ent.name
    assert rows(api(world.users.other_enterprise).get("/api/v1/brands/applications/")) == []
    assert api(world.users.other_enterprise).get(f"/api/v1/brands/applications/{submitted.pk}/").status_code == 404
    assert rows(api(world.users.county).get("/api/v1/brands/applications/", {"category": "service"})) == []
    assert len(rows(api(world.users.county).get("/api/v1/brands/applications/", {"round": rnd.pk, "q": "比亚迪"}))) == 1
    assert api(world.users.county).get("/api/v1/brands/applications/", {"status": "nope"}).status_code == 400
    for admin in (world.users.sysadmin, world.users.secadmin, world.users.auditor):
        assert api(admin).get("/api/v1/brands/rounds/").status_code == 403
        assert api(admin).get("/api/v1/brands/applications/").status_code == 403


def test_a_year_that_is_no_year_is_refused(world, rnd):
    """The rounds' and the cultivation lists' year filters take a whole year (api.filters.YearFilter),
    as the schema says: schemathesis sent ?year=0.5 and got 200."""
    for url in ("/api/v1/brands/rounds/", "/api/v1/cultivation/lists/"):
        assert api(world.users.province).get(url, {"year": "0.5"}).status_code == 400
        assert api(world.users.province).get(url, {"year": "2026"}).status_code == 200
