"""A stage change may not be dated in or before a month frozen for the project's region
(``dispatch.rules.stage_change_allowed``): the live board would disagree with the month's
frozen facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ValidationFailed, shown
from keyprojects.dispatch.choices import PeriodStatus
from keyprojects.dispatch.models import PeriodClosure, ReportingPeriod
from keyprojects.projects.models import Project, ProjectEvent
from keyprojects.projects.services import first_stage_day, project_transition

JAN_15 = dt.date(2026, 1, 15)


def _suspend(dw: Any, on: dt.date, project: Project | None = None) -> Project:
    p = project or dw.projects.own_county
    return project_transition(user=dw.users.province, project=p, to_stage="suspended", reason="资金未到位", on_date=on)


def _refused(dw: Any, on: dt.date, project: Project | None = None) -> list[str]:
    p = project or dw.projects.own_county
    before = (p.stage, p.version, ProjectEvent.objects.filter(project=p).count())
    audits = AuditEvent.objects.filter(action="transition").count()
    with pytest.raises(ValidationFailed) as exc:
        _suspend(dw, on, p)
    fresh = Project.objects.get(pk=p.pk)
    assert (fresh.stage, fresh.version, ProjectEvent.objects.filter(project=p).count()) == before  # nothing written
    assert AuditEvent.objects.filter(action="transition").count() == audits
    return [str(m) for m in exc.value.extra["fields"]["on_date"]]


def test_refused_inside_and_before_a_month_its_city_closed(dw: Any) -> None:
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)  # Jinan closed January
    said = "2026年1月已关账，数据不能再修改：变更日期不能早于2026-02-01"
    assert _refused(dw, JAN_15) == [said]
    assert _refused(dw, dt.date(2026, 1, 31)) == [said]  # the month's last day
    assert _refused(dw, dt.date(2025, 11, 3)) == [said]  # before the closed month
    assert first_stage_day(dw.projects.own_county) == dt.date(2026, 2, 1)
    _suspend(dw, dt.date(2026, 2, 1))  # the first day after it
    event = ProjectEvent.objects.filter(project=dw.projects.own_county).latest("id")
    assert (event.to_stage, event.on_date) == ("suspended", dt.date(2026, 2, 1))


def test_a_whole_closed_month_and_a_province_close_count_too(dw: Any) -> None:
    ReportingPeriod.objects.filter(pk=dw.p2.pk).update(status=PeriodStatus.CLOSED)  # February closed as a whole
    other = dw.projects.other_city
    assert _refused(dw, dt.date(2026, 2, 28), other) == ["2026年2月已关账，数据不能再修改：变更日期不能早于2026-03-01"]
    PeriodClosure.objects.create(period=dw.p3, region_id="370000", closed_by=dw.users.province)  # the province closed March
    assert _refused(dw, dt.date(2026, 3, 2), other) == ["2026年3月已关账，数据不能再修改：变更日期不能早于2026-04-01"]
    _suspend(dw, dt.date(2026, 4, 1), other)
    assert Project.objects.get(pk=other.pk).stage == "suspended"


def test_allowed_when_only_another_regions_month_is_closed(dw: Any) -> None:
    PeriodClosure.objects.create(period=dw.p1, region_id="370200", closed_by=dw.users.other_city)  # Qingdao closed January
    assert first_stage_day(dw.projects.own_county) is None
    _suspend(dw, JAN_15)
    assert Project.objects.get(pk=dw.projects.own_county.pk).stage == "suspended"
    assert _refused(dw, JAN_15, dw.projects.other_city)  # but not in Qingdao


def test_allowed_when_nothing_is_closed(dw: Any) -> None:
    assert first_stage_day(dw.projects.own_county) is None
    _suspend(dw, dt.date(2025, 6, 1))
    project_transition(user=dw.users.province, project=dw.projects.own_county, to_stage="resume", on_date=JAN_15)
    assert Project.objects.get(pk=dw.projects.own_county.pk).stage == "construction"


def test_every_kind_of_change_is_checked(dw: Any) -> None:
    """Resume, cancel and a start on the project's known 实际开工日期 are refused the same way."""
    p = dw.projects.own_county
    _suspend(dw, dt.date(2025, 12, 1))
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    with pytest.raises(ValidationFailed):
        project_transition(user=dw.users.province, project=p, to_stage="resume", on_date=JAN_15)
    with pytest.raises(ValidationFailed):
        project_transition(user=dw.users.province, project=p, to_stage="cancelled", reason="企业放弃", on_date=JAN_15)
    assert Project.objects.get(pk=p.pk).stage == "suspended"
    # a project in 前期手续 whose 实际开工日期 (in January) is known: the start would be dated then
    Project.objects.filter(pk=p.pk).update(stage="preparation", stage_before_suspension="", actual_start=dt.date(2026, 1, 10))
    with pytest.raises(ValidationFailed) as exc:
        project_transition(user=dw.users.province, project=p, to_stage="construction")
    (message,) = exc.value.extra["fields"]["on_date"]
    assert str(message) == "2026年1月已关账，数据不能再修改：项目的实际开工日期（2026-01-10）不晚于该月，不能以该日期办理开工"
    with translation.override("en"):
        assert shown(message) == (
            "Jan 2026 is closed and its data can no longer be changed: the project's actual start date (2026-01-10) "
            "is not after that month, so it cannot be started on that date"
        )
    assert Project.objects.get(pk=p.pk).stage == "preparation"


def test_the_page_says_it_at_the_date_and_keeps_what_was_typed(dw: Any, client: Any) -> None:
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    client.force_login(dw.users.county)
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert page.count('min="2026-02-01"') == page.count('name="on_date"') > 0  # every date asked starts after January
    events, audits = ProjectEvent.objects.filter(project=p).count(), AuditEvent.objects.filter(action="transition").count()
    typed = {"to_stage": "suspended", "version": p.version, "reason": "资金未到位，暂停施工", "on_date": "2026-01-15"}
    resp = client.post(f"/projects/{p.pk}/transition/", typed)
    assert resp.status_code == 400
    html = resp.content.decode()
    form = html[html.index('id="reason-suspended"') :]
    form = form[: form.index("</form>")]
    assert 'class="collapse show mt-2"' in html[html.index('id="reason-suspended"') - 40 : html.index('id="reason-suspended"')]
    assert 'value="2026-01-15"' in form and "资金未到位，暂停施工</textarea>" in form and "is-invalid" in form
    assert 'data-testid="on-date-error">2026年1月已关账，数据不能再修改：变更日期不能早于2026-02-01<' in form
    fresh = Project.objects.get(pk=p.pk)
    assert (fresh.stage, fresh.version) == ("construction", p.version)
    assert ProjectEvent.objects.filter(project=p).count() == events
    assert AuditEvent.objects.filter(action="transition").count() == audits
    client.cookies["django_language"] = "en"
    html = client.post(f"/projects/{p.pk}/transition/", typed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Jan 2026 is closed and its data can no longer be changed: the date of the change cannot be earlier than 2026-02-01" in html


def test_nothing_closed_no_min(world: Any, client: Any) -> None:
    p = world.projects.own_county
    client.force_login(world.users.county)
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'name="on_date"' in page and " min=" not in page
