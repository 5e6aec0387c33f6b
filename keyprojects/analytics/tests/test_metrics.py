"""The formulas of domain.md §3 pinned on worked examples."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from keyprojects.analytics import metrics as m


def test_worked_example_ahead_and_behind():
    # annual plan 1200万元; Jan..Jun 100, 50, 150, 200, 100, 100 → ytd 700
    months = [D(100), D(50), D(150), D(200), D(100), D(100)]
    ytd = m.invested_ytd(months)
    assert ytd == D(700)
    rate = m.completion_rate(ytd, D(1200))
    assert rate == D("0.5833")
    assert m.time_progress(6) == D("0.5000")
    assert m.ahead_points(rate, 6) == D("8.33")
    assert m.schedule_phrase(m.ahead_points(rate, 6)) == "超序时进度8.33个百分点"
    # the same ytd after 9 months is behind: 58.33% − 75% = −16.67 points
    assert m.ahead_points(rate, 9) == D("-16.67")
    assert m.schedule_phrase(D("-16.67")) == "落后序时进度16.67个百分点"


def test_exactly_on_schedule_is_zero_points():
    assert m.ahead_points(m.completion_rate(D(600), D(1200)), 6) == D("0.00")
    assert m.schedule_phrase(D("0.00")) == "与序时进度持平"


def test_points_have_thousands_separators():
    # a 元/万元 slip of 10,680,000 against a plan of 13,072 (the fill page's live check)
    points = m.ahead_points(m.completion_rate(D(10693096), D(13072)), 11)
    assert points == D("81709.86")
    assert m.schedule_phrase(points) == "超序时进度81,709.86个百分点"
    assert m.schedule_phrase_zh(-points) == "落后序时进度81,709.86个百分点"


def test_ratios_without_denominator_are_none():
    assert m.completion_rate(D(10), D(0)) is None
    assert m.ahead_points(None, 3) is None
    assert m.start_rate(0, 0) is None
    assert m.schedule_phrase(None) == "无年度计划"


def test_rates():
    assert m.start_rate(45, 60) == D("0.7500")
    assert m.completion_production_rate(7, 8) == D("0.8750")
    assert m.on_time_rate(19, 20) == D("0.9500")
    assert m.as_percent(D("0.5630")) == D("56.30")


def test_plan_curve_and_progress_index():
    curve = m.spread_plan(D(1000), [1] * 12)
    # each month is the difference of the rounded 序时计划: any first N months add up to it exactly
    assert sum(curve) == D(1000) and curve[0] == D("83.3333") and curve[1] == D("83.3334") and curve[11] == D("83.3333")
    assert m.planned_ytd(curve, 6) == m.planned_to_date(D(1000), [1] * 12, 6) == D("500.0000")
    seasonal = m.spread_plan(D(1200), [0, 0, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0])
    assert seasonal[:2] == [D(0), D(0)] and sum(seasonal) == D(1200)
    planned = m.planned_ytd(seasonal, 6)
    assert planned == D(800)  # Mar..Jun at 200 each
    assert m.progress_index(D(700), planned) == D("0.8750")  # < 0.9: a warning


def test_time_progress_bounds():
    with pytest.raises(ValueError):
        m.time_progress(0)
    assert m.time_progress(12) == D("1.0000")
