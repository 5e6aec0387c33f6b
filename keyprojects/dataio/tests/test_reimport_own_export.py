"""The app's own 月调度 export imported back (found in a trial): its 1-N月累计 columns are the
official figures (ADR 0011), so a draft's or an unreported project's row carries last month's
cumulative, not a report of its own. Read as a report, it overwrote a typed draft with 0 and
created 0-investment reports for unreported projects. Such rows (填报状态 未报/草稿/已退回) are read
by their 本月 only, each with a warning; a row without a 本月 leaves the project alone."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from keyprojects.analytics.refresh import refresh_periods
from keyprojects.dataio.services import import_file
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import report_save

pytestmark = pytest.mark.django_db


def test_the_month_export_imported_back_leaves_drafts_and_unreported_projects_alone(dw, client):
    p = dw.projects.own_county
    report_save(user=dw.users.county, project=p, period=dw.p1, data={"invested_month": "2620"})
    refresh_periods(periods=[dw.p1])  # the official figures the export's cumulative columns show
    before = set(MonthlyReport.objects.values_list("project_id", "status", "invested_month"))
    client.force_login(dw.users.city)
    data = client.get(reverse("dispatch:grid_export", kwargs={"period": dw.p1.label})).content

    preview = import_file(user=dw.users.city, data=data, filename="月调度.xlsx", dry_run=True)
    said = [w.message for w in preview.warnings if w.column == "填报状态"]
    assert any("填报状态为“草稿”" in m and "按本月完成投资导入" in m for m in said), said
    assert sum("填报状态为“未报”" in m and "未导入月报" in m for m in said) == 2, said  # 市中区, 济南市本级
    assert not any("填报状态" in w.value for w in preview.warnings if "未使用" in w.message)  # the column is read

    outcome = import_file(user=dw.users.city, data=data, filename="月调度.xlsx")
    assert outcome.written, [e.message for e in outcome.errors]
    after = set(MonthlyReport.objects.values_list("project_id", "status", "invested_month"))
    assert {pid for pid, *_ in after} == {pid for pid, *_ in before}  # no report made for an unreported project
    draft = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert draft.invested_month == D(2620)  # the typed figure, never 0
