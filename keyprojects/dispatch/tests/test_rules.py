"""The monthly rules (dispatch/rules.py) on plain values: the counting rule of ADR 0011."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from keyprojects.dispatch import rules

F = rules.MonthFigure


def test_drafts_and_returned_reports_count_nowhere():
    figures = [F(2026, 1, "draft", D(100)), F(2026, 2, "submitted", D(50)), F(2026, 3, "returned", D(7)), F(2025, 12, "approved", D(9))]
    assert rules.official(figures, year=2026, month=2, invested_before=D(300)) == rules.Cumulative(D(50), D(359))
    assert rules.official(figures, year=2026, month=4, invested_before=None) == rules.Cumulative(D(50), D(59))  # carried forward
    assert rules.counted_before(figures, year=2026, month=3) == (D(50), D(59))
    # the January draft states what it would make official; February its own official figure
    stated = rules.stated_all(figures, invested_before=D(0))
    assert [c.ytd for c in stated] == [D(100), D(50), D(57), D(9)]


statuses = st.sampled_from(["draft", "submitted", "returned", "approved"])


@given(st.dictionaries(st.integers(1, 12), st.tuples(statuses, st.decimals(0, 10**6, places=4)), max_size=12))
def test_running_ytd_is_the_official_figure_of_every_month(reports):
    figures = [F(2026, m, s, v) for m, (s, v) in reports.items()]
    counted = {m: v for m, (s, v) in reports.items() if rules.counts(s)}
    running = rules.running_ytd(counted)
    for month in range(1, 13):
        assert running[month] == rules.official(figures, year=2026, month=month, invested_before=None).ytd
    assert all(a <= b for a, b in itertools.pairwise(running))  # the official figure never falls


def test_board_state_and_frozen():
    end = dt.date(2026, 3, 5)
    state = rules.report_state
    assert state(status="draft", is_late=False, no_activity=False, fill_end=end, period_closed=True, today=dt.date(2026, 3, 1)) == "missing"
    assert state(status=None, is_late=False, no_activity=False, fill_end=end, period_closed=False, today=dt.date(2026, 3, 1)) == "not_due"
    assert state(status="approved", is_late=True, no_activity=True, fill_end=end, period_closed=False, today=end) == "no_activity"
    assert rules.is_frozen(period_closed=False, closed_codes={"370100"}, province_code="370000", city_code="370100")
    assert not rules.is_frozen(period_closed=False, closed_codes={"370200"}, province_code="370000", city_code="370100")
    assert rules.review_chain(top_level="province", city_level=True, chains={"province": ["county", "city", "province"]}) == [
        "city",
        "province",
    ]
    assert rules.zero_run({1: D(0), 2: D(0), 3: D(0)}, month=3, window=3) and not rules.zero_run({2: D(0), 3: D(0)}, month=3, window=3)


def test_stage_in_month_reads_the_stage_changes_dated_after_the_month():
    """The stage at a month's end is the stage left by the earliest change dated after it; changes
    without a from_stage (创建) or a date, and those up to the month's end, tell nothing."""
    nov, dec1, dec9, oct5 = dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 9), dt.date(2026, 10, 5)

    def at(stage, moves=(), start=None, done=None, end=nov):
        return rules.stage_in_month(stage, actual_start=start, actual_completion=done, month_end=end, moves=moves)

    assert at("suspended", [(dec1, "construction")], start=oct5) == "construction"  # suspended on the 1st: not yet in November
    assert at("suspended", [(dec1, "construction")], start=oct5, end=dt.date(2026, 12, 31)) == "suspended"
    assert at("cancelled", [(dec9, "preparation")]) == "preparation"
    assert at("cancelled", [(nov, "preparation")]) == "cancelled"  # on the month's last day: in it by its end
    # suspended on the 1st, cancelled on the 9th: the earliest after the month tells
    assert at("cancelled", [(oct5, "preparation"), (dec1, "construction"), (dec9, "suspended")], start=oct5) == "construction"
    assert at("cancelled", [(oct5, "preparation"), (dec1, "construction"), (dec9, "suspended")], start=oct5, end=dec1) == "suspended"
    # 创建 (no from_stage) and an undated change are ignored; without changes, the stage now
    assert at("effective", [(dec1, ""), (None, "production")], start=oct5, done=oct5) == "effective"
    assert at("production") == at("production", ()) == "production"
    # 投产 after 竣工: 竣工 until the day of 投产, 开工建设 before the completion
    moves = [(dt.date(2026, 3, 2), "preparation"), (dt.date(2026, 9, 20), "construction"), (dec9, "completed")]
    dates = {"start": dt.date(2026, 3, 2), "done": dt.date(2026, 9, 20)}
    assert [at("production", moves, end=rules.month_end(2026, m), **dates) for m in (2, 3, 9, 11, 12)] == [
        "preparation", "construction", "completed", "completed", "production",
    ]  # fmt: skip
    # the dates still apply to the stage then (a change recorded without the earlier ones)
    assert at("suspended", [(dec1, "construction")], start=dec1) == "preparation"
    assert at("effective", [(dec9, "production")], start=oct5, done=dec1) == "construction"


def test_a_change_did_not_happen_after_one_entered_after_it():
    """Registered today (谋划储备), moved to 前期手续 today (the form's default) and then to 开工建设
    on its real 实际开工 of last year: it was under construction in the months before today, not
    谋划储备. Of changes on one day, the first entered tells the stage before that day."""
    today, started = dt.date(2026, 12, 7), dt.date(2025, 3, 15)
    moves = [(today, "reserve"), (started, "preparation")]
    for end in (dt.date(2026, 11, 30), dt.date(2025, 3, 31)):
        assert rules.stage_in_month("construction", actual_start=started, actual_completion=None, month_end=end, moves=moves) == (
            "construction"
        )
    assert (
        rules.stage_in_month("construction", actual_start=started, actual_completion=None, month_end=dt.date(2025, 2, 28), moves=moves)
        == "reserve"
    )  # fmt: skip  (before both: 前期手续 came by the start)
    same_day = [(today, "preparation"), (today, "construction")]  # 开工 and 停缓建 entered on one day
    assert rules.stage_in_month("suspended", actual_start=None, actual_completion=None, month_end=dt.date(2026, 11, 30),
                                moves=same_day) == "preparation"  # fmt: skip


days = st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))


@given(st.lists(st.tuples(days, st.sampled_from(["reserve", "preparation", "suspended"])), max_size=6), days)
def test_stage_in_month_is_the_stage_left_by_the_next_change(moves, end):
    """Changes entered in the order of their days (the usual history): the stage at a month's end
    is the from_stage of the first change after it, else the stage now."""
    moves = sorted(moves, key=lambda m: m[0])
    got = rules.stage_in_month("cancelled", actual_start=None, actual_completion=None, month_end=end, moves=moves)
    later = [m for m in moves if m[0] > end]
    assert got == (later[0][1] if later else "cancelled")


# --- stage changes and frozen months ----------------------------------------------------------


def test_first_open_day_is_the_day_after_the_latest_frozen_month() -> None:
    assert rules.first_open_day([]) is None
    assert rules.first_open_day([(2026, 10)]) == dt.date(2026, 11, 1)
    assert rules.first_open_day([(2026, 9), (2026, 12), (2026, 10)]) == dt.date(2027, 1, 1)
    assert rules.first_open_day(iter([(2024, 2)])) == dt.date(2024, 3, 1)  # leap February


def test_stage_change_allowed_only_after_the_latest_frozen_month() -> None:
    frozen = [(2026, 9), (2026, 10)]
    assert rules.stage_change_allowed(dt.date(2026, 11, 1), frozen)
    assert rules.stage_change_allowed(dt.date(2026, 12, 8), frozen)
    assert not rules.stage_change_allowed(dt.date(2026, 10, 31), frozen)  # the month's last day is in it
    assert not rules.stage_change_allowed(dt.date(2026, 10, 1), frozen)
    assert not rules.stage_change_allowed(dt.date(2025, 3, 5), frozen)  # before a closed month
    assert rules.stage_change_allowed(dt.date(2020, 1, 1), [])  # nothing closed


@given(st.lists(st.tuples(st.integers(2000, 2100), st.integers(1, 12)), max_size=5), st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)))
def test_stage_change_allowed_agrees_with_stage_in_month(frozen: list[tuple[int, int]], on: dt.date) -> None:
    """A change is allowed exactly when it moves no frozen month's stage (``stage_in_month``
    before and after a suspension dated ``on`` is recorded)."""

    def stage(now: str, moves: list[rules.Move], month: tuple[int, int]) -> str:
        return rules.stage_in_month(now, actual_start=None, actual_completion=None, month_end=rules.month_end(*month), moves=moves)

    moved = any(stage("construction", [], m) != stage("suspended", [(on, "construction")], m) for m in frozen)
    assert rules.stage_change_allowed(on, frozen) == (not moved)
