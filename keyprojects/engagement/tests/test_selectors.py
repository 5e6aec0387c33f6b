"""requests_for_enterprise: the selector the 一企一策 profile page reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.engagement.models import EnterpriseRequest, RequestAssignment, RequestCategory
from keyprojects.engagement.selectors import requests_for_enterprise, with_timing

pytestmark = pytest.mark.django_db


def _req(ent, title="用地指标", **kw):
    region = ent.region
    return EnterpriseRequest.objects.create(
        enterprise=ent,
        category=RequestCategory.objects.get(code="factor"),
        title=title,
        description="请协调",
        region=region,
        province_code=region.province_code,
        city_code=region.city_code,
        submitted_at=timezone.now(),
        acknowledge_due=timezone.localdate() + dt.timedelta(days=2),
        resolve_due=timezone.localdate() + dt.timedelta(days=20),
        **kw,
    )


def test_requests_for_enterprise_scoped(world):
    own = _req(world.ent)
    other = _req(world.other_ent, title="港口")
    u = world.users
    assert list(requests_for_enterprise(user=u.enterprise, enterprise=world.ent)) == [own]
    assert list(requests_for_enterprise(user=u.enterprise, enterprise=world.other_ent)) == []
    assert list(requests_for_enterprise(user=u.other_enterprise, enterprise=world.other_ent.pk)) == [other]
    assert list(requests_for_enterprise(user=u.city, enterprise=world.ent)) == [own]
    assert list(requests_for_enterprise(user=u.other_city, enterprise=world.ent)) == []
    assert list(requests_for_enterprise(user=u.province, enterprise=world.other_ent)) == [other]
    assert list(requests_for_enterprise(user=u.department, enterprise=world.ent)) == []
    RequestAssignment.objects.create(request=own, unit=world.dept)
    assert list(requests_for_enterprise(user=u.department, enterprise=world.ent)) == [own]
    assert list(requests_for_enterprise(user=u.sysadmin, enterprise=world.ent)) == []
    rows = with_timing(requests_for_enterprise(user=u.city, enterprise=world.ent))
    assert rows[0].timing.overdue is False
