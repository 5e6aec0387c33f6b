"""The demo's county and department logins have work of their own outside the monthly reports:
历下区 (lixia) sees requests of its enterprises in several states and can act on them (never on
an extension it asked for: four eyes), and the city's 发改委 (jinan_fgw) sees the 招商 leads it
is the responsible unit of. Read through the selectors the pages use."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts import policy
from keyprojects.accounts.models import User
from keyprojects.attraction.selectors import activities_visible, leads_visible
from keyprojects.core.errors import PermissionDenied
from keyprojects.engagement import services
from keyprojects.engagement.choices import ExtensionStatus, RequestStatus
from keyprojects.engagement.models import ExtensionRequest
from keyprojects.engagement.selectors import requests_visible


@pytest.mark.django_db
def test_county_requests_and_department_leads():
    opts = {"projects": 40, "seed": 7, "year": 2024, "month": 2, "months": 0, "verbosity": 0, "interactive": False}
    call_command("seed_demo", stdout=io.StringIO(), **opts)
    users = {u.username: u for u in User.objects.filter(username__in=["lixia", "lixia_sh", "jinan_fgw", "jinan"])}
    lixia, clerk, fgw = users["lixia"], users["lixia_sh"], users["jinan_fgw"]

    # 历下区 sees its enterprises' requests, in several states, and may work every one
    own = requests_visible(lixia)
    assert own.exists() and not own.exclude(region_id=lixia.region_id).exists()
    assert {RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS, RequestStatus.REPLIED} <= set(own.values_list("status", flat=True))
    assert all(policy.can_handle_request(lixia, r) for r in own.filter(status__in=[RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS]))
    assert not own.filter(raised_by=lixia).exists()  # raised by the county's other account
    # four eyes: the pending extensions were asked by others; lixia decides, the asker may not
    pending = list(ExtensionRequest.objects.filter(request__in=own, status=ExtensionStatus.PENDING))
    assert len(pending) >= 2 and {e.requested_by_id for e in pending} >= {clerk.pk, fgw.pk}
    own_ext = next(e for e in pending if e.requested_by_id == clerk.pk)
    with pytest.raises(PermissionDenied):
        services.extension_decide(user=clerk, extension=own_ext, approve=True, expected_version=own_ext.version)
    decided = services.extension_decide(user=lixia, extension=own_ext, approve=True, expected_version=own_ext.version)
    assert decided.status == ExtensionStatus.APPROVED
    fresh = own.filter(status=RequestStatus.SUBMITTED).first()
    assert services.request_acknowledge(user=lixia, req=fresh, expected_version=fresh.version).status == RequestStatus.IN_PROGRESS

    # the city's 发改委 sees the leads it is responsible for (its own and the city's), no others
    leads = leads_visible(fgw)
    assert leads.count() >= 2 and not leads.exclude(unit=fgw.unit).exists()
    assert activities_visible(fgw).exists()
    assert leads_visible(users["jinan"]).filter(pk__in=leads.values("pk")).count() == leads.count()

    for user, page, detail, row, shown in (
        (lixia, "engagement:list", "engagement:detail", own.first(), own.first().title),
        (fgw, "attraction:list", "attraction:detail", leads.first(), leads.first().name),
    ):
        client = Client()
        client.force_login(user)
        listing = client.get(reverse(page))
        assert listing.status_code == 200 and shown in listing.content.decode()
        assert client.get(reverse(detail, args=[row.pk])).status_code == 200
