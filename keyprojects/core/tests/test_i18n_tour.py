"""What the English UI tour found still in Chinese: the 序时进度 phrase and the reporting
periods ("2026年11月"); the Chinese output stays as it was (tests and bulletins pin it)."""

from __future__ import annotations

from decimal import Decimal as D

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from keyprojects.analytics import metrics
from keyprojects.core.money import Period, format_period
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import ProjectWarning

from .test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)


def test_schedule_phrase_speaks_the_active_language(compiled):  # noqa: F811
    with translation.override("zh-hans"):
        assert metrics.schedule_phrase(D("8.33")) == "超序时进度8.33个百分点"
        assert metrics.schedule_phrase(D("-16.67")) == "落后序时进度16.67个百分点"
        assert metrics.schedule_phrase(D("0.00")) == "与序时进度持平"
        assert metrics.schedule_phrase(None) == "无年度计划"
    with translation.override("en"):
        assert metrics.schedule_phrase(D("8.33")) == "8.33 percentage points ahead of schedule"
        assert metrics.schedule_phrase(D("-16.67")) == "16.67 percentage points behind schedule"
        assert metrics.schedule_phrase(D("0.00")) == "On schedule"
        assert metrics.schedule_phrase(None) == "No annual plan"
        # what is stored (a warning's message) and the bulletin stay Chinese
        assert metrics.schedule_phrase_zh(D("-16.67")) == "落后序时进度16.67个百分点"


def test_a_period_is_shown_in_the_active_language(compiled):  # noqa: F811
    t = Template("{{ p|yearmonth }}")
    with translation.override("zh-hans"):
        assert format_period(Period(2026, 11)) == "2026年11月"
        assert t.render(Context({"p": Period(2026, 1)})) == "2026年1月"
    with translation.override("en"):
        assert format_period(Period(2026, 11)) == "Nov 2026"
        assert t.render(Context({"p": Period(2026, 1)})) == "Jan 2026"
    assert format_period(None) == ""


def test_the_warnings_page_shows_periods_and_the_lag_in_english(compiled, client, dw):  # noqa: F811
    p = dw.projects.own_county
    with translation.override("zh-hans"):
        message = metrics.schedule_phrase_zh(D("-12"))
    ProjectWarning.objects.create(project=p, period=dw.p2, kind=WarningKind.BEHIND_SCHEDULE, message=message, value=D("-12"))
    client.force_login(dw.users.city)
    zh = client.get(reverse("dispatch:warnings")).content.decode()
    assert "2026年2月" in zh and "Feb 2026" not in zh
    _switch_to_english(client)
    en = client.get(reverse("dispatch:warnings")).content.decode()
    assert "Feb 2026" in en and "2026年2月" not in en  # the row and the period filter's choices
    # the stored 落后序时进度 message is said again from its figure in English, unchanged in Chinese
    assert "12.00 percentage points behind schedule" in en and "落后序时进度" not in en
    assert message in zh


def test_report_and_index_warnings_are_said_again_in_english(compiled):  # noqa: F811
    """未报, 迟报 and 进度指数 follow from the period and the figures: said in the active language
    (every kind: dispatch/tests/test_warning_text.py); a message that reads as none of its kind's
    sentences stays as stored."""
    missing = ProjectWarning(kind=WarningKind.MISSING_REPORT, message="2026年2月月报未报送")
    late = ProjectWarning(kind=WarningKind.LATE_REPORT, message="2026年11月月报迟报")
    index = ProjectWarning(kind=WarningKind.LOW_PROGRESS_INDEX, message="进度指数0.89，低于0.90", value=D("0.8999"))
    other = ProjectWarning(kind=WarningKind.START_OVERDUE, message="计划开工，至今未开工")
    with translation.override("zh-hans"):
        assert [w.shown_message for w in (missing, late, index, other)] == [w.message for w in (missing, late, index, other)]
    with translation.override("en"):
        assert missing.shown_message == "Monthly report for Feb 2026 not submitted"
        assert late.shown_message == "Monthly report for Nov 2026 submitted late"
        assert index.shown_message == "Progress index 0.89, below 0.90"
        assert other.shown_message == other.message
