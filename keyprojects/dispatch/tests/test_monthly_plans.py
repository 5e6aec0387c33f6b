"""分月计划 (dispatch.services_plans): set, read back, refuse what must not be written, refresh."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.services import facts_refresh
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.dispatch.models import MonthlyPlan, PeriodClosure
from keyprojects.dispatch.selectors import monthly_plan_curve
from keyprojects.dispatch.selectors_plans import plan_months
from keyprojects.dispatch.services_plans import monthly_plan_clear, monthly_plan_set
from keyprojects.projects.models import ProjectYear

EVEN = ["100"] * 12  # the default spread of the own-county project's 1,200 万元 plan of 2026
CURVE = ["100", "0", "0", "200", "100", "100", "100", "100", "100", "100", "100", "200"]  # also 1,200


def set_curve(dw, months, user=None, expected=EVEN, project=None):
    return monthly_plan_set(
        user=user or dw.users.county, project=project or dw.projects.own_county, year=2026, months=months, expected=expected
    )


def stored(project):
    return list(MonthlyPlan.objects.filter(project=project, year=2026).order_by("month").values_list("planned", flat=True))


def test_set_and_read_back(dw):
    p = dw.projects.own_county
    state = set_curve(dw, CURVE).state
    assert state.own and state.curve == [D(v) for v in CURVE]
    assert stored(p) == [D(v) for v in CURVE]
    assert monthly_plan_curve(project=p, year=2026) == [D(v) for v in CURVE]
    assert plan_months(project=p, year=2026).cumulative[2] == D(100)
    event = AuditEvent.objects.filter(object_type="projects.project", object_id=str(p.pk), action="update").latest("id")
    change = event.changes["monthly_plan"]
    assert change["year"] == 2026 and change["before_own"] is False and change["after"][3] == "200.0000"


def test_typed_forms_are_understood(dw):
    typed = ["１００", "0", "0", "2,00", "100.00", "100", " 100 ", "100", "100", "100", "100", "200"]
    set_curve(dw, typed)
    assert stored(dw.projects.own_county)[3] == D(200)


def test_each_bad_month_is_named_and_nothing_is_written(dw):
    typed = ["abc", "-1", "0.12345", *CURVE[3:]]
    with pytest.raises(ValidationFailed) as exc:
        set_curve(dw, typed)
    fields = exc.value.extra["fields"]
    assert set(fields) == {"month_1", "month_2", "month_3"}
    assert "四位小数" in fields["month_3"][0] and "负数" in fields["month_2"][0]
    assert not MonthlyPlan.objects.exists()
    with pytest.raises(ValidationFailed):
        set_curve(dw, CURVE[:11])


def test_sum_must_equal_the_annual_plan(dw):
    with pytest.raises(ValidationFailed) as exc:
        set_curve(dw, ["100"] * 11 + ["99.98"])
    assert "1,199.98" in exc.value.message and "1,200.00" in exc.value.message and "相差0.02万元" in exc.value.message
    assert not MonthlyPlan.objects.exists()
    with pytest.raises(ValidationFailed) as exc:  # exactly: a yuan short is short
        set_curve(dw, ["100"] * 11 + ["99.9999"])
    assert "1,199.9999" in exc.value.message and "相差0.0001万元" in exc.value.message
    assert not MonthlyPlan.objects.exists()
    set_curve(dw, ["100.0001"] + ["100"] * 10 + ["99.9999"])  # to the yuan
    assert stored(dw.projects.own_county)[11] == D("99.9999")


def test_a_year_without_annual_plan_is_refused(dw):
    ProjectYear.objects.filter(project=dw.projects.own_county, year=2026).update(annual_plan=0)
    with pytest.raises(ValidationFailed) as exc:
        set_curve(dw, ["0"] * 12, expected=["0"] * 12)
    assert "请先设置年度计划投资" in exc.value.message
    with pytest.raises(ValidationFailed):
        monthly_plan_set(user=dw.users.county, project=dw.projects.own_county, year=2030, months=["0"] * 12, expected=["0"] * 12)


def test_a_frozen_month_keeps_its_counted_value(dw):
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)  # Jinan closed January
    with pytest.raises(ValidationFailed) as exc:
        set_curve(dw, ["0", "100", "100", "200", "100", "100", "100", "100", "100", "100", "100", "200"])
    assert list(exc.value.extra["fields"]) == ["month_1"] and "1月已关账" in exc.value.extra["fields"]["month_1"][0]
    assert not MonthlyPlan.objects.exists()
    set_curve(dw, CURVE)  # January as counted (100)
    assert stored(dw.projects.own_county)[0] == D(100)
    # Qingdao's project: Jinan's close does not freeze its January
    other = dw.projects.other_city  # 900 in 2026: 75 a month
    monthly_plan_set(user=dw.users.province, project=other, year=2026, months=["0"] + ["75"] * 10 + ["150"], expected=["75"] * 12)


def test_back_to_default_unless_a_frozen_month_would_move(dw):
    p = dw.projects.own_county
    set_curve(dw, CURVE)
    state = monthly_plan_clear(user=dw.users.county, project=p, year=2026, expected=CURVE).state
    assert not state.own and stored(p) == [] and state.curve == [D(100)] * 12
    set_curve(dw, CURVE)
    PeriodClosure.objects.create(period=dw.p2, region_id="370100", closed_by=dw.users.city)  # February (0) counted
    with pytest.raises(ValidationFailed) as exc:
        monthly_plan_clear(user=dw.users.county, project=p, year=2026, expected=CURVE)
    assert "2月已关账" in exc.value.message
    assert len(stored(p)) == 12


def test_stale_expected_is_a_conflict(dw):
    set_curve(dw, CURVE, user=dw.users.city)
    with pytest.raises(ConflictError) as exc:
        set_curve(dw, ["100"] * 12, expected=EVEN)  # loaded before the city's save
    assert exc.value.message == "已被他人修改，请核对后重新保存"
    assert stored(dw.projects.own_county) == [D(v) for v in CURVE]


def test_scope_and_roles(dw):
    u = dw.users
    for user in (u.other_city, u.sibling):  # out of scope
        with pytest.raises(NotFound):
            set_curve(dw, CURVE, user=user)
    for user in (u.sysadmin, u.secadmin, u.auditor, u.leader):  # the administrators and a leader never write
        with pytest.raises(NotFound):
            set_curve(dw, CURVE, user=user)
    with pytest.raises(PermissionDenied):  # the owner sees and fills the project, but plans are the government's
        set_curve(dw, CURVE, user=u.enterprise)
    assert not MonthlyPlan.objects.exists()
    set_curve(dw, CURVE, user=u.department)


def test_the_refresh_moves_the_planned_to_date_of_open_months(dw):
    p = dw.projects.own_county
    for period in (dw.p1, dw.p2, dw.p3):
        facts_refresh(period=period)
    assert ProjectPeriodFact.objects.get(project=p, period=dw.p3).planned_ytd == D(300)
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    set_curve(dw, CURVE)
    assert ProjectPeriodFact.objects.get(project=p, period=dw.p3).planned_ytd == D(100)
    assert ProjectPeriodFact.objects.get(project=p, period=dw.p2).planned_ytd == D(100)
    assert ProjectPeriodFact.objects.get(project=p, period=dw.p1).planned_ytd == D(100)  # frozen, and the same anyway


def refreshes(monkeypatch):
    """The refresh_after calls made (the one refresh action)."""
    import keyprojects.analytics.refresh as refresh

    calls = []
    real = refresh.refresh_after
    monkeypatch.setattr(refresh, "refresh_after", lambda **kw: (calls.append(kw), real(**kw))[1])
    return calls


def test_the_default_spread_to_the_yuan_saved_unchanged_writes_nothing(dw, monkeypatch):
    p = dw.projects.own_county
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=D(1000))  # 83.3333 / 83.3334 a month
    state = plan_months(project=p, year=2026)
    shown = [str(v) for v in state.curve]
    assert any(v != v.quantize(D("0.01")) for v in state.curve) and state.total == D(1000)
    calls, events = refreshes(monkeypatch), AuditEvent.objects.count()
    result = set_curve(dw, shown, expected=shown)
    assert result.unchanged and not result.state.own and result.state.curve == state.curve
    assert stored(p) == [] and AuditEvent.objects.count() == events and calls == []
    # an own curve is also left alone when saved as it is
    own = ["83.3337"] + ["83.3333"] * 11
    assert not set_curve(dw, own, expected=shown).unchanged
    assert stored(p)[0] == D("83.3337") and len(calls) == 1  # one refresh: January to March (no later year)
    assert calls[0]["from_period"] == dw.p1 and not calls[0].get("only_period")
    events = AuditEvent.objects.count()
    assert set_curve(dw, own, expected=own).unchanged and AuditEvent.objects.count() == events and len(calls) == 1


def test_a_later_year_is_not_refreshed_for_a_plan_curve(dw, monkeypatch):
    import datetime as dt

    from keyprojects.dispatch.models import ReportingPeriod

    ReportingPeriod.objects.create(year=2027, month=1, fill_start=dt.date(2027, 2, 1), fill_end=dt.date(2027, 2, 10))
    calls = refreshes(monkeypatch)
    set_curve(dw, ["100", "100", "0", "200"] + ["100"] * 8)  # March is the first month changed
    assert [(c["from_period"], c["only_period"]) for c in calls] == [(dw.p3, True)]


def close(dw, *periods):
    for period in periods:
        PeriodClosure.objects.create(period=period, region_id="370100", closed_by=dw.users.city)


def test_closed_months_count_what_was_counted_after_the_plan_changed(dw):
    p = dw.projects.own_county
    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)  # 100 a month counted
    close(dw, dw.p1, dw.p2)
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=D(600))  # default now 50 a month
    state = plan_months(project=p, year=2026)
    assert state.curve[:3] == [D(100), D(100), D(50)] and state.base[0] == D(50)
    assert state.cumulative[:3] == [D(100), D(200), D(150)]  # open months: as the refresh measures them
    assert state.total == D(700) and state.closed_total == D(200) and not state.closed_over_plan
    assert state.moved_by_default == [1, 2]
    expected = [str(v) for v in state.curve]
    with pytest.raises(ValidationFailed) as exc:  # the counted value, not the new default
        set_curve(dw, ["50"] * 12, expected=expected)
    assert "1月已关账，分月计划须保持100.00万元" in exc.value.extra["fields"]["month_1"][0]
    with pytest.raises(ValidationFailed) as exc:  # as shown: 700 is not 600
        set_curve(dw, expected, expected=expected)
    assert "700.00" in exc.value.message and "600.00" in exc.value.message and "相差100.00万元" in exc.value.message
    state = set_curve(dw, ["100", "100"] + ["40"] * 10, expected=expected).state
    assert state.own and state.total == D(600) and stored(p)[:3] == [D(100), D(100), D(40)]
    with pytest.raises(ValidationFailed) as exc:  # back to the default would move the counted months
        monthly_plan_clear(user=dw.users.county, project=p, year=2026, expected=[str(v) for v in state.curve])
    assert "1月、2月已关账" in exc.value.message


def test_a_plan_below_the_closed_months_is_said_as_such(dw):
    p = dw.projects.own_county
    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)
    close(dw, dw.p1, dw.p2)
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=D(150))
    state = plan_months(project=p, year=2026)
    assert state.closed_over_plan and state.closed_total == D(200)
    expected = [str(v) for v in state.curve]
    with pytest.raises(ValidationFailed) as exc:
        set_curve(dw, ["100", "100"] + ["0"] * 10, expected=expected)
    assert "已关账月份已计入200.00万元，超过2026年年度计划投资150.00万元" in exc.value.message
    assert stored(p) == []
