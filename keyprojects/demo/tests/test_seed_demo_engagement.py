"""The demo's 政企服务 (issue 15): requests in every state, overdue ones, a pending extension,
the province meeting with ten enterprises and their requests, scoped to the demo logins."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from keyprojects.accounts.models import User
from keyprojects.engagement.choices import RequestStatus, Source
from keyprojects.engagement.models import EnterpriseRequest, ExtensionRequest, Meeting
from keyprojects.engagement.selectors import department_figures, with_timing


@pytest.mark.django_db
def test_demo_requests_and_meeting():
    opts = {"projects": 40, "seed": 7, "year": 2024, "month": 2, "months": 0, "verbosity": 0, "interactive": False}
    call_command("seed_demo", stdout=io.StringIO(), **opts)
    assert set(EnterpriseRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(EnterpriseRequest.objects.values_list("source", flat=True)) >= {Source.ENTERPRISE, Source.MEETING, Source.OPEN311}
    for r in EnterpriseRequest.objects.all():
        r.full_clean()
    timed = with_timing(EnterpriseRequest.objects.all())
    assert any(r.timing.acknowledge_overdue for r in timed) and any(r.timing.resolve_overdue for r in timed)
    assert EnterpriseRequest.objects.filter(rating="unsatisfied", status=RequestStatus.CLOSED, reopen_count=1).exists()
    assert ExtensionRequest.objects.filter(status="pending").exists()
    meeting = Meeting.objects.get()
    assert meeting.enterprises.count() == 10
    assert EnterpriseRequest.objects.filter(meeting=meeting).values("enterprise").distinct().count() == 10
    byd = User.objects.get(username="byd")
    own = EnterpriseRequest.objects.visible_to(byd)
    assert own.count() >= 10 and not own.exclude(enterprise=byd.enterprise).exists()
    fgw = User.objects.get(username="jinan_fgw")
    assert EnterpriseRequest.objects.visible_to(fgw).exists()
    rows = department_figures(EnterpriseRequest.objects.visible_to(User.objects.get(username="province")))
    assert any(r.unit_id == fgw.unit_id and r.satisfaction_rate is not None for r in rows)
    # Seeding again (reset) gives the same picture, not a second meeting.
    call_command("seed_demo", stdout=io.StringIO(), reset=True, **opts)
    assert Meeting.objects.count() == 1
