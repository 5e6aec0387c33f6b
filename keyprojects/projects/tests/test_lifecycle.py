"""The life-cycle state machine (domain.md §2): allowed edges only, events, reasons, resume."""

from __future__ import annotations

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import ProjectEvent
from keyprojects.projects.services import project_transition


def test_forward_path_records_each_event(world):
    p, user = world.projects.own_county, world.users.county
    for target in ["preparation", "construction", "completed", "production", "effective"]:
        project_transition(user=user, project=p, to_stage=target)
        p.refresh_from_db()
        assert p.stage == target
    events = list(ProjectEvent.objects.filter(project=p, kind__in=["transition"]).order_by("id"))
    assert [(e.from_stage, e.to_stage) for e in events] == [
        ("reserve", "preparation"),
        ("preparation", "construction"),
        ("construction", "completed"),
        ("completed", "production"),
        ("production", "effective"),
    ]
    assert all(e.actor == user for e in events)
    assert p.actual_start is not None and p.actual_completion is not None
    assert AuditEvent.objects.filter(action="transition", object_id=str(p.pk)).count() == 5


@pytest.mark.parametrize(
    "frm,to", [("reserve", "construction"), ("reserve", "effective"), ("construction", "reserve"), ("effective", "cancelled")]
)
def test_disallowed_edges(world, frm, to):
    p = world.projects.own_county
    type(p).objects.filter(pk=p.pk).update(stage=frm)
    p.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        project_transition(user=world.users.county, project=p, to_stage=to)
    p.refresh_from_db()
    assert p.stage == frm


def test_suspend_needs_reason_and_resume_returns(world):
    p, user = world.projects.own_county, world.users.county
    project_transition(user=user, project=p, to_stage="preparation")
    with pytest.raises(ValidationFailed):
        project_transition(user=user, project=p, to_stage="suspended", reason="  ")
    project_transition(user=user, project=p, to_stage="suspended", reason="资金未到位")
    p.refresh_from_db()
    assert p.stage == Stage.SUSPENDED and p.stage_before_suspension == "preparation"
    project_transition(user=user, project=p, to_stage="resume")
    p.refresh_from_db()
    assert p.stage == "preparation" and p.stage_before_suspension == ""
    kinds = list(ProjectEvent.objects.filter(project=p).order_by("id").values_list("kind", "reason"))
    assert ("suspended", "资金未到位") in kinds and ("resumed", "") in kinds


def test_cancel_needs_reason(world):
    p = world.projects.own_county
    with pytest.raises(ValidationFailed):
        project_transition(user=world.users.county, project=p, to_stage="cancelled")
    project_transition(user=world.users.county, project=p, to_stage="cancelled", reason="企业放弃投资")
    p.refresh_from_db()
    assert p.stage == "cancelled"


def test_out_of_scope_and_read_only_roles_cannot_transition(world):
    p = world.projects.own_county
    with pytest.raises(NotFound):
        project_transition(user=world.users.sibling, project=p, to_stage="preparation")
    with pytest.raises(PermissionDenied):
        project_transition(user=world.users.leader, project=p, to_stage="preparation")
    p.refresh_from_db()
    assert p.stage == "reserve"
