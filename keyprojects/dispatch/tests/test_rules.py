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
