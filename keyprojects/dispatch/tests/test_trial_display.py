"""Findings of the user trial on the monthly report pages: the refusal for want of reasons in the
page's language, the filler's role in the history, grouped figures, the board's state after the
fill window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone

from keyprojects.core.templatetags.kp import pct
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import MonthlyReport, ReportingPeriod, ReportStep
from keyprojects.dispatch.tests.test_plausibility import fill_url, history  # noqa: F401  (the fixture)
from keyprojects.projects.models import ProjectYear


def test_a_submission_refused_for_want_of_reasons_reads_in_the_pages_language(compiled, history, client):  # noqa: F811
    dw = history
    client.force_login(dw.users.county_clerk)
    page = client.post(fill_url(dw), {"invested_month": "350", "version": 0, "action": "submit"}).content.decode()
    assert "以下校验提示须填写说明后才能提交：本月完成投资350万元与以往月份" in page  # Chinese as before
    _switch_to_english(client)
    r = MonthlyReport.objects.get(project=dw.project, period=dw.p4)
    page = client.post(fill_url(dw), {"invested_month": "350", "version": r.version, "action": "submit"}).content.decode()
    page = page.replace("&#x27;", "'")
    assert "Explain these check warnings before submitting: This month's investment (350, 10k CNY)" in page
    assert "(usually about 32, 10k CNY)" in page
    assert "须填写说明" not in page and "以往月份" not in page


def test_a_steps_level_is_a_label_also_for_the_enterprise_role(history, client):  # noqa: F811
    dw = history
    r = MonthlyReport.objects.filter(project=dw.project).order_by("period__month").first()
    assert r is not None
    ReportStep.objects.create(report=r, action="submit", level="enterprise", actor=dw.users.county_clerk)
    assert ReportStep(level="enterprise").level_label == "企业联系人" and ReportStep(level="county").level_label == "县级"
    client.force_login(dw.users.county)
    for url in (
        reverse("dispatch:report", kwargs={"pk": r.pk}),
        reverse("dispatch:fill", kwargs={"period": r.period.label, "project_pk": dw.project.pk}),
    ):
        page = client.get(url).content.decode()
        assert "· 企业联系人" in page and "· enterprise" not in page and "· 县级" in page, url


def test_percentages_and_counts_have_thousands_separators(compiled, history, client, monkeypatch):  # noqa: F811
    assert pct(D("1249.59")) == "1,249.59" and pct(D("15.9")) == "15.90" and pct(None) == ""
    dw = history
    ProjectYear.objects.update_or_create(project=dw.project, year=2026, defaults={"annual_plan": D(30)})
    client.force_login(dw.users.county_clerk)
    preview = reverse("dispatch:fill_preview", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    page = client.get(preview, {"invested_month": "350"}, HTTP_HX_REQUEST="true").content.decode()
    assert "完成 1,490.00%" in page  # (30 + 35 + 32 + 350) / 30
    client.force_login(dw.users.city)
    monkeypatch.setattr(Paginator, "count", property(lambda self: 3000, lambda self, value: None))
    page = client.get(reverse("dispatch:warnings")).content.decode()
    assert "共 <strong>3,000</strong> 条预警" in page
    _switch_to_english(client)
    page = client.get(reverse("dispatch:warnings")).content.decode()
    assert "<strong>3,000</strong> warnings" in page


def test_the_board_says_when_the_fill_window_is_over(compiled, history, client):  # noqa: F811
    dw = history
    today = timezone.localdate()
    assert rules.fill_ended(fill_end=today - dt.timedelta(days=2), today=today)
    assert not rules.fill_ended(fill_end=today, today=today)
    ReportingPeriod.objects.filter(pk=dw.p4.pk).update(fill_start=today - dt.timedelta(days=6), fill_end=today - dt.timedelta(days=2))
    client.force_login(dw.users.city)
    board = reverse("dispatch:board", kwargs={"period": "2026-04"})
    page = client.get(board).content.decode()
    assert "填报已截止，待关账" in page and ">填报中<" not in page
    _switch_to_english(client)
    page = client.get(board).content.decode()
    assert "Reporting closed, awaiting close" in page and "Open for reporting" not in page
    ReportingPeriod.objects.filter(pk=dw.p4.pk).update(fill_start=today, fill_end=today + dt.timedelta(days=3))
    page = client.get(board).content.decode()
    assert "Reporting closed" not in page
    assert ReportingPeriod.objects.get(pk=dw.p4.pk).status_label == "Open for reporting"
