"""Writes to 会商会办 (issue 14): holding a meeting with its topics and decisions, escalating a
need or a problem one level up (提级会商, the need keeps every earlier topic as its history),
and marking a decision done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import PermissionDenied, ValidationFailed
from keyprojects.core.models import save_versioned
from keyprojects.dispatch.models import ProblemItem
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from .choices import Level
from .models import NEXT_LEVEL, Consultation, ConsultationTopic, FactorNeed

LEVEL_OF_REGION = {"county": Level.COUNTY, "city": Level.CITY, "province": Level.PROVINCE}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(extra={"fields": {field: [message]}})


@transaction.atomic
def consultation_hold(
    *,
    user: Any,
    held_on: dt.date,
    convener: str,
    unit_ids: list[int] | None = None,
    topics: list[dict[str, Any]],
    summary: str = "",
    request: Any = None,
) -> Consultation:
    """Record a meeting of the user's region. Each topic: ``need`` or ``problem`` (an id the user
    sees) or ``project``; ``decision``; optional ``owner_unit``, ``due_on`` and ``escalate``
    (send the need or problem to the next level)."""
    if not policy.can_hold_consultation(user):
        raise PermissionDenied()
    region = policy.scope_region(user)
    assert region is not None
    level = LEVEL_OF_REGION[region.level]
    if held_on > timezone.localdate():
        raise _invalid("held_on", gettext_noop("会商日期不能晚于今天"))
    if not convener.strip():
        raise _invalid("convener", gettext_noop("请填写召集人"))
    if not topics:
        raise _invalid("topics", gettext_noop("至少需要一个议题"))
    units = list(Unit.objects.filter(pk__in=unit_ids or []))
    if len(units) != len(set(unit_ids or [])):
        raise _invalid("units_present", gettext_noop("参会单位不存在"))
    meeting = Consultation.objects.create(
        held_on=held_on, level=level, region=region, convener=convener.strip(), summary=summary, created_by=user
    )
    meeting.units_present.set(units)
    escalated = []
    for n, t in enumerate(topics):
        need = FactorNeed.objects.visible_to(user).filter(pk=t.get("need")).first() if t.get("need") else None
        problem = ProblemItem.objects.visible_to(user).filter(pk=t.get("problem")).first() if t.get("problem") else None
        if t.get("need") and need is None:
            raise _invalid(f"topics.{n}.need", gettext_noop("要素需求不存在或无权访问"))
        if t.get("problem") and problem is None:
            raise _invalid(f"topics.{n}.problem", gettext_noop("问题事项不存在或无权访问"))
        project = need.project if need else problem.project if problem else None
        if project is None and t.get("project"):
            project = Project.objects.visible_to(user).filter(pk=t["project"]).first()
        if project is None:
            raise _invalid(f"topics.{n}.project", gettext_noop("请选择要素需求、问题事项或项目"))
        if not str(t.get("decision", "")).strip():
            raise _invalid(f"topics.{n}.decision", gettext_noop("请填写会商意见"))
        owner = Unit.objects.filter(pk=t["owner_unit"]).first() if t.get("owner_unit") else None
        if t.get("owner_unit") and owner is None:
            raise _invalid(f"topics.{n}.owner_unit", gettext_noop("落实单位不存在"))
        topic = ConsultationTopic(
            consultation=meeting,
            project=project,
            need=need,
            problem=problem,
            decision=str(t["decision"]).strip(),
            owner_unit=owner,
            due_on=t.get("due_on"),
        )
        if t.get("escalate"):
            target = NEXT_LEVEL.get(level)
            if target is None:
                raise _invalid(f"topics.{n}.escalate", gettext_noop("省级会商不能再提级"))
            topic.escalated_to = target
            if need is not None:
                old = need.level
                need.level = target
                save_versioned(need, expected_version=need.version, fields=["level"])
                escalated.append({"need": need.pk, "from": old, "to": target})
            elif problem is not None:
                escalated.append({"problem": problem.pk, "to": target})
        topic.save()
    audit_record(
        action="consultation.hold",
        user=user,
        request=request,
        obj=meeting,
        changes={"level": level, "held_on": str(held_on), "topics": len(topics), "escalated": escalated},
    )
    return meeting


@transaction.atomic
def topic_mark_done(*, user: Any, topic: ConsultationTopic, done_on: dt.date | None = None, request: Any = None) -> ConsultationTopic:
    """A decision carried out: the meeting's region staff or the owner unit."""
    done_on = done_on or timezone.localdate()
    allowed = (policy.can_hold_consultation(user) and Consultation.objects.visible_to(user).filter(pk=topic.consultation_id).exists()) or (
        not policy.is_read_only(user) and topic.owner_unit_id is not None and topic.owner_unit_id == getattr(user, "unit_id", None)
    )
    if not allowed:
        raise PermissionDenied()
    if done_on > timezone.localdate():
        raise _invalid("done_on", gettext_noop("落实日期不能晚于今天"))
    if done_on < topic.consultation.held_on:
        raise _invalid("done_on", gettext_noop("落实日期不能早于会商日期"))
    topic.done_on = done_on
    topic.save(update_fields=["done_on", "updated_at"])
    audit_record(action="consultation.topic_done", user=user, request=request, obj=topic, changes={"done_on": str(done_on)})
    return topic


def need_history(need: FactorNeed) -> list[ConsultationTopic]:
    """Every meeting that discussed ``need``, oldest first (its escalation history)."""
    return list(need.topics.select_related("consultation", "owner_unit").order_by("consultation__held_on", "id"))
