"""``/api/v1/assessments/``: the stored 双考核双评价 results, scoped as their pages.

The world is the analytics tests' (``snap`` of analytics/tests/test_exports): February is closed
for Jinan and its county scheme 县区考核 computed by the city, not yet published: 槐荫 100.00,
市中 94.67, 天桥 86.67, 历下 64.67. The county 历下区 (``lixia``) is one of the assessed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from keyprojects.analytics.services_assessment import assessment_publish, assessment_snapshot
from keyprojects.analytics.tests.test_assessment import closed, make_scheme  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_exports import snap  # noqa: F401
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401

from .utils import error_of, fields_of

LIST = "/api/v1/assessments/"


def _detail(snapshot: Any) -> str:
    return f"{LIST}{snapshot.pk}/"


def _page(client: Any, snapshot: Any) -> Any:
    kwargs = {"pk": snapshot.scheme_id, "period": snapshot.period.label}
    return client.get(reverse("analytics:assessment_result", kwargs=kwargs))


def test_the_county_reads_its_citys_published_result_and_not_an_unpublished_one(snap, as_user):  # noqa: F811
    api = as_user(snap.users.county)
    assert api.get(LIST).json()["count"] == 0  # nothing published yet
    error_of(api.get(_detail(snap.snapshot)), 404, "not_found")  # an unpublished result does not exist for it

    assessment_publish(user=snap.users.city, snapshot=snap.snapshot)
    draft, _ = assessment_snapshot(user=snap.users.city, scheme=make_scheme(snap, name="县区考核（试行）"), period=snap.p2)
    body = api.get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == snap.snapshot.pk and row["scheme_name"] == "县区考核" and row["period"] == "2026-02"
    assert (row["kind"], row["level"], row["region"], row["kind_label"]) == ("region", "city", "370100", "区县（市）")
    assert row["published"] is True and row["published_at"] and row["as_range"] is False and row["own_unit"] == "370102"
    error_of(api.get(_detail(draft)), 404, "not_found")  # the other scheme's result is not published

    result = api.get(_detail(snap.snapshot)).json()
    units = result["units"]
    assert [(u["key"], u["rank"], u["score"]) for u in units] == [
        ("370104", 1, "100.00"),
        ("370103", 2, "94.67"),
        ("370105", 3, "86.67"),
        ("370102", 4, "64.67"),
    ]
    own = [u for u in units if u["own"]]
    assert [u["key"] for u in own] == ["370102"] and own[0]["explained"] and len(own[0]["lines"]) == 2
    for u in units:  # every unit's rank and score; no other unit's explanation
        if u["key"] != "370102":
            assert u["explained"] is False and u["lines"] == [], u["key"]
    projects = {p["id"]: p["name"] for line in own[0]["lines"] for p in line["projects"]}
    assert projects == {snap.projects.own_county.pk: "历下区项目"}
    assert [i["indicator"] for i in result["indicators"]] == [line["indicator"] for line in own[0]["lines"]]

    other = as_user(snap.users.other_city)  # Qingdao is neither the range nor one of the assessed
    assert other.get(LIST).json()["count"] == 0
    error_of(other.get(_detail(snap.snapshot)), 404, "not_found")


def _figures(units: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each unit's rank, name, projects and score, and its explained lines (value, points, rank,
    the projects behind), as a page's ``units`` or the API's."""
    out = []
    for u in units:
        lines = [
            (
                line["indicator"],
                line["value"],
                line["points"],
                line["rank"],
                line["ranked"],
                line["basis"],
                [(p.get("id", p.get("pk")), p["name"], p["counted"]) for p in line.get("projects", line.get("project_list", []))],
            )
            for line in u["lines"]
        ]
        out.append((u["key"], u["rank"], u["name"], u["projects"], u["score"], lines))
    return out


def test_the_figures_are_the_pages(snap, client, as_user):  # noqa: F811
    for user, published in ((snap.users.city, False), (snap.users.county, True), (snap.users.leader, True)):
        if published and snap.snapshot.published_at is None:
            assessment_publish(user=snap.users.city, snapshot=snap.snapshot)
            snap.snapshot.refresh_from_db()
        client.force_login(user)
        page = _page(client, snap.snapshot)
        assert page.status_code == 200, user.username
        api = as_user(user).get(_detail(snap.snapshot)).json()
        assert _figures(api["units"]) == _figures(page.context["units"]), user.username
        assert api["as_range"] is page.context["as_range"]
        assert [u["own"] for u in api["units"]] == [u["own"] for u in page.context["units"]]
        assert [(i["indicator"], i["weight"], i["rule"]) for i in api["indicators"]] == [
            (i["indicator"], i["weight"], i["rule"]) for i in page.context["items"]
        ]


def test_the_range_reads_unpublished_results_with_every_explanation(snap, as_user):  # noqa: F811
    for user in (snap.users.city, snap.users.leader, snap.users.province):
        api = as_user(user)
        rows = api.get(LIST).json()["results"]
        assert [(r["id"], r["published"], r["as_range"], r["own_unit"]) for r in rows] == [(snap.snapshot.pk, False, True, None)], user
        result = api.get(_detail(snap.snapshot)).json()
        assert all(u["explained"] and len(u["lines"]) == 2 and not u["own"] for u in result["units"]), user.username


def test_administrators_and_enterprises_are_refused(snap, as_user):  # noqa: F811
    assessment_publish(user=snap.users.city, snapshot=snap.snapshot)
    for user in (snap.users.sysadmin, snap.users.secadmin, snap.users.auditor, snap.users.enterprise):
        api = as_user(user)
        error_of(api.get(LIST), 403, "permission_denied")
        error_of(api.get(_detail(snap.snapshot)), 403, "permission_denied")


def test_pagination_and_filters(snap, as_user):  # noqa: F811
    zone = assessment_snapshot(user=snap.users.city, scheme=make_scheme(snap, name="部门考核", kind="department"), period=snap.p2)[0]
    second = assessment_snapshot(user=snap.users.city, scheme=make_scheme(snap, name="县区考核（试行）"), period=snap.p2)[0]
    assessment_publish(user=snap.users.city, snapshot=second)
    api = as_user(snap.users.city)

    first = api.get(LIST, {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"] and first["previous"] is None
    rest = api.get(LIST, {"page_size": 2, "page": 2}).json()
    ids = [r["id"] for r in first["results"] + rest["results"]]
    assert sorted(ids) == sorted([snap.snapshot.pk, zone.pk, second.pk]) and rest["next"] is None
    error_of(api.get(LIST, {"page_size": 2, "page": 3}), 404, "not_found")

    def ids_of(**params: str) -> set[int]:
        return {r["id"] for r in api.get(LIST, params).json()["results"]}

    assert ids_of(period="2026-02") == set(ids) and ids_of(period="2026-01") == set()
    assert ids_of(kind="department") == {zone.pk} and ids_of(kind="region") == {snap.snapshot.pk, second.pk}
    assert ids_of(published="true") == {second.pk} and ids_of(published="false") == {snap.snapshot.pk, zone.pk}
    assert ids_of(level="city") == set(ids) and ids_of(level="province") == set()
    assert ids_of(scheme=str(second.scheme_id)) == {second.pk}
    assert set(fields_of(api.get(LIST, {"period": "2026/02"}))) == {"period"}
    assert set(fields_of(api.get(LIST, {"kind": "county"}))) == {"kind"}
    assert set(fields_of(api.get(LIST, {"published": "yes"}))) == {"published"}
    assert set(fields_of(api.get(LIST, {"period": ""}))) == {"period"}
