"""Open data: the project registry as an OC4IDS 0.9 project package (domain.md §7).

Mapping (ours):

* ``id`` — ``kp-<pk>`` (stable; a project may get its 项目代码 late or never), the 项目代码 goes
  to ``identifiers`` with scheme ``CN-GBT40058`` (GB/T 40058-2021).
* ``status`` — the life cycle of domain.md §2: reserve→identification, preparation→preparation,
  construction→implementation, completed→completion, production/达效→maintenance,
  cancelled→cancelled; a suspended project keeps the status of the stage it was suspended in.
* ``sector`` — from the GB/T 4754 section (projectSector codelist), else from the category.
* ``locations`` — the GB/T 2260 region (full name as the address, the code as a gazetteer
  entry) and a point when coordinates are known.
* amounts — ``{"amount": <yuan>, "currency": "CNY"}``: 万元 × 10,000 (4 decimal places of 万元 are
  whole yuan, so amounts are integers). ``budget.amount`` is the 总投资; the yearly 年度计划投资
  are ``budget.budgetBreakdowns``.
* ``parties`` — the owner (建设单位) with its 统一社会信用代码 (scheme ``CN-USCC``), in the
  ``publicAuthority`` role: the 建设单位 tenders and contracts the works.
* ``period`` — planned start/completion; ``completion`` — the actual completion date once the
  project is completed.
* ``metrics`` — ``financialProgress``: one observation per approved monthly report (本月完成投资
  in yuan over that month); ``physicalProgress``: the reported 形象进度 % (unit percent).

Only approved (已审定) monthly figures are published.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.dispatch.choices import ReportStatus
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project, ProjectYear

VERSION = "0.9"
PROJECT_CODE_SCHEME = "CN-GBT40058"
USCC_SCHEME = "CN-USCC"
GAZETTEER_SCHEME = "CN-GBT2260"
CURRENCY = "CNY"
YUAN_PER_WAN = Decimal(10000)
DEFAULT_PUBLISHER = "重点项目全生命周期推进服务平台"

STATUS = {
    Stage.RESERVE: "identification",
    Stage.PREPARATION: "preparation",
    Stage.CONSTRUCTION: "implementation",
    Stage.COMPLETED: "completion",
    Stage.PRODUCTION: "maintenance",
    Stage.EFFECTIVE: "maintenance",
    Stage.CANCELLED: "cancelled",
}
COMPLETED_STAGES = {Stage.COMPLETED, Stage.PRODUCTION, Stage.EFFECTIVE}

# GB/T 4754-2017 sections → OC4IDS projectSector.
SECTION_SECTOR = {
    "A": "economy",
    "B": "naturalResources",
    "C": "economy",
    "D": "energy",
    "E": "economy",
    "F": "economy",
    "G": "transport",
    "H": "economy",
    "I": "communications",
    "J": "economy",
    "K": "economy",
    "L": "economy",
    "M": "economy",
    "N": "waterAndWaste",
    "O": "economy",
    "P": "education",
    "Q": "health",
    "R": "cultureSportsAndRecreation",
    "S": "governance",
    "T": "governance",
}
CATEGORY_SECTOR = {"industry": "economy"}


def oc4ids_status(project: Project) -> str:
    stage = project.stage
    if stage == Stage.SUSPENDED:
        stage = project.stage_before_suspension or Stage.CONSTRUCTION
    return STATUS.get(stage, "implementation")


def yuan(wan: Decimal | None) -> int | float:
    """万元 → yuan as a JSON number (an integer unless the amount has more than 4 places)."""
    value = Decimal(wan or 0) * YUAN_PER_WAN
    return int(value) if value == value.to_integral_value() else float(value)


def money(wan: Decimal | None) -> dict[str, Any]:
    return {"amount": yuan(wan), "currency": CURRENCY}


def _tz() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(d: dt.date) -> str:
    return dt.datetime.combine(d, dt.time.min, tzinfo=_tz()).isoformat()


def day_end(d: dt.date) -> str:
    return dt.datetime.combine(d, dt.time(23, 59, 59), tzinfo=_tz()).isoformat()


def month_period(year: int, month: int) -> dict[str, str]:
    last = calendar.monthrange(year, month)[1]
    return {"startDate": day_start(dt.date(year, month, 1)), "endDate": day_end(dt.date(year, month, last))}


def iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _sector(project: Project) -> list[str]:
    code = SECTION_SECTOR.get(project.industry_section or "") or CATEGORY_SECTOR.get(project.category or "")
    return [code] if code else []


def _location(project: Project) -> dict[str, Any]:
    region = project.region
    loc: dict[str, Any] = {
        "id": "1",
        "address": {"region": region.full_name, "countryName": "中国"},
        "gazetteer": {"scheme": GAZETTEER_SCHEME, "identifiers": [region.code]},
    }
    if project.location:
        loc["address"]["streetAddress"] = project.location
        loc["description"] = project.location
    if project.latitude is not None and project.longitude is not None:
        loc["geometry"] = {"type": "Point", "coordinates": [float(project.longitude), float(project.latitude)]}
    return loc


def _owner(project: Project) -> dict[str, Any] | None:
    owner = project.owner
    if owner is None:
        return None
    return {
        "id": f"{USCC_SCHEME}-{owner.uscc}",
        "name": owner.name,
        "identifier": {"scheme": USCC_SCHEME, "id": owner.uscc, "legalName": owner.name},
        "roles": ["publicAuthority"],
    }


def _metrics(project: Project, reports: list[MonthlyReport]) -> list[dict[str, Any]]:
    financial, physical = [], []
    for r in reports:
        label = f"{r.period.year:04d}-{r.period.month:02d}"
        period = month_period(r.period.year, r.period.month)
        financial.append(
            {
                "id": label,
                "period": period,
                "value": money(r.invested_month),
                "notes": "本月完成投资" + ("（本月无进展）" if r.no_activity else ""),
            }
        )
        if r.physical_progress_pct is not None:
            obs: dict[str, Any] = {
                "id": label,
                "period": period,
                "measure": float(r.physical_progress_pct),
                "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
            }
            if (r.physical_progress or "").strip():
                obs["notes"] = r.physical_progress.strip()
            physical.append(obs)
    out = []
    if financial:
        out.append({"id": "financialProgress", "title": "完成投资（按月）", "observations": financial})
    if physical:
        out.append({"id": "physicalProgress", "title": "形象进度（%）", "observations": physical})
    return out


def project_id(project: Project) -> str:
    prefix = getattr(settings, "OC4IDS_ID_PREFIX", "kp-")
    return f"{prefix}{project.pk}"


def oc4ids_project(project: Project, *, years: list[ProjectYear], reports: list[MonthlyReport]) -> dict[str, Any]:
    """One project in OC4IDS form (empty optional fields are left out, as the schema requires)."""
    data: dict[str, Any] = {
        "id": project_id(project),
        "updated": iso(project.updated_at),
        "language": "zh",
        "title": project.name,
    }
    if project.project_code:
        data["identifiers"] = [{"id": project.project_code, "scheme": PROJECT_CODE_SCHEME}]
    if (project.content or "").strip():
        data["description"] = project.content.strip()
    data["status"] = oc4ids_status(project)
    sector = _sector(project)
    if sector:
        data["sector"] = sector
    data["locations"] = [_location(project)]
    budget: dict[str, Any] = {"amount": money(project.total_investment)}
    if years:
        budget["budgetBreakdowns"] = [
            {
                "id": "annualPlan",
                "budgetBreakdown": [
                    {
                        "id": str(y.year),
                        "amount": money(y.annual_plan),
                        "period": {"startDate": day_start(dt.date(y.year, 1, 1)), "endDate": day_end(dt.date(y.year, 12, 31))},
                    }
                    for y in years
                ],
            }
        ]
    data["budget"] = budget
    owner = _owner(project)
    if owner is not None:
        data["parties"] = [owner]
        data["publicAuthority"] = {"id": owner["id"], "name": owner["name"]}
    period: dict[str, str] = {}
    if project.planned_start:
        period["startDate"] = day_start(project.planned_start)
    if project.planned_completion:
        period["endDate"] = day_end(project.planned_completion)
    if period:
        data["period"] = period
    if project.actual_completion:
        data["completion"] = {"endDate": day_end(project.actual_completion)}
    elif project.stage in COMPLETED_STAGES:
        data["completion"] = {"endDateDetails": "已竣工，竣工日期未登记"}
    metrics = _metrics(project, reports)
    if metrics:
        data["metrics"] = metrics
    return data


def _projects(user: Any, projects: Iterable[Project] | QuerySet[Project] | None) -> QuerySet[Project]:
    if projects is None:
        qs = Project.objects.all()
    elif isinstance(projects, QuerySet):
        qs = projects
    else:
        qs = Project.objects.filter(pk__in=[p.pk for p in projects])
    if user is not None:
        qs = qs.filter(pk__in=Project.objects.visible_to(user).values("pk"))
    return qs.select_related("region__parent__parent", "owner").order_by("pk")


def export_oc4ids(
    *, user: Any = None, projects: Iterable[Project] | QuerySet[Project] | None = None, uri: str | None = None
) -> dict[str, Any]:
    """The OC4IDS project package of ``projects`` (default: all), limited to what ``user`` may
    see when a user is given (the API); the command passes no user and publishes everything."""
    qs = list(_projects(user, projects))
    pids = [p.pk for p in qs]
    years: dict[int, list[ProjectYear]] = defaultdict(list)
    reports: dict[int, list[MonthlyReport]] = defaultdict(list)
    last_change = max((p.updated_at for p in qs), default=None)
    for chunk in range(0, len(pids), 2000):
        ids = pids[chunk : chunk + 2000]
        for y in ProjectYear.objects.filter(project_id__in=ids).order_by("project_id", "year"):
            years[y.project_id].append(y)
        for r in (
            MonthlyReport.objects.filter(project_id__in=ids, status=ReportStatus.APPROVED)
            .select_related("period")
            .order_by("project_id", "period__year", "period__month")
        ):
            reports[r.project_id].append(r)
            if last_change is None or r.updated_at > last_change:
                last_change = r.updated_at
    published = iso(last_change or timezone.now())
    return {
        "uri": uri or getattr(settings, "OC4IDS_PACKAGE_URI", "") or "urn:keyprojects:oc4ids:project-package",
        "version": VERSION,
        "publishedDate": published,
        "publisher": {"name": getattr(settings, "OC4IDS_PUBLISHER", DEFAULT_PUBLISHER)},
        "projects": [oc4ids_project(p, years=years[p.pk], reports=reports[p.pk]) for p in qs],
    }
