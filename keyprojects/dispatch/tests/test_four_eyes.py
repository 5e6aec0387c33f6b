"""Four eyes (issue 10 §1): nobody decides a correction they requested — the issue's case, a
user requesting and approving its own correction of a closed month (922 → 99999) — and nobody
approves a report they filled or submitted, at any level — the issue's `lixia` filling and
approving 历下区's report. Refused in the service, so the form, the grid and the API refuse it
too; another reviewer of the level decides it, and a county whose only account filled the report
hands it to the city."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from keyprojects.core.errors import PermissionDenied
from keyprojects.core.testing import make_user
from keyprojects.dispatch.models import MonthlyReport, ReportRevision
from keyprojects.dispatch.services import (
    can_review,
    period_close,
    report_acknowledge,
    report_review,
    report_save,
    report_submit,
    revision_decide,
    revision_request,
)
from keyprojects.dispatch.tests.test_close import approved


def test_nobody_decides_a_correction_they_requested(dw):
    city_project = dw.projects.city_level
    jan = approved(dw, city_project, dw.p1, "922")
    period_close(user=dw.users.province, period=dw.p1, confirm="确认关账")
    rev = revision_request(user=dw.users.province, report=jan, reason="更正", new_values={"invested_month": "99999"})
    assert rev.approval_level == "province"  # the requester may decide at this level, but not its own request
    with pytest.raises(PermissionDenied, match="四眼"):
        revision_decide(user=dw.users.province, revision=rev, approve=True)
    rev.refresh_from_db()
    jan.refresh_from_db()
    assert rev.status == "pending" and jan.invested_month == 922  # nothing changed
    other = make_user("prov2", "province", region="370000")
    revision_decide(user=other, revision=rev, approve=False, opinion="数字有误")
    assert ReportRevision.objects.get(pk=rev.pk).status == "rejected"


# --- nobody approves a report they filled or submitted (issue 10 §1) ------------------------


def test_rules_staffed_chain_hands_an_unstaffed_level_up():
    from keyprojects.dispatch.rules import staffed_chain

    assert staffed_chain(["county", "city"], staffed={"county", "city", "province"}) == ["county", "city"]
    assert staffed_chain(["county", "city"], staffed={"city"}) == ["city"]  # a county with one account
    assert staffed_chain(["county"], staffed={"city"}) == ["city"]
    assert staffed_chain(["county"], staffed={"province"}) == ["province"]
    assert staffed_chain(["city"], staffed=set()) == ["province"]  # the province keeps its own step
    assert staffed_chain(["county", "city"], staffed={"county"}) == ["county", "province"]


def _filled_by_lixia(dw, amount="3500000"):
    """The issue's case: lixia fills and submits 历下区项目 (on the city list: county → city)."""
    r = report_save(user=dw.users.county, project=dw.projects.own_county, period=dw.p1, data={"invested_month": amount})
    report_submit(user=dw.users.county, report=r)
    r.refresh_from_db()
    return r


def test_lixia_never_approves_the_report_she_filled(dw):
    r = _filled_by_lixia(dw, "100")
    assert r.review_levels == ["county", "city"] and r.pending_level == "county"  # 历下区 has a second account
    assert not can_review(dw.users.county, r) and can_review(dw.users.county_clerk, r)
    for action in ("approve", "return"):
        with pytest.raises(PermissionDenied, match="四眼"):
            report_review(user=dw.users.county, report=r, action=action, opinion="x")
    r.refresh_from_db()
    assert r.status == "submitted" and r.pending_level == "county"
    report_review(user=dw.users.county_clerk, report=r, action="approve")
    report_review(user=dw.users.city, report=r, action="approve")
    r.refresh_from_db()
    assert r.status == "approved" and r.approved_by == dw.users.city


def test_nobody_approves_at_any_level_what_they_filled_not_even_a_superuser(dw):
    jinan = dw.users.city  # the city fills a county project: the county reviews, then the city —
    r = report_save(user=jinan, project=dw.projects.own_county, period=dw.p1, data={"invested_month": "100"})
    report_submit(user=dw.users.county_clerk, report=r)  # … and somebody else submits it
    r.refresh_from_db()
    with pytest.raises(PermissionDenied, match="四眼"):
        report_review(user=dw.users.county_clerk, report=r, action="approve")  # the submitter
    report_review(user=dw.users.county, report=r, action="approve")
    with pytest.raises(PermissionDenied, match="四眼"):
        report_review(user=jinan, report=r, action="approve")  # filled it: not at the city level either
    with pytest.raises(PermissionDenied, match="四眼"):
        report_acknowledge(user=jinan, report=r)
    report_review(user=dw.users.city_clerk, report=r, action="approve")
    assert MonthlyReport.objects.get(pk=r.pk).status == "approved"

    root = dw.users.superuser
    r2 = report_save(user=root, project=dw.projects.sibling_county, period=dw.p1, data={"invested_month": "5"})
    report_submit(user=root, report=r2)
    with pytest.raises(PermissionDenied, match="四眼"):
        report_review(user=root, report=r2, action="approve")


def test_a_county_with_one_account_sends_the_report_to_the_city(dw):
    dw.users.sibling_clerk.is_active = False  # 市中区 now has one account: shizhong
    dw.users.sibling_clerk.save(update_fields=["is_active"])
    r = report_save(user=dw.users.sibling, project=dw.projects.sibling_county, period=dw.p1, data={"invested_month": "50"})
    report_submit(user=dw.users.sibling, report=r)  # a county-list project: chain county only
    r.refresh_from_db()
    assert r.review_levels == ["city"] and r.pending_level == "city"  # not stuck at the county
    assert not can_review(dw.users.sibling, r)
    with pytest.raises(PermissionDenied):
        report_review(user=dw.users.sibling, report=r, action="approve")
    report_review(user=dw.users.city, report=r, action="approve")
    r.refresh_from_db()
    assert r.status == "approved" and r.approved_by == dw.users.city
    # another account's report of the same county still starts at the county
    dw.users.sibling_clerk.is_active = True
    dw.users.sibling_clerk.save(update_fields=["is_active"])
    r2 = report_save(user=dw.users.sibling_clerk, project=dw.projects.sibling_county, period=dw.p2, data={"invested_month": "5"})
    report_submit(user=dw.users.sibling_clerk, report=r2)
    r2.refresh_from_db()
    assert r2.review_levels == ["county"]


def test_the_form_hides_and_refuses_approving_ones_own_report(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    url = reverse("dispatch:fill", kwargs={"period": "2026-01", "project_pk": p.pk})
    resp = client.post(url, {"invested_month": "100", "version": 0, "action": "submit"})
    assert resp.status_code == 302
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert r.status == "submitted" and r.pending_level == "county"
    page = client.get(reverse("dispatch:report", kwargs={"pk": r.pk})).content.decode()
    assert 'data-testid="approve"' not in page and 'data-testid="four-eyes"' in page
    assert r.pk not in {x.pk for x in client.get(reverse("dispatch:review")).context["reports"]}
    resp = client.post(reverse("dispatch:report_review", kwargs={"pk": r.pk}), {"action": "approve", "version": r.version})
    assert any("四眼" in str(m) for m in resp.context["messages"])
    assert MonthlyReport.objects.get(pk=r.pk).status == "submitted"
    client.force_login(dw.users.county_clerk)
    assert 'data-testid="approve"' in client.get(reverse("dispatch:report", kwargs={"pk": r.pk})).content.decode()


def test_the_grid_refuses_approving_ones_own_report(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = client.post(
        reverse("dispatch:grid_row", kwargs={"period": "2026-01", "project_pk": p.pk}), {"invested_month": "100", "version": 0}
    )
    assert resp.status_code == 302
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    client.post(reverse("dispatch:grid_submit", kwargs={"period": "2026-01"}), {"report": f"{r.pk}:{r.version}"})
    r.refresh_from_db()
    assert r.status == "submitted"
    resp = client.post(reverse("dispatch:report_review", kwargs={"pk": r.pk}), {"action": "approve", "version": r.version})
    assert any("四眼" in str(m) for m in resp.context["messages"])
    assert MonthlyReport.objects.get(pk=r.pk).status == "submitted"


def test_the_api_answers_403_to_approving_ones_own_report(dw):
    from rest_framework.test import APIClient

    from keyprojects.api.tests.utils import error_of

    api = APIClient()
    api.force_authenticate(dw.users.county)
    rep = api.post("/api/v1/reports/", {"project": dw.projects.own_county.pk, "period": "2026-01", "invested_month": "100"}, format="json")
    assert rep.status_code == 201, rep.content
    pk = rep.json()["id"]
    assert api.post(f"/api/v1/reports/{pk}/submit/", {}, format="json").status_code == 200
    for verb in ("approve", "acknowledge"):
        resp = api.post(f"/api/v1/reports/{pk}/{verb}/", {}, format="json")
        error_of(resp, 403, "permission_denied")
        assert "四眼" in resp.json()["message"]
    assert MonthlyReport.objects.get(pk=pk).status == "submitted"
    other = APIClient()
    other.force_authenticate(dw.users.county_clerk)
    assert other.post(f"/api/v1/reports/{pk}/approve/", {}, format="json").json()["pending_level"] == "city"


def test_the_issues_correction_is_decided_one_level_above_the_final_approver_by_another(dw):
    """The issue's case: a county-only chain (市中区, county list), jinan asks to correct the approved
    report of a closed month and may not decide it itself; the city is the level above the
    county that approved last, so another city account decides; a city-final report goes to the
    province."""
    r = report_save(user=dw.users.sibling_clerk, project=dw.projects.sibling_county, period=dw.p1, data={"invested_month": "922"})
    report_submit(user=dw.users.sibling_clerk, report=r)
    report_review(user=dw.users.sibling, report=r, action="approve")
    r.refresh_from_db()
    assert r.status == "approved" and r.review_levels == ["county"]
    period_close(user=dw.users.province, period=dw.p1, confirm="确认关账")
    rev = revision_request(user=dw.users.city, report=r, reason="更正", new_values={"invested_month": "99999"})
    assert rev.approval_level == "city"
    with pytest.raises(PermissionDenied, match="四眼"):
        revision_decide(user=dw.users.city, revision=rev, approve=True)
    with pytest.raises(PermissionDenied):
        revision_decide(user=dw.users.sibling, revision=rev, approve=True)  # the county cannot decide its own level's report
    revision_decide(user=dw.users.city_clerk, revision=rev, approve=False, opinion="核实后无误")
    r.refresh_from_db()
    assert r.invested_month == 922


@pytest.mark.django_db
def test_the_staff_read_once_for_an_import_give_the_levels_read_per_project():
    """``policy.staffed_reviewers`` (one query for a whole import) and ``staffed_review_levels``'s
    own query per project give the same staffed levels, the fillers left out either way."""
    from keyprojects.accounts import policy

    county = make_user("solo", "county", region="370102")  # 历下区's only account
    make_user("jn1", "city", region="370100")
    make_user("sd1", "province", region="370000")
    gone = make_user("lc1", "county", region="370112")
    gone.is_active = False
    gone.save()
    reviewers = policy.staffed_reviewers(exclude=[county.pk])
    for codes in (("370102", "370100", "370000"), ("370112", "370100", "370000"), (None, "370200", "370000"), (None, None, None)):
        kw: dict[str, Any] = {"county_code": codes[0], "city_code": codes[1], "province_code": codes[2], "exclude": [county.pk]}
        assert policy.staffed_review_levels(**kw, staffed=reviewers) == policy.staffed_review_levels(**kw)
    assert policy.staffed_review_levels(
        county_code="370102", city_code="370100", province_code="370000", exclude=[county.pk], staffed=reviewers
    ) == {"city", "province"}  # the county's only account filled it; an inactive account never counts
