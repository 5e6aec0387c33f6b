"""A landing that creates a project moves it to 前期手续 on the landing day: not in a month
closed for its region (``dispatch.rules.stage_change_allowed``); said at 落地日期, nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keyprojects.attraction.choices import LeadStage
from keyprojects.attraction.models import Lead
from keyprojects.attraction.services import lead_advance, lead_land, lead_sign
from keyprojects.core.errors import ValidationFailed
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.dispatch.rules import month_end
from keyprojects.dispatch.services import period_get_or_open
from keyprojects.projects.models import Project

pytestmark = pytest.mark.django_db


def test_a_landing_in_a_closed_month_is_refused_at_its_date(world: Any, lead_of: Any) -> None:
    county, today = world.users.county, timezone.localdate()
    lead = lead_of(obtained_on=today - dt.timedelta(days=60))
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=50))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=today - dt.timedelta(days=45),
        amount="48000", title="投资协议",
    )  # fmt: skip
    landed = today - dt.timedelta(days=35)
    period = period_get_or_open(year=landed.year, month=landed.month)
    PeriodClosure.objects.create(period=period, region_id="370100", closed_by=world.users.city)  # Jinan closed that month
    projects = Project.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        lead_land(user=county, lead=lead, expected_version=lead.version, landed_on=landed, annual_plan="6000")
    (message,) = exc.value.extra["fields"]["landed_on"]
    first = month_end(landed.year, landed.month) + dt.timedelta(days=1)
    assert str(message).endswith(f"已关账，数据不能再修改：变更日期不能早于{first:%Y-%m-%d}")
    assert Project.objects.count() == projects and Lead.objects.get(pk=lead.pk).stage == LeadStage.SIGNED  # nothing written
    lead = lead_land(user=county, lead=lead, expected_version=lead.version, landed_on=today, annual_plan="6000")
    assert lead.project is not None and lead.project.stage == "preparation"
