"""The app's own 月调度 export imported back (found in a trial): its 1-N月累计 columns are the
official figures (ADR 0011), so a draft's or an unreported project's row carries last month's
cumulative, not a report of its own. Read as a report, it overwrote a typed draft with 0 and
created 0-investment reports for unreported projects. Such rows (填报状态 未报/草稿/已退回) are read
by their 本月 only, each with a warning; a row without a 本月 leaves the project alone."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.analytics.refresh import refresh_periods
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the fixture)
from keyprojects.core.xlsx import ytd_header
from keyprojects.dataio.parsing import parse_file
from keyprojects.dataio.services import import_file
from keyprojects.dataio.synonyms import map_header
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


# --- the project list (/projects/export.xlsx) and the other lists with a 1-N月累计 -------------------
#
# Found in a trial: the project list's 1-N月累计 of the chosen month was headed "累计完成投资（万元）",
# which the importer reads, as it reads other offices' lists, as 开工至今累计 (domain.md §5). Its
# headers now name what each column holds ("2026年1-2月累计完成投资（万元）", core.xlsx.ytd_header),
# and its 填报状态 says when that 累计 is last month's carried forward (未报, 草稿): the list imported
# back is read as it was written and changes no figure.

PROJECT_EXPORT_FIELDS = {  # header as exported → the field the importer reads it as (None: not imported)
    "序号": "seq",
    "项目名称": "name",
    "项目代码": "project_code",
    "所属区域": "region_text",
    "建设单位": "owner_name",
    "项目类别": "category",
    "建设性质": "nature",
    "项目阶段": "stage_text",
    "总投资（万元）": "total_investment",
    "2026年度计划投资（万元）": "annual_plan",
    "填报状态": "report_status",
    "2026年1-2月累计完成投资（万元）": "invested_ytd",
    "完成率（%）": "completion_rate",
    "较序时进度（百分点）": None,  # a derived figure: said unused in the preview
    "计划开工": "planned_start",
    "计划竣工": "planned_completion",
    "责任单位": "responsible_unit",
    "包保领导": "sponsor_leader",
    "建设地点": "location",
    "已纳统": "in_statistics",
}


def _figures() -> dict[str, Any]:
    """Every stored figure an import could move: the reports, the projects' amounts, the year
    plans and the facts."""
    from keyprojects.analytics.models import ProjectPeriodFact
    from keyprojects.projects.models import Project, ProjectYear

    return {
        "reports": set(
            MonthlyReport.objects.values_list(
                "project_id", "period_id", "status", "invested_month", "invested_ytd", "invested_to_date", "version"
            )
        ),
        "projects": set(Project.objects.values_list("pk", "total_investment", "invested_before", "version")),
        "plans": set(ProjectYear.objects.values_list("project_id", "year", "annual_plan")),
        "facts": set(
            ProjectPeriodFact.objects.values_list("project_id", "period_id", "invested_month", "invested_ytd", "invested_to_date")
        ),
    }


@pytest.fixture
def listed(dw):
    """January approved for Jinan's three projects; in February 历下 approved (its own 1-2月累计
    150), 市中 a typed draft (its 累计 the January 200 carried), 济南市本级 not reported (80 carried)."""
    from keyprojects.dataio.tests.test_export_roundtrip import approve

    own, sibling, city = dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level
    for project, amount in ((own, "100"), (sibling, "200"), (city, "80")):
        approve(dw, project, dw.p1, amount)
    approve(dw, own, dw.p2, "50")
    report_save(user=dw.users.superuser, project=sibling, period=dw.p2, data={"invested_month": "2620"})
    refresh_periods(periods=[dw.p1, dw.p2])
    return dw


def _sheet(content: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    ws = load_workbook(BytesIO(content)).active
    header = [c.value for c in ws[2]]
    return header, [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]


def test_the_project_list_imported_back_reads_every_column_as_what_it_holds(listed, client):
    client.force_login(listed.users.city)
    data = client.get(reverse("projects:export"), {"period": "2026-02"}).content
    header, rows = _sheet(data)
    assert header == list(PROJECT_EXPORT_FIELDS)
    by_name = {r["项目名称"]: r for r in rows}
    ytd = "2026年1-2月累计完成投资（万元）"
    assert [(by_name[n]["填报状态"], by_name[n][ytd]) for n in ("历下区项目", "市中区项目", "济南市本级项目")] == [
        ("已审定", 150),
        ("草稿", 200),
        ("未报", 80),
    ]

    (parsed,) = parse_file(data, filename="重点项目清单.xlsx")
    assert parsed.period == (2026, 2) and parsed.plan_year == 2026  # the month of the 1-N月累计, the plan's year
    assert parsed.columns == {f: h for h, f in PROJECT_EXPORT_FIELDS.items() if f}
    assert parsed.unmapped_columns == ["较序时进度（百分点）"]
    assert "invested_to_date" not in parsed.columns  # no column is read as 开工至今累计
    values = {r.values["name"]: r.values for r in parsed.rows}
    assert values["历下区项目"]["invested_ytd"] == D(150) and values["历下区项目"]["annual_plan"] == D(1200)

    before = _figures()
    preview = import_file(user=listed.users.city, data=data, filename="重点项目清单.xlsx", dry_run=True)
    assert not preview.errors, [e.message for e in preview.errors]
    assert preview.period == (2026, 2) and preview.reports_created == preview.reports_updated == 0
    carried = [w for w in preview.warnings if w.column == "填报状态"]
    assert len(carried) == 2 and all("累计数是此前正式数字的结转" in w.message for w in carried)  # 草稿, 未报
    assert [w.value for w in preview.warnings if "未使用" in w.message or "未能对应" in w.message] == ["较序时进度（百分点）"]

    outcome = import_file(user=listed.users.city, data=data, filename="重点项目清单.xlsx")
    assert outcome.written and outcome.reports_created == outcome.reports_updated == 0
    assert _figures() == before  # no figure changed: the draft keeps its 2620, no 0 report for 济南市本级
    assert MonthlyReport.objects.get(project=listed.projects.sibling_county, period=listed.p2).invested_month == D(2620)


def test_the_project_list_is_the_same_chinese_list_from_the_english_ui(compiled, listed, client):  # noqa: F811
    client.force_login(listed.users.city)
    chinese = _sheet(client.get(reverse("projects:export"), {"period": "2026-02"}).content)
    _switch_to_english(client)
    assert _sheet(client.get(reverse("projects:export"), {"period": "2026-02"}).content) == chinese


@pytest.mark.parametrize("month", range(1, 13))
def test_the_ytd_header_is_read_as_the_year_to_date_of_its_month(month):
    field, info = map_header(ytd_header(SimpleNamespace(year=2026, month=month)))
    assert (field, info.year, info.month, info.month_from) == ("invested_ytd", 2026, month, 1)
    assert map_header(ytd_header(None))[0] == "invested_ytd"  # rows of several months: still the year to date
    assert map_header("累计完成投资（万元）")[0] == "invested_to_date"  # other offices' bare 累计: unchanged


def test_the_warnings_of_a_month_imported_back_change_no_figure(listed, client):
    """The 预警清单 of one month names its 1-N月累计 and says 填报状态: a 未报 project's carried 累计
    is no report (without 填报状态, the import made a 0 report for every project warned 未报)."""
    from keyprojects.dispatch.models import ProjectWarning

    for project in (listed.projects.sibling_county, listed.projects.city_level):
        ProjectWarning.objects.get_or_create(project=project, period=listed.p2, kind="missing_report", defaults={"message": "测试"})
    client.force_login(listed.users.city)
    data = client.get(reverse("dispatch:warnings_export"), {"period": "2026-02", "kind": "missing_report"}).content
    header, rows = _sheet(data)
    assert header[10:13] == ["年度计划投资（万元）", "填报状态", "2026年1-2月累计完成投资（万元）"]
    assert {(r["项目名称"], r["填报状态"], r["2026年1-2月累计完成投资（万元）"]) for r in rows} == {
        ("市中区项目", "草稿", 200),
        ("济南市本级项目", "未报", 80),
    }
    (parsed,) = parse_file(data, filename="预警清单.xlsx")
    assert parsed.period == (2026, 2) and parsed.columns["invested_ytd"] == "2026年1-2月累计完成投资（万元）"
    assert "invested_to_date" not in parsed.columns
    before = _figures()
    outcome = import_file(user=listed.users.city, data=data, filename="预警清单.xlsx")
    assert not outcome.errors and outcome.reports_created == outcome.reports_updated == 0
    assert _figures() == before
