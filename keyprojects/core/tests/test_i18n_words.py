"""The English UI says three things one way: a month range (1-N月累计 = "year to date", 1-3月累计 =
"cumulative to month 3"), the money units (万元 = "10k CNY", 亿元 = "100M CNY") and dates (a month
"Mar 2026", a month of the year "Mar", a day "2026-03-15"). The Chinese stays as it was."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from keyprojects.attraction.selectors import _group_key
from keyprojects.core.money import Period, format_month

from .test_i18n import PO, _switch_to_english, compiled, parse_po  # noqa: F401  (the module fixture)


@pytest.fixture(scope="module")
def po():
    return [e for e in parse_po(PO) if e["msgid"]]


def _strs(e: dict) -> list[str]:
    return [s for s in e["msgstr"] if s]


def _quoted(text: str) -> str:
    """``text`` without what it quotes (a column name in a file, “投资盘子（亿元）”, stays Chinese)."""
    return re.sub(r"“[^”]*”", "", text)


def test_money_units_are_said_one_way(po):
    for e in po:
        for s in _strs(e):
            assert not re.search(r"10k yuan|10,000 yuan|ten thousand|100 million|100M yuan|\bRMB\b", s, re.I), (e["msgid"], s)
            if "万元" in _quoted(e["msgid"]):
                assert "10k CNY" in s, (e["msgid"], s)
            if "亿元" in _quoted(e["msgid"]):
                assert "100M CNY" in s, (e["msgid"], s)


def test_month_ranges_are_said_one_way(po):
    for e in po:
        for s in _strs(e):
            assert not re.search(r"months 1-%|January|month N\b", s), (e["msgid"], s)
            if "1-N月累计" in e["msgid"]:
                assert re.search(r"year[ -]to[ -]date", s, re.I), (e["msgid"], s)
            elif re.search(r"1-%\(\w+\)s月(累计)?", e["msgid"]) and "累计" in e["msgid"]:
                assert re.search(r"cumulative (figure )?to month %\(", s, re.I), (e["msgid"], s)


def test_months_and_days_in_the_active_language(compiled):  # noqa: F811
    day = Template("{{ d }}")
    with translation.override("zh-hans"):
        assert format_month(3) == "3月" and format_month(11) == "11月"
        assert day.render(Context({"d": dt.date(2026, 3, 15)})) == "2026年3月15日"
        assert _group_key({"obtained_on": dt.date(2026, 3, 5)}, "period") == ("2026-03", "2026年3月")
        assert _group_key({"leader_id": None, "leader__name": None}, "leader") == (None, "（未指定）")
    with translation.override("en"):
        assert format_month(3) == "Mar" and format_month(11) == "Nov"
        assert day.render(Context({"d": dt.date(2026, 3, 15)})) == "2026-03-15"
        assert day.render(Context({"d": dt.datetime(2026, 3, 15, 14, 30)})) == "2026-03-15 14:30"
        assert _group_key({"obtained_on": dt.date(2026, 3, 5)}, "period") == ("2026-03", "Mar 2026")
        assert _group_key({"leader_id": None, "leader__name": None}, "leader") == (None, "(not assigned)")


def test_the_corrections_note_names_the_month_in_the_active_language(compiled):  # noqa: F811
    c = SimpleNamespace(
        pk=1, project_id=1, project_name="历下区项目", region_name="历下区", period_name="2026年2月", period=Period(2026, 2),
        requested_by="a", decided_by="b", decided_at=None, reason="", changes=[],
    )  # fmt: skip
    with translation.override("zh-hans"):
        zh = render_to_string("analytics/includes/corrections.html", {"corrections": [c]})
    with translation.override("en"):
        en = render_to_string("analytics/includes/corrections.html", {"corrections": [c]})
    assert "2026年2月" in zh
    assert "Feb 2026" in en and "2026年2月" not in en


def test_fill_pages_say_the_month_and_the_range_in_english(compiled, client, dw):  # noqa: F811
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    fill = reverse("dispatch:fill", kwargs={"period": dw.p3.label, "project_pk": p.pk})
    grid = reverse("dispatch:grid", kwargs={"period": dw.p3.label})
    tasks = reverse("dispatch:tasks") + "?period=2026-03"
    zh = {u: client.get(u).content.decode() for u in (fill, grid, tasks)}
    assert "2026年3月月报" in zh[fill] and "1-3月累计完成投资" in zh[fill]
    assert "2026年3月 批量填报" in zh[grid] and "1-3月累计" in zh[grid]
    assert re.search(r"2026年3月调度 · 填报时间 \d{4}年\d{1,2}月\d{1,2}日 至 \d{4}年\d{1,2}月\d{1,2}日", zh[tasks])

    _switch_to_english(client)
    en = {u: client.get(u).content.decode() for u in (fill, grid, tasks)}
    assert "Monthly report Mar 2026" in en[fill] and "Investment completed, cumulative to month 3" in en[fill]
    assert "Batch reporting Mar 2026" in en[grid] and "Cumulative to month 3" in en[grid]
    assert re.search(r"Dispatch Mar 2026 · reporting from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", en[tasks])
    for page in en.values():
        assert not re.search(r"\d年|\d月|1-\d|10k yuan", page)
