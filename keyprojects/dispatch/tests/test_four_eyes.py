"""Four eyes on corrections (issue 10 §1): nobody decides a correction they requested — the
issue's case, a user requesting and approving its own correction of a closed month
(922 → 99999), is refused in the service, so the page and the API refuse it too; another
reviewer of the level decides it."""

from __future__ import annotations

import pytest

from keyprojects.core.errors import PermissionDenied
from keyprojects.core.testing import make_user
from keyprojects.dispatch.models import ReportRevision
from keyprojects.dispatch.services import period_close, revision_decide, revision_request
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
