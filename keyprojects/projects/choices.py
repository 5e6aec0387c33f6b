"""Status values of the project registry; one comment per value (domain.md §1-2)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RESERVE = "reserve", _("谋划储备")  # idea/planning in the reserve pool
    PREPARATION = "preparation", _("前期手续")  # 立项/核准/备案, 用地, 规划, 环评, 能评, 施工许可
    CONSTRUCTION = "construction", _("开工建设")  # under construction
    COMPLETED = "completed", _("竣工")  # construction finished
    PRODUCTION = "production", _("投产")  # in production / operation
    EFFECTIVE = "effective", _("达效")  # designed output reached (terminal)
    SUSPENDED = "suspended", _("停缓建")  # suspended with a reason; can resume
    CANCELLED = "cancelled", _("退库/终止")  # removed with a reason (terminal)


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")  # on the province's key-project list
    CITY = "city", _("市级")  # on a city's list
    COUNTY = "county", _("县级")  # on a county's list


class Nature(models.TextChoices):
    NEW = "new", _("新开工")  # planned to start this year
    CONTINUING = "continuing", _("续建")  # started in an earlier year
    COMPLETING = "completing", _("竣工投产")  # planned to complete/produce this year
    PREPARATORY = "preparatory", _("预备(前期)")  # preparatory, not yet to start


def year_nature(stated: str | None, project_nature: str) -> str:
    """A year's 建设性质: what that year's list states (``ProjectYear.nature``), else the
    project's own (a year no list, import or form gave one; ADR 0004)."""
    return stated or project_nature


def nature_in_year(year: int, *, start: dt.date | None, completion: dt.date | None) -> str:
    """The 建设性质 a year's list gives a project by its schedule: 新开工 in the year it starts,
    竣工投产 in the year it completes (a later year), 续建 between, 预备(前期) before its start
    (or with no start date). A project starting and completing in one year is 新开工 there: its
    completion is counted by its date anyway (``analytics.refresh``)."""
    if start is None or year < start.year:
        return Nature.PREPARATORY
    if year == start.year:
        return Nature.NEW
    if completion is not None and year >= completion.year:
        return Nature.COMPLETING
    return Nature.CONTINUING


class Category(models.TextChoices):
    INDUSTRY = "industry", _("产业项目")  # manufacturing, services, agriculture
    URBAN = "urban", _("城建项目")  # urban construction
    INFRASTRUCTURE = "infrastructure", _("基础设施项目")  # transport, energy, water
    SOCIAL = "social", _("社会民生项目")  # education, health, housing


class EventKind(models.TextChoices):
    CREATED = "created", _("创建")  # the project entered the registry
    TRANSITION = "transition", _("阶段变更")  # a life-cycle transition
    SUSPENDED = "suspended", _("停缓建")  # moved to 停缓建
    RESUMED = "resumed", _("恢复建设")  # back from 停缓建
    CANCELLED = "cancelled", _("退库")  # cancelled


# The life cycle (domain.md §2): allowed edges only. 停缓建 and 退库 are reachable from every
# non-terminal stage and need a reason; "resume" returns to the stage before suspension.
FORWARD: dict[str, str] = {
    Stage.RESERVE: Stage.PREPARATION,
    Stage.PREPARATION: Stage.CONSTRUCTION,
    Stage.CONSTRUCTION: Stage.COMPLETED,
    Stage.COMPLETED: Stage.PRODUCTION,
    Stage.PRODUCTION: Stage.EFFECTIVE,
}
SUSPENDABLE = {Stage.RESERVE, Stage.PREPARATION, Stage.CONSTRUCTION}
CANCELLABLE = {Stage.RESERVE, Stage.PREPARATION, Stage.CONSTRUCTION, Stage.SUSPENDED}
TERMINAL = {Stage.EFFECTIVE, Stage.CANCELLED}
REASON_REQUIRED = {Stage.SUSPENDED, Stage.CANCELLED}
ACTIVE_STAGES = [Stage.RESERVE, Stage.PREPARATION, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.PRODUCTION, Stage.EFFECTIVE]


def allowed_targets(stage: str) -> list[str]:
    """Stages reachable from ``stage`` in one step (resume is handled by the service)."""
    targets: list[str] = []
    if stage in FORWARD:
        targets.append(FORWARD[stage])
    if stage in SUSPENDABLE:
        targets.append(Stage.SUSPENDED)
    if stage in CANCELLABLE:
        targets.append(Stage.CANCELLED)
    return targets
