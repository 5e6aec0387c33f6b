"""A month's facts and warnings use the project's stage at that month's end
(dispatch.rules.stage_in_month), not its stage today: found on the demo data, where a project
that started in September was counted 开工建设 in January's figures (and warned 连续零投资 for the
months before it started), and one completed in October was 竣工 all year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
from keyprojects.dispatch.services import report_save, report_submit


def test_stage_in_month_follows_the_dates():
    end = dt.date(2026, 2, 28)

    def at(stage: str, start: dt.date | None = None, done: dt.date | None = None) -> str:
        return rules.stage_in_month(stage, actual_start=start, actual_completion=done, month_end=end)

    march, feb, jan = dt.date(2026, 3, 2), dt.date(2026, 2, 28), dt.date(2026, 1, 10)
    assert at("construction", march) == "preparation"  # started after the month: still 前期手续
    assert at("construction", feb) == "construction"  # started by its last day
    assert at("completed", jan, march) == "construction" and at("production", jan, march) == "construction"
    assert at("production", march, dt.date(2026, 9, 1)) == "preparation"
    assert at("completed", jan, feb) == "completed" and at("production", jan, feb) == "production"  # (投产's day: not stored)
    assert at("suspended", march) == "preparation" and at("suspended", jan) == "suspended"
    assert at("construction") == "construction" and at("reserve") == "reserve" and at("preparation") == "preparation"


def submit(dw, project, period, amount):
    su = dw.users.superuser
    report = report_save(user=su, project=project, period=period, data={"invested_month": amount})
    report_submit(user=su, report=report, reasons=EXPLAINED)


@pytest.mark.django_db
def test_a_month_is_counted_in_the_stage_the_project_had_then(dw):
    DispatchConfig.objects.update(zero_months=2)
    late = ProjectFactory(
        name="三月开工项目", stage="construction", planned_start=dt.date(2026, 1, 15), actual_start=dt.date(2026, 3, 5),
        total_investment=9000, plan=(2026, 900, "province"),
    )  # fmt: skip
    done = ProjectFactory(
        name="三月竣工项目", stage="completed", nature="completing", actual_start=dt.date(2024, 5, 1),
        actual_completion=dt.date(2026, 3, 20), total_investment=9000, plan=(2026, 300, "province"),
    )  # fmt: skip
    for period in (dw.p1, dw.p2):  # nothing invested before the start; the other one works on
        submit(dw, late, period, "0")
        submit(dw, done, period, "0")
    submit(dw, late, dw.p3, "120")
    submit(dw, done, dw.p3, "50")
    refresh_periods(periods=[dw.p1, dw.p2, dw.p3])

    def fact(project, period):
        return ProjectPeriodFact.objects.get(project=project, period=period)

    def kinds(project, period):
        return set(ProjectWarning.objects.filter(project=project, period=period).values_list("kind", flat=True))

    # January and February: 前期手续 (due, not started) and 开工建设; March: as they are now
    assert [fact(late, p).stage for p in (dw.p1, dw.p2, dw.p3)] == ["preparation", "preparation", "construction"]
    assert [fact(done, p).stage for p in (dw.p1, dw.p2, dw.p3)] == ["construction", "construction", "completed"]
    assert all(fact(late, p).report_due and not fact(late, p).started for p in (dw.p1, dw.p2))
    # the start was overdue in February (planned for January); its zeros before the start are no 连续零投资
    assert "start_overdue" in kinds(late, dw.p2) and "zero_investment" not in kinds(late, dw.p2)
    assert "start_overdue" not in kinds(late, dw.p3)
    # the other one built through two months of nothing invested: 连续零投资 then, not now it is 竣工
    assert "zero_investment" in kinds(done, dw.p2)
    # the dashboard's 按阶段 of February counts them in their stages of February
    feb = dict(DimensionPeriodSummary.objects.filter(period=dw.p2, region_id="370000", dimension="stage").values_list("key", "projects"))
    assert feb.get("completed", 0) == 0
    assert feb["preparation"] == ProjectPeriodFact.objects.filter(period=dw.p2, stage="preparation").count() >= 1
    assert fact(done, dw.p3).invested_ytd == D(50)
