"""What the demo reports: the digest that proves determinism (same seed, same data on every
database), the summary lines and the logins table ``seed_demo`` prints."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import models

from .common import DemoLogin, DemoResult, format_table
from .reports import SEASON, STEP_MONTHS


def demo_digest() -> str:
    """SHA-256 over the generated business data in insertion order (ids excluded), equal for
    equal seeds on any database."""
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
    from keyprojects.regions.models import Unit

    h = hashlib.sha256()

    def feed(rows: Any) -> None:
        for row in rows:
            h.update(("\x1f".join("" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for v in row)).encode())
            h.update(b"\n")

    feed(Unit.objects.order_by("id").values_list("name", "kind", "region_id", "created_at"))
    feed(SponsorLeader.objects.order_by("id").values_list("name", "title", "region_id"))
    feed(Enterprise.objects.order_by("id").values_list("name", "uscc", "region_id", "industry_division", "address", "created_at"))
    project_fields: list[str] = [
        "name", "project_code", "owner__uscc", "region_id", "zone__name", "province_code", "city_code", "location",
        "industry_section", "industry_division", "category", "nature", "stage", "stage_before_suspension",
        "total_investment", "planned_start", "planned_completion", "actual_start", "actual_completion", "content",
        "responsible_unit__name", "responsible_person", "sponsor_leader__name", "contact_name", "contact_phone",
        "in_statistics", "latitude", "longitude", "created_at",
    ]  # fmt: skip
    feed(Project.objects.order_by("id").values_list(*project_fields).iterator(chunk_size=5000))
    feed(
        ProjectYear.objects.order_by("project_id", "year")
        .values_list("project__name", "year", "annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature")
        .iterator(chunk_size=5000)
    )
    feed(
        ProjectEvent.objects.order_by("id")
        .values_list("project__name", "kind", "from_stage", "to_stage", "reason", "at")
        .iterator(chunk_size=5000)
    )
    feed_dispatch(feed)
    return h.hexdigest()


def feed_dispatch(feed: Any) -> None:
    """The monthly dispatch part of :func:`demo_digest` (projects by name: ids differ after --reset)."""
    from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
    from keyprojects.dispatch.models import (
        MonthlyPlan,
        MonthlyReport,
        PeriodClosure,
        ProblemItem,
        ProjectWarning,
        ReportFlag,
        ReportingPeriod,
        ReportStep,
    )

    def rows(qs: Any, *fields: str) -> Any:
        return qs.values_list(*fields).iterator(chunk_size=5000)

    feed(ReportingPeriod.objects.order_by("year", "month").values_list("year", "month", "status", "fill_start", "fill_end", "closed_at"))
    feed(
        PeriodClosure.objects.order_by("period__year", "period__month").values_list(
            "period__year", "period__month", "region_id", "closed_at"
        )
    )
    feed(rows(MonthlyPlan.objects.order_by("id"), "project__name", "year", "month", "planned"))
    report_fields = [
        "project__name", "period__year", "period__month", "status", "review_levels", "review_step", "pending_level",
        "invested_month", "invested_ytd", "invested_to_date", "no_activity", "no_activity_reason", "physical_progress",
        "physical_progress_pct", "workers", "problems", "next_month_plan", "return_opinion", "submitted_at", "is_late",
        "approved_at", "created_at", "updated_at", "version",
    ]  # fmt: skip
    feed(rows(MonthlyReport.objects.order_by("id"), *report_fields))
    feed(
        rows(
            ReportFlag.objects.order_by("id"),
            "report__project__name",
            "report__period__month",
            "code",
            "severity",
            "message",
            "acknowledged_at",
        )
    )
    feed(rows(ReportStep.objects.order_by("id"), "report__project__name", "report__period__month", "action", "level", "opinion", "at"))
    feed(rows(ProblemItem.objects.order_by("id"), "project__name", "description", "responsible_unit__name", "due_date", "status",
              "resolution", "solved_at", "created_at"))  # fmt: skip
    # the summary tables: totals per period (the facts and warnings follow from the reports)
    feed(ProjectPeriodFact.objects.values_list("period__year", "period__month", "report_state").annotate(n=models.Count("id"))
         .order_by("period__year", "period__month", "report_state"))  # fmt: skip
    summary_fields = [
        "period__year", "period__month", "region_id", "projects", "annual_plan", "planned_ytd", "invested_month", "invested_ytd",
        "planned_new", "started_new", "planned_completions", "completed", "reports_due", "reports_in", "reports_on_time", "frozen",
    ]  # fmt: skip
    feed(RegionPeriodSummary.objects.order_by("period__year", "period__month", "region_id").values_list(*summary_fields))
    feed(ProjectWarning.objects.values_list("period__year", "period__month", "kind").annotate(n=models.Count("id"))
         .order_by("period__year", "period__month", "kind"))  # fmt: skip


def summary_lines(result: DemoResult) -> list[str]:
    c = result.counts
    lines = [
        f"演示数据已生成：种子 {result.seed}，年度 {result.year}，数据截至 {result.as_of:%Y-%m-%d}，用时 {result.seconds:.1f} 秒",
        f"  单位 {c.get('units', 0)}（其中功能区 {c.get('zones', 0)}），包保领导 {c.get('leaders', 0)}，企业 {c.get('enterprises', 0)}",
        f"  项目 {c.get('projects', 0)}（{result.year}年省级清单 {c.get('province_list', 0)}、市级 {c.get('city_list', 0)}、"
        f"县级 {c.get('county_list', 0)}；有项目代码 {c.get('with_code', 0)}），年度计划 {c.get('project_years', 0)} 条，"
        f"项目事件 {c.get('events', 0)} 条",
    ]
    if not result.periods:
        return [*lines, "  未生成月报（--months 0）"]
    s = result.open_states
    pending = "、".join(
        f"待{label}审核 {s.get('pending_' + level, 0)}" for level, label in (("county", "县级"), ("city", "市级"), ("province", "省级"))
        if s.get("pending_" + level) or level != "province"
    )  # fmt: skip
    lines += [
        f"  调度期 {c.get('periods', 0)} 个（{result.periods[0]} 至 {result.periods[-1]}，已关账 {c.get('closed', 0)} 个），"
        f"月报 {c.get('reports', 0)} 份，校验提示 {c.get('flags', 0)} 条，审核记录 {c.get('steps', 0)} 条（最近 {STEP_MONTHS} 个月）",
        f"  {result.periods[-1]}（填报中）：已审定 {s.get('approved', 0) + s.get('late', 0) + s.get('no_activity', 0)}、{pending}、"
        f"已退回 {s.get('returned', 0)}、草稿 {s.get('draft', 0)}、未报 {s.get('missing', 0) + s.get('not_due', 0)}",
        f"  问题事项 {c.get('problems', 0)} 个（未解决 {c.get('open_problems', 0)}），分月计划 {c.get('plans', 0)} 条，"
        f"按进度落后生成的项目 {c.get('lagging', 0)} 个",  # (the seeder's intent; the pages count the reported ones)
        f"  汇总表：项目月度事实 {c.get('facts', 0)} 行，区域月度汇总 {c.get('summaries', 0)} 行，预警 {c.get('warnings', 0)} 条",
    ]
    if c.get("schemes"):
        lines.append(f"  双考核双评价：安装默认考核方案 {c['schemes']} 个（各市、济南市各县区），可在“考核”页面修改")
    for a in result.assessments:
        y, m = a.period.split("-")
        state = "已发布（被考核单位在“考核结果”中可见）" if a.published else "已计算、未发布（可在结果页“发布”）"
        lines.append(f"  考核结果：{a.scheme} {y}年{int(m)}月，由 {a.username} 计算，{state}")
    if c.get("spread_set"):
        lines.append("  调度设置：年度计划默认分月权重设为演示值 " + "/".join(map(str, SEASON)) + "（1-2月春节前后低，6月、12月高）")
    return lines


def logins_table(logins: Sequence[DemoLogin]) -> str:
    return format_table(("用户名", "角色", "范围", "密码"), [(x.username, x.role, x.scope, x.password) for x in logins])
