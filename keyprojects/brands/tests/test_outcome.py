"""An applicant does not learn its outcome before the round's result is published: while a round
is 评审中 or 已确定 the enterprise contact sees its application as 评审中 (past the preliminary
review), without review note, score, decision or reward, and not the round's totals (已入选,
奖励合计, 尚余) — on the rounds list, the round's page, the application's page, the export and
the API. Government staff see everything as before (found in a user trial: byd saw 入选 with
8.00 万元 while the round was 评审中)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from keyprojects.accounts import policy
from keyprojects.brands import choices
from keyprojects.brands.services import application_decide, application_review, application_score, round_advance

from .conftest import to_reviewing

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(world, rnd, submitted):
    """byd's application passed, scored 91 and selected with a reward of 8 万元; the round 评审中."""
    app = application_review(
        actor=world.users.county, application=submitted, expected_version=submitted.version, passed=True, note="材料齐全"
    )
    to_reviewing(world, rnd)
    app = application_score(actor=world.users.city, application=app, expected_version=app.version, score="91")
    return application_decide(actor=world.users.province, application=app, expected_version=app.version, select=True, reward_amount="8")


def _step(world, rnd, to):
    rnd.refresh_from_db()
    return round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status=to, early_close_confirmed=True)


def _page(client, user, url, **params):
    client.force_login(user)
    r = client.get(url, params)
    assert r.status_code == 200
    # without the CSRF tokens: a random token may hold "91" (the score the tests look for)
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', r'\1""', r.content.decode())


def _row(html: str) -> str:
    rows = re.findall(r'<tr data-testid="application-row".*?</tr>', html, re.S)
    assert len(rows) == 1, rows
    return rows[0]


def _export(client, user, rnd):
    client.force_login(user)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("brands:export", args=[rnd.pk])).content)).active.iter_rows(values_only=True))
    return [row for row in rows[3:] if row[0]]


def _api(user, url, **params):
    c = APIClient()
    c.force_authenticate(user)
    r = c.get(url, params)
    assert r.status_code == 200, r.content
    body = r.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_the_policy(world, rnd, decided):
    assert policy.BRAND_IN_REVIEW == choices.IN_REVIEW
    ent, city = world.users.enterprise, world.users.city
    assert not policy.can_see_brand_outcome(ent, decided.round) and policy.brand_status_for(ent, decided) == "in_review"
    for role in ("province", "city", "county", "department", "leader", "superuser"):
        user = getattr(world.users, role)
        assert policy.can_see_brand_outcome(user, decided.round), role
        assert policy.brand_status_for(user, decided) == "selected", role
    rnd = _step(world, rnd, "decided")
    decided.refresh_from_db()
    assert policy.brand_status_for(ent, decided) == "in_review"
    _step(world, rnd, "published")
    decided.refresh_from_db()
    assert policy.can_see_brand_outcome(ent, decided.round) and policy.brand_status_for(ent, decided) == "selected"
    assert policy.brand_status_for(city, decided) == "selected"


def test_pages_hide_the_outcome_from_the_applicant_until_published(client, world, rnd, decided):
    ent = world.users.enterprise
    round_url = reverse("brands:round", args=[rnd.pk])
    app_url = reverse("brands:application", args=[decided.pk])
    for stage in ("reviewing", "decided"):
        if stage == "decided":
            rnd = _step(world, rnd, "decided")
        page = _page(client, ent, round_url)
        row = _row(page)
        assert "评审中" in row and "入选" not in row and "8.00" not in row and "91" not in row, stage
        assert 'data-status="in_review"' in row
        assert 'data-testid="selected-count"' not in page and "奖励合计" not in page and "尚余" not in page, stage
        assert re.search(r"评审中 <strong>1</strong>", page) and "已评分 <strong>" not in page
        # filtering by a state does not tell it either
        assert 'data-testid="application-row"' not in _page(client, ent, round_url, status="selected")
        assert 'data-testid="application-row"' in _page(client, ent, round_url, status="in_review")
        assert '<option value="selected"' not in page and '<option value="in_review"' in page
        page = _page(client, ent, app_url)
        assert 'data-testid="application-status">评审中<' in page
        assert "8.00" not in page and "91" not in page and "认定" not in page and "材料齐全" not in page, stage
        rounds = _page(client, ent, reverse("brands:rounds"))
        assert 'data-testid="round-selected">—<' in rounds, stage
    # published: the applicant sees its outcome and the totals
    _step(world, rnd, "published")
    page = _page(client, ent, round_url)
    row = _row(page)
    assert "入选" in row and "8.00" in row and "91" in row
    assert 'data-testid="selected-count">1<' in page and "尚余 39 个" in page
    page = _page(client, ent, app_url)
    assert 'data-testid="application-status">入选<' in page and "8.00" in page and "材料齐全" in page
    assert 'data-testid="round-selected">1<' in _page(client, ent, reverse("brands:rounds"))


def test_staff_see_the_outcome_before_publication(client, world, rnd, decided):
    for role in ("city", "county", "leader", "province"):
        user = getattr(world.users, role)
        page = _page(client, user, reverse("brands:round", args=[rnd.pk]))
        row = _row(page)
        assert "入选" in row and "8.00" in row and 'data-status="selected"' in row, role
        assert 'data-testid="selected-count">1<' in page and "尚余 39 个" in page, role
        page = _page(client, user, reverse("brands:application", args=[decided.pk]))
        assert 'data-testid="application-status">入选<' in page and "8.00" in page and "材料齐全" in page, role
        assert 'data-testid="application-row"' in _page(client, user, reverse("brands:round", args=[rnd.pk]), status="selected")
        assert 'data-testid="round-selected">1<' in _page(client, user, reverse("brands:rounds")), role
        (data,) = _export(client, user, rnd)
        assert data[7] == "入选" and data[8] == "材料齐全" and data[9] == 91 and data[10] == 8, role
        (one,) = _api(user, "/api/v1/brands/applications/")
        assert one["status"] == "selected" and one["status_label"] == "入选" and one["reward_amount"] is not None, role


def test_export_hides_the_outcome_from_the_applicant_until_published(client, world, rnd, decided):
    (data,) = _export(client, world.users.enterprise, rnd)
    assert data[7] == "评审中" and data[8] in (None, "") and data[9] is None and data[10] is None
    rnd = _step(world, rnd, "decided")
    (data,) = _export(client, world.users.enterprise, rnd)
    assert data[7] == "评审中" and data[10] is None
    _step(world, rnd, "published")
    (data,) = _export(client, world.users.enterprise, rnd)
    assert data[7] == "入选" and data[9] == 91 and data[10] == 8


def test_api_hides_the_outcome_from_the_applicant_until_published(world, rnd, decided):
    ent = world.users.enterprise
    (one,) = _api(ent, "/api/v1/brands/applications/")
    assert one["status"] == "in_review" and one["status_label"] == "评审中"
    assert one["score"] is None and one["reward_amount"] is None and one["decided_at"] is None and one["review_note"] == ""
    detail = _api(ent, f"/api/v1/brands/applications/{decided.pk}/")
    assert detail["status"] == "in_review" and detail["reward_amount"] is None
    assert _api(ent, "/api/v1/brands/applications/", status="selected") == []
    assert [x["id"] for x in _api(ent, "/api/v1/brands/applications/", status="in_review")] == [decided.pk]
    _step(world, _step(world, rnd, "decided"), "published")
    (one,) = _api(ent, "/api/v1/brands/applications/", status="selected")
    assert one["status"] == "selected" and one["reward_amount"] is not None and float(one["score"]) == 91
    assert _api(ent, "/api/v1/brands/applications/", status="in_review") == []


def test_a_returned_application_shows_its_reason_to_the_applicant(client, world, rnd, submitted):
    """已退回 is a submission state: the applicant sees it and the reason, to correct it."""
    application_review(
        actor=world.users.county, application=submitted, expected_version=submitted.version, passed=False, note="商标证书不清晰"
    )
    to_reviewing(world, rnd)
    page = _page(client, world.users.enterprise, reverse("brands:application", args=[submitted.pk]))
    assert 'data-testid="application-status">已退回<' in page and "商标证书不清晰" in page
    (data,) = _export(client, world.users.enterprise, rnd)
    assert data[7] == "已退回" and data[8] == "商标证书不清晰"
