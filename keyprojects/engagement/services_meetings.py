"""Writes of 政企沟通交流会 (issue 15): recording a meeting. The requests raised there are
raised with :func:`.services.request_create` (source 会议, ``meeting`` set)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.models import full_clean
from keyprojects.enterprises.models import Enterprise
from keyprojects.regions.models import Unit

from .choices import MeetingLevel
from .models import Meeting

MEETING_FIELDS = ["title", "held_on", "place", "chair", "level", "summary"]
_LEVEL_OF_REGION = {"province": MeetingLevel.PROVINCE, "city": MeetingLevel.CITY, "county": MeetingLevel.COUNTY}


@transaction.atomic
def meeting_create(
    *,
    user: Any,
    data: dict[str, Any],
    enterprises: Iterable[Enterprise] = (),
    units: Iterable[Unit] = (),
    region: Any = None,
    request: Any = None,
) -> Meeting:
    """Record a meeting of the user's own region (a superuser: ``region`` or the province); the
    enterprises present must be in the user's scope. The level defaults to the region's."""
    if not policy.can_hold_meeting(user):
        raise PermissionDenied()
    unknown = set(data) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: ["不可设置的字段"] for k in sorted(unknown)}})
    home = policy.work_region(user) if region is None or not policy.is_superuser(user) else region
    if home is None:
        raise PermissionDenied()
    values = {"level": _LEVEL_OF_REGION.get(home.level, MeetingLevel.COUNTY), **{k: v for k, v in data.items() if v is not None}}
    meeting = Meeting(region=home, created_by=user, **values)
    full_clean(meeting, exclude=["region", "created_by"])
    ents = list(enterprises)
    visible = set(Enterprise.objects.visible_to(user).filter(pk__in=[e.pk for e in ents]).values_list("pk", flat=True))
    if len(visible) != len({e.pk for e in ents}):
        raise NotFound()
    meeting.save()
    meeting.enterprises.set(ents)
    meeting.units_present.set(list(units))
    audit_record(
        action="meeting.create",
        user=user,
        request=request,
        obj=meeting,
        changes={"title": meeting.title, "held_on": meeting.held_on, "enterprises": sorted(visible)},
    )
    return meeting
