"""Excel export of the project list: a title row, a header, amounts as numbers, formula injection
neutralised (reliability.md 8, through :mod:`keyprojects.core.xlsx`) and one audit event per
export (reliability.md 21)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from keyprojects.audit.services import audit_record
from keyprojects.core.money import format_period
from keyprojects.core.xlsx import XLSX, Column, build_xlsx, columns_filled, in_chinese, neutralise, xlsx_response, ytd_header

from .choices import Category, Nature, Stage
from .models import Project
from .selectors import listed_nature

__all__ = ["XLSX", "Column", "build_xlsx", "export_projects", "neutralise", "xlsx_response"]


PROJECT_COLUMNS = [  # the 清单's headers, each read back by the importer as what it holds (dataio.synonyms)
    Column("序号", "int", 6),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("建设单位", width=28),
    Column("项目类别", width=12),
    Column("建设性质", width=10),
    Column("项目阶段", width=10),
    Column("总投资（万元）", "money", 14),
    Column("年度计划投资（万元）", "money", 16),  # (export_projects: "2026年度计划投资（万元）")
    Column("填报状态", width=10),  # the month's report, as the 月调度 export says it
    Column("1-N月累计完成投资（万元）", "money", 16),  # (export_projects: core.xlsx.ytd_header of the month)
    Column("完成率（%）", "number", 10),
    Column("较序时进度（百分点）", "number", 12),
    Column("计划开工", "date", 12),
    Column("计划竣工", "date", 12),
    Column("责任单位", width=20),
    Column("包保领导", width=14),
    Column("建设地点", width=20),
    Column("已纳统", width=8),
]


def _project_rows(projects: Iterable[Project], period: Any = None) -> Iterable[list[Any]]:
    """One row per project, then the totals row (合计): the figures of ``period`` come from the
    projects' facts (``fact_ytd``/``fact_plan``, selectors.with_period_figures) through
    ``analytics.metrics``; 填报状态 is the month's report (``report_status``, :func:`export_projects`)
    as every page labels it (``dispatch.rules.report_status_label``): a 1-N月累计 beside 未报, 草稿 or
    已退回 is the official figure carried forward, not a report, and the importer reads it so."""
    from keyprojects.analytics import metrics
    from keyprojects.dispatch.rules import compared_with_schedule, report_status_label
    from keyprojects.dispatch.selectors import closed_region_codes, is_frozen_in

    closed = closed_region_codes(period) if period is not None else set()

    # the list is the province's Chinese 清单 (what offices exchange and the importer reads back):
    # its words in Chinese like its headers, whatever the language of the page it is taken from
    categories, natures, stages = ({k: str(v) for k, v in c.choices} for c in (Category, Nature, Stage))
    sums = {"total": Decimal(0), "plan": Decimal(0), "ytd": Decimal(0), "fact_plan": Decimal(0)}
    n = 0
    for i, p in enumerate(projects, start=1):
        n = i
        plan = p.plan_year[0].annual_plan if getattr(p, "plan_year", None) else None  # type: ignore[attr-defined]
        nature = listed_nature(p)  # (the list's year's)
        ytd, fact_plan = getattr(p, "fact_ytd", None), getattr(p, "fact_plan", None)
        rate = metrics.completion_rate(ytd, fact_plan)
        sums["total"] += p.total_investment or 0
        sums["plan"] += plan or 0
        sums["ytd"] += ytd or 0
        sums["fact_plan"] += fact_plan or 0
        yield [
            i,
            p.name,
            p.project_code or "",
            p.region.name,
            p.owner.name if p.owner else "",
            categories.get(p.category, p.category),
            natures.get(nature, nature),
            stages.get(p.stage, p.stage),
            p.total_investment,
            plan,
            report_status_label(getattr(p, "report_status", None), frozen=is_frozen_in(period, p, closed)) if period is not None else "",
            ytd if period is not None else None,
            metrics.as_percent(rate),
            metrics.ahead_points(rate, period.month)
            if period is not None and compared_with_schedule(getattr(p, "fact_state", None))
            else None,
            p.planned_start,
            p.planned_completion,
            p.responsible_unit.name if p.responsible_unit else "",
            p.sponsor_leader.name if p.sponsor_leader else "",
            p.location,
            "是" if p.in_statistics else "否",
        ]
    if n:
        rate = metrics.completion_rate(sums["ytd"], sums["fact_plan"])
        yield [
            "合计",
            f"{n}个项目",
            *([""] * 6),
            sums["total"],
            sums["plan"],
            "",
            sums["ytd"] if period is not None else None,
            metrics.as_percent(rate),
            metrics.ahead_points(rate, period.month) if period is not None else None,
            *([""] * 6),
        ]


@in_chinese
def export_projects(
    *, user: Any, queryset: Any, year: int, filters: dict[str, Any], request: Any = None, period: Any = None
) -> HttpResponse:
    """The filtered project list as .xlsx (with the figures of ``period`` and a totals row);
    the export itself is an audit event. Each figure's header says what it holds, the plan's
    year and the 1-N月累计's month ("2026年1-11月累计完成投资（万元）"), so that the list imported
    back is read as it was written (no figure changes)."""
    now = timezone.localtime()
    as_of = f"，截至{period.year}年{period.month}月" if period is not None else ""
    title = f"重点项目清单（{year}年度计划{as_of}，导出时间 {now:%Y-%m-%d %H:%M}）"
    columns = [*PROJECT_COLUMNS]
    columns[9] = Column(f"{year}年度计划投资（万元）", "money", 16)
    columns[11] = Column(ytd_header(period), "money", 20)
    if period is not None:
        from keyprojects.dispatch.models import MonthlyReport

        reports = MonthlyReport.objects.filter(project=OuterRef("pk"), period=period)
        queryset = queryset.annotate(report_status=Subquery(reports.values("status")[:1]))
    rows = _project_rows(queryset.iterator(chunk_size=2000), period)
    content, n = build_xlsx(title=title, columns=columns, rows=rows, sheet="重点项目")
    n = max(n - 1, 0)  # the totals row is not a project
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="projects.project",
        changes={"filters": filters, "rows": n, "format": "xlsx"},
        message=f"导出项目清单 {n} 行",
    )
    return xlsx_response(content, f"重点项目清单-{now:%Y%m%d-%H%M}.xlsx")


LEADER_COLUMNS = [  # the Chinese 清单's headers in any UI language (core.xlsx), each saying what it holds
    Column(gettext_noop("序号"), "int", 6),
    Column(gettext_noop("姓名"), width=12),
    Column(gettext_noop("职务"), width=16),
    Column(gettext_noop("所属区划"), width=12),
    Column(gettext_noop("项目数"), "int", 10),
    Column(gettext_noop("在建"), "int", 10),
    Column(gettext_noop("总投资（万元）"), "money", 16),
    Column(gettext_noop("%(year)s年度计划（万元）"), "money", 16),
    Column(gettext_noop("1-N月累计完成投资（万元）"), "money", 16),  # (export_leaders: core.xlsx.ytd_header of the month)
    Column(gettext_noop("完成率（%）"), "number", 10),
    Column(gettext_noop("较序时进度（百分点）"), "number", 12),
    Column(gettext_noop("预警项目"), "int", 10),
    Column(gettext_noop("落后序时进度项目"), "int", 12),
]


def _leader_rows(table: dict[str, Any]) -> Iterable[list[Any]]:
    """One row per leader of the page's table (views._leader_table: all of them, not a page),
    then its 合计 row; the figures are the leaders' (analytics.dashboard.leader_figures)."""
    period = table["period"]
    for i, r in enumerate(table["rows"], start=1):
        f = r["fig"]
        figures = [f.figures.invested_ytd, f.rate_pct, f.figures.ahead_points, f.warned, f.lagging] if f else [None] * 5
        leader = r["leader"]
        yield [i, leader.name, leader.title, leader.region.name, r["n"], r["active"], r["total"], r["plan"], *figures]
    if table["rows"]:
        n = len(table["rows"])
        figures = [table["sum_ytd"], table["sum_rate_pct"], table["sum_points"], table["sum_warned"], table["sum_lagging"]]
        yield [
            gettext("合计"),
            ngettext("%(n)s位领导", "%(n)s位领导", n) % {"n": n},
            "",
            "",
            table["sum_n"],
            table["sum_active"],
            table["sum_total"],
            table["sum_plan"],
            *(figures if period is not None else [None] * 5),
        ]


@in_chinese
def export_leaders(*, user: Any, table: dict[str, Any], filters: dict[str, Any], request: Any = None) -> HttpResponse:
    """The 包保领导 list as .xlsx, in Chinese whatever the UI language (every leader of the filtered list and
    the 合计 row); the export itself is an audit event."""
    now = timezone.localtime()
    period, year = table["period"], table["year"]
    values = {"year": year, "time": f"{now:%Y-%m-%d %H:%M}"}
    if period is not None:
        title = gettext("包保领导项目统计（%(year)s年度计划，完成情况截至%(period)s，导出时间 %(time)s）") % {
            **values,
            "period": format_period(period),
        }
    else:
        title = gettext("包保领导项目统计（%(year)s年度计划，导出时间 %(time)s）") % values
    columns = columns_filled(LEADER_COLUMNS, year=year)
    columns[8] = Column(ytd_header(period), "money", 20)
    content, n = build_xlsx(title=title, columns=columns, rows=_leader_rows(table), sheet=gettext("包保领导"))
    n = max(n - 1, 0)  # the totals row is not a leader
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="projects.sponsorleader",
        changes={"filters": filters, "rows": n, "format": "xlsx"},
        message=f"导出包保领导统计 {n} 行",
    )
    return xlsx_response(content, f"{gettext('包保领导')}-{now:%Y%m%d-%H%M}.xlsx")
