"""The working-day calendar on real 2024/2025 official holidays (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.core import workdays
from keyprojects.core.errors import PermissionDenied
from keyprojects.core.models import CalendarOverride
from keyprojects.core.services_calendar import calendar_override_delete, calendar_override_set

D = dt.date
pytestmark = pytest.mark.django_db


def test_official_holidays_and_makeup_days():
    # 2024 春节: 2/10–2/17 off; Sunday 2/4 and Saturday 2/18 are make-up working days.
    assert not workdays.is_working_day(D(2024, 2, 12))  # a Monday inside 春节
    assert workdays.is_working_day(D(2024, 2, 4))  # Sunday, 调休上班
    assert workdays.is_working_day(D(2024, 2, 18))  # Sunday, 调休上班
    # 2025 国庆: 10/1–10/8 off; Sunday 9/28 and Saturday 10/11 are working days.
    assert not workdays.is_working_day(D(2025, 10, 8))  # a Wednesday
    assert workdays.is_working_day(D(2025, 9, 28))
    assert workdays.is_working_day(D(2025, 10, 11))
    assert not workdays.is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_working_days_between_over_national_day_2025():
    # Received Fri 2025-09-26: Sun 9/28, Mon 9/29, Tue 9/30 work; 10/1–10/8 off; Thu 10/9, Fri 10/10, Sat 10/11 work.
    assert workdays.working_days_between(D(2025, 9, 26), D(2025, 10, 11)) == 6
    assert workdays.working_days_between(D(2025, 10, 11), D(2025, 9, 26)) == -6
    assert workdays.working_days_between(D(2025, 9, 26), D(2025, 9, 26)) == 0


def test_working_days_between_over_spring_festival_2024():
    # Fri 2024-02-02 → Mon 2024-02-19: Sun 2/4, 2/5–2/9, Sun 2/18, Mon 2/19 = 8 working days.
    assert workdays.working_days_between(D(2024, 2, 2), D(2024, 2, 19)) == 8


def test_add_working_days_is_the_inverse():
    assert workdays.add_working_days(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert workdays.add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert workdays.add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert workdays.add_working_days(D(2025, 1, 1), 0) == D(2025, 1, 1)
    start = D(2024, 12, 20)
    for n in (1, 5, 20, 60):
        assert workdays.working_days_between(start, workdays.add_working_days(start, n)) == n
    with pytest.raises(ValueError):
        workdays.add_working_days(start, -1)


def test_unknown_year_falls_back_to_weekdays_and_overrides_win(world):
    year = workdays.known_years().stop + 5
    # A Monday–Friday week of an unknown year.
    monday = D(year, 3, 2) - dt.timedelta(days=D(year, 3, 2).weekday())
    friday = monday + dt.timedelta(days=4)
    assert workdays.working_days_between(monday - dt.timedelta(days=1), friday) == 5
    province = world.users.province
    calendar_override_set(user=province, day=monday + dt.timedelta(days=2), kind="holiday", name="测试假日")
    calendar_override_set(user=province, day=friday + dt.timedelta(days=1), kind="workday", name="调休上班")
    assert workdays.working_days_between(monday - dt.timedelta(days=1), friday + dt.timedelta(days=1)) == 5
    assert workdays.add_working_days(monday, 3) == friday
    assert workdays.add_working_days(monday, 4) == friday + dt.timedelta(days=1)
    # An override corrects a known year too.
    calendar_override_set(user=province, day=D(2025, 10, 8), kind="workday")
    assert workdays.is_working_day(D(2025, 10, 8))
    calendar_override_delete(user=province, day=D(2025, 10, 8))
    assert not workdays.is_working_day(D(2025, 10, 8))
    assert CalendarOverride.objects.count() == 2
    from keyprojects.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action__startswith="calendar.override").count() == 4


def test_only_config_managers_edit_the_calendar(world):
    for user in (world.users.city, world.users.county, world.users.department, world.users.sysadmin):
        with pytest.raises(PermissionDenied):
            calendar_override_set(user=user, day=D(2030, 1, 2), kind="holiday")
    assert not CalendarOverride.objects.exists()


def test_config_site_records_an_override(client, world):
    client.force_login(world.users.province)
    url = "/config/core/calendaroverride/add/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"day": "2031-01-02", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302, response.content[:500]
    assert not workdays.is_working_day(D(2031, 1, 2))
    client.force_login(world.users.sysadmin)
    assert client.get(url).status_code in (302, 403, 404)


def test_a_moment_falls_on_its_local_day():
    # 2025-10-08 23:30 UTC is 07:30 on Thursday 9 October in Jinan: the day after 国庆 (1–8 October)
    moment = dt.datetime(2025, 10, 8, 23, 30, tzinfo=dt.UTC)
    assert workdays.is_working_day(moment)
    assert workdays.working_days_between(moment, D(2025, 10, 10)) == 1
