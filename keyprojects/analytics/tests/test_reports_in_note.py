"""User trial: the home page's headline said "落后序时进度67.02个百分点" while its 预警 box said
"0 个项目落后序时进度超过10个百分点". Both are right: the month's reports were not in, so no
project is judged lagging (``dispatch.rules.lag_measured``) while the headline sets the carried
cumulative figures against the month's 序时进度. The home dashboard and a leader's page now say
so beside the headline while some of the month's reports due are missing (figures unchanged)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyprojects.analytics.dashboard import ReportsIn

from .test_dashboard import approve, dashboard_world, refresh

NOTE = 'data-testid="reports-incomplete"'


@pytest.fixture
def hw(dw):
    w = dashboard_world(dw)  # January: 历下, 市中 and 市本级 approved; 槐荫 and 青岛 not
    refresh(w.p2)  # February: nobody has reported, the figures are carried forward
    return w


def page(client, user, url):
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200
    return r, r.content.decode()


def test_the_home_page_says_the_months_reports_are_not_all_in(client, hw):
    # an enterprise contact: the facts of its own project
    r, html = page(client, hw.users.enterprise, "/?period=2026-02")
    assert r.context["board"].source == "facts" and r.context["board"].reports == ReportsIn(due=1, reported=0)
    assert NOTE in html and "本期月报已报0/1，未报项目沿用上月累计，不判断是否落后" in html
    assert r.context["board"].totals.lagging == 0  # (the figures themselves are as before)
    r, html = page(client, hw.users.enterprise, "/?period=2026-01")
    assert r.context["board"].reports == ReportsIn(due=1, reported=1) and NOTE not in html

    # a city: the summaries
    r, html = page(client, hw.users.city, "/?period=2026-01")
    assert r.context["board"].source == "summary" and r.context["board"].reports == ReportsIn(due=4, reported=3)
    assert "本期月报已报3/4" in html
    approve(hw, hw.huaiyin, hw.p1, "50")
    refresh(hw.p1)
    r, html = page(client, hw.users.city, "/?period=2026-01")
    assert r.context["board"].reports == ReportsIn(due=4, reported=4) and NOTE not in html


def test_a_leaders_page_says_the_months_reports_are_not_all_in(client, hw):
    url = reverse("projects:leader_detail", args=[hw.leader.pk])
    r, html = page(client, hw.users.leader, f"{url}?period=2026-02")
    assert r.context["fig"] is not None and r.context["reports"] == ReportsIn(due=1, reported=0)
    assert NOTE in html and "本期月报已报0/1" in html
    r, html = page(client, hw.users.leader, f"{url}?period=2026-01")
    assert r.context["reports"] == ReportsIn(due=1, reported=1) and NOTE not in html


def test_the_note_in_english(client, hw, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _r, html = page(client, hw.users.enterprise, "/?period=2026-02")
    note = html[html.index(NOTE) :]
    note = note[note.index(">") + 1 : note.index("</div>")]
    assert "0/1" in note and "本期" not in note
