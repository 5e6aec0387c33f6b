"""The fact and summary tables are scoped like every other model (``visible_to``)."""

from __future__ import annotations

import pytest

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.services import facts_refresh, summaries_refresh
from keyprojects.analytics.services_dashboard import dimension_summaries_refresh


@pytest.fixture
def refreshed(dw):
    facts_refresh(period=dw.p1)
    summaries_refresh(period=dw.p1)
    dimension_summaries_refresh(period=dw.p1)
    return dw


def names(user):
    return set(ProjectPeriodFact.objects.visible_to(user).values_list("project__name", flat=True))


def test_facts_follow_the_project_scope(refreshed):
    w, u = refreshed, refreshed.users
    everything = {p.name for p in vars(w.projects).values()}
    assert names(u.superuser) == everything
    assert names(u.province) == everything
    assert names(u.city) == {"历下区项目", "市中区项目", "济南市本级项目"}
    assert names(u.leader) == names(u.city)
    assert names(u.county) == {"历下区项目"}
    assert names(u.department) == {"历下区项目"}  # its responsible unit
    assert names(u.enterprise) == {"历下区项目"}  # its own
    for admin in (u.sysadmin, u.secadmin, u.auditor):
        assert names(admin) == set()
    from keyprojects.projects.models import Project

    for user in vars(u).values():  # the same projects as the registry's own scope
        assert names(user) == set(Project.objects.visible_to(user).values_list("name", flat=True)), user.username


@pytest.mark.parametrize("model", [RegionPeriodSummary, DimensionPeriodSummary])
def test_summaries_are_seen_for_the_own_region_and_below(refreshed, model):
    u = refreshed.users
    every = set(model.objects.values_list("region_id", flat=True))
    assert {"370000", "370100", "370102", "370200"} <= every

    def regions(user):
        return set(model.objects.visible_to(user).values_list("region_id", flat=True))

    assert regions(u.superuser) == every
    assert regions(u.province) == every
    assert regions(u.city) == {c for c in every if c == "370100" or c.startswith("3701")}
    assert regions(u.leader) == regions(u.city)
    assert regions(u.county) == {"370102"}
    for user in (u.department, u.enterprise, u.sysadmin, u.secadmin, u.auditor):
        assert regions(user) == set(), user.username  # no region scope: they read facts
