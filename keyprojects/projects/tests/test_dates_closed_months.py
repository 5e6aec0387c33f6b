"""A project's 实际开工/竣工日期 may not be set, changed or cleared on or before the end of a month
frozen for its region (``dispatch.rules.date_change_refused``): ``stage_in_month`` reads them,
so the edit would change who was due to report in a closed month, as a stage change dated there
would (test_stage_closed_months)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, ValidationFailed, shown
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.projects.models import Project
from keyprojects.projects.services import project_update
from keyprojects.regions.models import Region

JAN_10, FEB_1, MAR_1 = dt.date(2026, 1, 10), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.fixture
def jan_closed(dw: Any) -> Any:
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)  # Jinan closed January
    return dw


def _update(dw: Any, p: Project, **data: Any) -> Project:
    fresh = Project.objects.get(pk=p.pk)
    return project_update(user=dw.users.province, project=fresh, expected_version=fresh.version, data=data)


def _refused(dw: Any, p: Project, **data: Any) -> dict[str, list[str]]:
    before = Project.objects.filter(pk=p.pk).values().get()
    audits = AuditEvent.objects.filter(action="update").count()
    with pytest.raises(ValidationFailed) as exc:
        _update(dw, p, **data)
    assert Project.objects.filter(pk=p.pk).values().get() == before  # nothing written
    assert AuditEvent.objects.filter(action="update").count() == audits  # no audit record
    return {f: [str(m) for m in ms] for f, ms in exc.value.extra["fields"].items()}


def test_a_new_date_in_or_before_a_closed_month_is_refused(jan_closed: Any) -> None:
    p = jan_closed.projects.own_county  # under construction, no 实际开工日期 yet
    said = ["2026年1月已关账，数据不能再修改：实际开工日期不能早于2026-02-01"]
    assert _refused(jan_closed, p, actual_start=JAN_10) == {"actual_start": said}
    assert _refused(jan_closed, p, actual_start=dt.date(2026, 1, 31)) == {"actual_start": said}  # the month's last day
    assert _refused(jan_closed, p, actual_start=dt.date(2025, 6, 1)) == {"actual_start": said}  # before it
    _update(jan_closed, p, actual_start=FEB_1)  # the first day after it
    assert Project.objects.get(pk=p.pk).actual_start == FEB_1
    assert AuditEvent.objects.filter(action="update", object_id=str(p.pk)).exists()


def test_an_old_date_in_a_closed_month_can_be_neither_changed_nor_cleared(jan_closed: Any) -> None:
    p = jan_closed.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=JAN_10)
    said = {"actual_start": ["2026年1月已关账，数据不能再修改：原实际开工日期（2026-01-10）不晚于该月，不能修改或清空"]}
    assert _refused(jan_closed, p, actual_start=MAR_1) == said
    assert _refused(jan_closed, p, actual_start=None) == said
    # both too early: the new date is the one said
    assert _refused(jan_closed, p, actual_start=dt.date(2026, 1, 20)) == {
        "actual_start": ["2026年1月已关账，数据不能再修改：实际开工日期不能早于2026-02-01"]
    }
    # unchanged: the rest of the card can still be edited
    _update(jan_closed, p, actual_start=JAN_10, location="历下区经十路")
    fresh = Project.objects.get(pk=p.pk)
    assert (fresh.actual_start, fresh.location) == (JAN_10, "历下区经十路")


def test_completion_is_checked_the_same_way(jan_closed: Any) -> None:
    p = jan_closed.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 3, 1))
    assert _refused(jan_closed, p, actual_completion=JAN_10) == {
        "actual_completion": ["2026年1月已关账，数据不能再修改：实际竣工日期不能早于2026-02-01"]
    }
    Project.objects.filter(pk=p.pk).update(actual_completion=JAN_10)
    assert _refused(jan_closed, p, actual_completion=None) == {
        "actual_completion": ["2026年1月已关账，数据不能再修改：原实际竣工日期（2026-01-10）不晚于该月，不能修改或清空"]
    }
    with translation.override("en"):
        message = _message(jan_closed, p, actual_completion=MAR_1)
        assert shown(message) == (
            "Jan 2026 is closed and its data can no longer be changed: the former actual completion date (2026-01-10) "
            "is not after that month, so it cannot be changed or cleared"
        )


def _message(dw: Any, p: Project, **data: Any) -> Any:
    with pytest.raises(ValidationFailed) as exc:
        _update(dw, p, **data)
    (field,) = exc.value.extra["fields"].values()
    return field[0]


def test_both_dates_are_said_at_once_in_english_too(jan_closed: Any) -> None:
    p = jan_closed.projects.own_county
    with translation.override("en"):
        message = _message(jan_closed, p, actual_start=JAN_10)
        said = "Jan 2026 is closed and its data can no longer be changed: the actual start date cannot be earlier than 2026-02-01"
        assert shown(message) == said
    got = _refused(jan_closed, p, actual_start=JAN_10, actual_completion=dt.date(2026, 1, 20))
    assert set(got) == {"actual_start", "actual_completion"}


def test_dates_after_the_closed_month_and_other_regions_are_allowed(jan_closed: Any) -> None:
    p = jan_closed.projects.own_county
    _update(jan_closed, p, actual_start=FEB_1, actual_completion=MAR_1)
    _update(jan_closed, p, actual_completion=None)  # cleared, and it was after the closed month
    other = jan_closed.projects.other_city  # Qingdao has closed nothing
    _update(jan_closed, other, actual_start=JAN_10)
    assert Project.objects.get(pk=other.pk).actual_start == JAN_10


def test_moving_into_a_closed_region_checks_its_months_too(jan_closed: Any) -> None:
    other = jan_closed.projects.other_city  # Qingdao: nothing closed
    assert _refused(jan_closed, other, region=Region.objects.get(code="370102"), actual_start=JAN_10) == {
        "actual_start": ["2026年1月已关账，数据不能再修改：实际开工日期不能早于2026-02-01"]
    }


def test_a_stale_form_is_a_conflict_first(jan_closed: Any) -> None:
    p = Project.objects.get(pk=jan_closed.projects.own_county.pk)
    with pytest.raises(ConflictError):
        project_update(user=jan_closed.users.province, project=p, expected_version=p.version - 1, data={"actual_start": JAN_10})


def test_the_rule() -> None:
    frozen = [(2026, 1)]
    assert rules.date_change_refused(JAN_10, JAN_10, frozen) is None  # unchanged
    assert rules.date_change_refused(None, FEB_1, frozen) is None
    assert rules.date_change_refused(FEB_1, None, frozen) is None
    assert rules.date_change_refused(None, JAN_10, frozen) == JAN_10
    assert rules.date_change_refused(JAN_10, MAR_1, frozen) == JAN_10
    assert rules.date_change_refused(JAN_10, dt.date(2025, 1, 1), frozen) == dt.date(2025, 1, 1)  # the new one first
    assert rules.date_change_refused(None, JAN_10, []) is None  # nothing closed


def test_the_edit_page_says_it_at_the_date(jan_closed: Any, client: Any) -> None:
    from keyprojects.projects.tests.test_views_forms import card

    p = Project.objects.get(pk=jan_closed.projects.own_county.pk)
    client.force_login(jan_closed.users.county)
    resp = client.post(f"/projects/{p.pk}/edit/", card(p, actual_start="2026-01-10"))
    assert resp.status_code == 200
    form = resp.context["form"]
    assert form.errors["actual_start"] == ["2026年1月已关账，数据不能再修改：实际开工日期不能早于2026-02-01"]
    assert Project.objects.get(pk=p.pk).actual_start is None
