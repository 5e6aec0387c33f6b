"""项目库: the registry of key projects (domain.md §1, §5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.core.models import TimeStampedModel, VersionedModel
from keyprojects.core.money import money_field
from keyprojects.core.scope import NOTHING, ScopedQuerySet, region_rows, scope_q
from keyprojects.core.validators import project_code_region, validate_phone, validate_project_code_shape

from .choices import Category, EventKind, Level, Nature, Stage
from .industries import DIVISION_CHOICES, SECTION_CHOICES, division_in_section


class SponsorLeader(TimeStampedModel):
    """包保领导/挂点领导: the official who personally follows projects (市级领导分线作战)."""

    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="leaders")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("关联账号"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsor"
    )

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("包保领导")
        verbose_name_plural = _("包保领导")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="leader_unique_per_region")]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


def _unit_projects(unit_id: int) -> Q:
    return Q(responsible_unit_id=unit_id) | Q(zone_id=unit_id)


class ProjectQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return scope_q(user, region=region_rows(), unit=_unit_projects, enterprise=lambda pk: Q(owner_id=pk))

    def _editable_q(self, user: Any) -> Q:
        return NOTHING if policy.is_read_only(user) else self._visible_q(user)


def project_visible_q(user: Any, field: str = "project") -> Q:
    """For the ``_visible_q`` of a model hanging on a project through ``field``: its rows whose
    project ``user`` sees (an active, non-superuser user: ``ScopedQuerySet.visible_to`` has
    dealt with the others). A user scoped by region compares the project's own region codes
    through the foreign key, the very filter ``ProjectQuerySet`` applies: a join, which lets
    the planner start from whichever side is selective (a report's status, a county's projects)
    instead of probing the rows of every project of a province listed by ``IN (SELECT ...)``.
    Anybody else goes through ``Project.objects.visible_to``."""
    if policy.scope_kind(user) == "region":
        return scope_q(user, region=region_rows(f"{field}__"))
    return Q(**{f"{field}__in": Project.objects.visible_to(user).values("pk")})


class Project(VersionedModel):
    """A fixed-asset investment project on one or more key-project lists."""

    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    project_code = models.CharField(
        _("项目代码"),
        max_length=24,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_project_code_shape],
        help_text=_("投资项目在线审批监管平台赋码，如 2403-370102-04-01-123456"),
    )
    owner = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("建设单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    # Not indexed alone: project_region_stage_idx (region, stage) starts with it.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="projects", db_index=False
    )
    zone = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("功能区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="zone_projects",
        limit_choices_to={"kind": "zone"},
    )
    # Denormalised from ``region`` by the service: scope filters are plain equalities. No index on
    # province_code (one province per deployment: it matches every row). city_code keeps its own
    # index although project_city_stage_idx starts with it: (city_code) is really (city_code, id),
    # which gives a city user's list (newest first) its page without sorting the whole city
    # (0.2 ms instead of 75 ms on SQLite for a city of 27,000 projects).
    province_code = models.CharField(_("所属省"), max_length=6, editable=False)
    city_code = models.CharField(_("所属市"), max_length=6, db_index=True, blank=True, editable=False)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=SECTION_CHOICES, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, choices=DIVISION_CHOICES, blank=True)
    # A handful of values each, only ever filtered together with the scope: not worth an index.
    category = models.CharField(_("项目类别"), max_length=16, choices=Category.choices)
    nature = models.CharField(_("建设性质"), max_length=16, choices=Nature.choices)
    stage = models.CharField(_("项目阶段"), max_length=16, choices=Stage.choices, default=Stage.RESERVE, db_index=True)
    stage_before_suspension = models.CharField(_("停缓建前阶段"), max_length=16, choices=Stage.choices, blank=True, editable=False)
    total_investment = money_field(_("总投资（万元）"))
    invested_before = money_field(
        _("启用前累计完成投资（万元）"), default=0, blank=True, help_text=_("本系统开始调度前已完成的投资，用于计算开工至今累计")
    )
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_completion = models.DateField(_("实际竣工"), null=True, blank=True)
    content = models.TextField(_("建设规模及主要建设内容"), blank=True)
    responsible_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    sponsor_leader = models.ForeignKey(
        SponsorLeader, verbose_name=_("包保领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    contact_name = models.CharField(_("联络人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    in_statistics = models.BooleanField(_("已纳统"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # see dispatch.models.MonthlyReport.submitted_by
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_total_investment_nonneg"),
            models.CheckConstraint(
                condition=Q(planned_completion__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_completion__gte=F("planned_start")),
                name="project_planned_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_completion__isnull=True) | Q(actual_start__isnull=False),
                name="project_completion_needs_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="project_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180), name="project_longitude_range"
            ),
        ]
        indexes = [
            models.Index(fields=["city_code", "stage"], name="project_city_stage_idx"),
            models.Index(fields=["region", "stage"], name="project_region_stage_idx"),
            # 我的任务's and the grid's order (region, name): a province user's first page is read
            # in index order, not sorted out of every due project of the province
            models.Index(fields=["region", "name"], name="project_region_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Raises the messages in Chinese, as source strings of the catalogue (the forms say them
        in the active language: ``forms.service_message``)."""
        errors: dict[str, str] = {}
        if self.project_code:
            self.project_code = self.project_code.strip().upper()
            from keyprojects.regions.models import Region

            try:
                validate_project_code_shape(self.project_code)
            except ValidationError as exc:
                errors["project_code"] = exc.messages[0]
            else:
                if not Region.objects.filter(code=project_code_region(self.project_code)).exists():
                    errors["project_code"] = f"项目代码中的行政区划代码 {project_code_region(self.project_code)} 不存在"
        else:
            self.project_code = None
        if self.industry_division and not division_in_section(self.industry_division, self.industry_section):
            errors["industry_division"] = gettext_noop("行业大类与门类不匹配")
        if self.planned_start and self.planned_completion and self.planned_completion < self.planned_start:
            errors["planned_completion"] = gettext_noop("计划竣工日期不能早于计划开工日期")
        if self.actual_completion and not self.actual_start:
            errors["actual_completion"] = gettext_noop("尚未填写实际开工日期，不能填写实际竣工日期")
        if self.actual_start and self.actual_completion and self.actual_completion < self.actual_start:
            errors["actual_completion"] = gettext_noop("实际竣工日期不能早于实际开工日期")
        if self.zone_id and self.zone and self.zone.kind != "zone":
            errors["zone"] = gettext_noop("请选择功能区")
        if self.region_id and self.region and self.region.level == "province":
            errors["region"] = gettext_noop("项目所属区域应为市或县（区）")
        if errors:
            raise ValidationError(errors)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


class ProjectYear(models.Model):
    """A project's year: its annual plan (年度计划投资), the lists it is on that year and its
    建设性质 on that year's list (ADR 0004): a project 新开工 on the 2025 list is 续建 on the
    2026 one. A blank nature is one no list or form stated; readers then take the project's
    (``choices.year_nature``). The current year's row states the project's own nature (kept so
    by ``services.sync_current_nature``)."""

    # Not indexed alone: project_year_unique (project, year) starts with it.
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="years", db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    annual_plan = money_field(_("年度计划投资（万元）"), default=0)
    on_province_list = models.BooleanField(_("省级重点"), default=False)
    on_city_list = models.BooleanField(_("市级重点"), default=False)
    on_county_list = models.BooleanField(_("县级重点"), default=False)
    nature = models.CharField(
        _("建设性质"), max_length=16, choices=Nature.choices, blank=True, default="", help_text=_("该年度清单上的建设性质；空为未注明")
    )

    class Meta:
        ordering = ["project_id", "year"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_year_unique"),
            models.CheckConstraint(condition=Q(annual_plan__gte=0), name="project_year_plan_nonneg"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="project_year_range"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="project_year_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.year}"

    @property
    def levels(self) -> list[str]:
        return [
            lvl
            for lvl, on in ((Level.PROVINCE, self.on_province_list), (Level.CITY, self.on_city_list), (Level.COUNTY, self.on_county_list))
            if on
        ]


class ProjectEvent(models.Model):
    """One life-cycle event: who moved the project from which stage to which, when and why."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    reason = models.TextField(_("原因"), blank=True)
    # not indexed: see dispatch.models.MonthlyReport.submitted_by
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # the day it happened (实际开工, 投产, 停缓建 …), which may be before the day it was entered (``at``)
    on_date = models.DateField(_("日期"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # the stage changes after a month's end, read from the index alone (dispatch.selectors.due_at_end)
        indexes = [models.Index(fields=["on_date", "from_stage", "project"], name="project_event_on_date_idx")]
        verbose_name = _("项目事件")
        verbose_name_plural = _("项目事件")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage}→{self.to_stage}"
