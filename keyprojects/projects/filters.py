"""One FilterSet for the project list page, its export and the API (NetBox style)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.regions.models import Region, Unit

from .choices import Category, Level, Nature, Stage
from .industries import DIVISION_CHOICES, SECTION_CHOICES
from .models import Project, SponsorLeader

SORTS = {
    "name": "name",
    "-name": "-name",
    "total_investment": "total_investment",
    "-total_investment": "-total_investment",
    "planned_start": "planned_start",
    "-planned_start": "-planned_start",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "created": "id",
    "-created": "-id",
    "region": "region_id",
    "-region": "-region_id",
    "stage": "stage",
    "-stage": "-stage",
}
#: The page and its export also sort by the figures of the list's period
#: (selectors.with_period_figures); nulls (no plan) last.
LIST_SORTS = {
    **SORTS,
    "lag": "lag_ratio",
    "-lag": "-lag_ratio",
    "ytd": "fact_ytd",
    "-ytd": "-fact_ytd",
    "plan": "fact_plan",
    "-plan": "-fact_plan",
}
#: 与序时进度比较 filter: behind (落后), far (落后超过预警阈值), ahead (达到或超过), noplan.
LAG_CHOICES = [
    ("behind", _("落后序时进度")),
    ("far", _("落后超过预警阈值")),
    ("ahead", _("达到或超过序时进度")),
    ("noplan", _("无年度计划")),
]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("关键词"))
    region = django_filters.CharFilter(method="filter_region", label=_("区域（区划代码，含下级）"))
    year = django_filters.NumberFilter(method="filter_year", label=_("年度"))
    level = django_filters.ChoiceFilter(choices=Level.choices, method="filter_level", label=_("清单级别"))
    # distinct=False: stage is a column of the project itself, so ``stage__in`` cannot repeat a row;
    # django-filter's default SELECT DISTINCT over every column made SQLite de-duplicate and sort
    # all the matching rows (with their joins) before taking a page.
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("项目阶段"), distinct=False)
    # with ``year`` (or ``level``): the nature on that year's list (ProjectYear.nature, the
    # project's where the year states none; ADR 0004); alone: the project's own (this year's)
    nature = django_filters.ChoiceFilter(choices=Nature.choices, method="filter_nature", label=_("建设性质"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("项目类别"))
    industry_section = django_filters.ChoiceFilter(choices=SECTION_CHOICES, label=_("行业门类"))
    industry_division = django_filters.ChoiceFilter(choices=DIVISION_CHOICES, label=_("行业大类"))
    responsible_unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("责任单位"))
    zone = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(kind="zone"), label=_("功能区"))
    sponsor_leader = django_filters.ModelChoiceFilter(queryset=SponsorLeader.objects.all(), label=_("包保领导"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("建设单位ID"))
    in_statistics = django_filters.BooleanFilter(label=_("已纳统"))
    sort = django_filters.ChoiceFilter(choices=[(k, k) for k in SORTS], method="filter_sort", label=_("排序"))

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_text(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(project_code__icontains=value) | Q(owner__name__icontains=value) | Q(location__icontains=value)
        )

    def filter_region(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return qs.none()
        if self.form.cleaned_data.get("own"):  # (the list page's own=1: ProjectListFilter)
            field = "region_id"
        else:
            field = {"province": "province_code", "city": "city_code"}.get(region.level, "region_id")
        return qs.filter(**{self.column(field): region.code})

    def filter_year(self, qs: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        return qs  # applied together with ``level`` in :meth:`filter_queryset`

    def filter_level(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return qs

    def filter_nature(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return qs  # applied with ``year`` and ``level`` in :meth:`filter_queryset`

    def filter_sort(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return qs.order_by(SORTS.get(value, "-id"), "-id")

    def column(self, field: str) -> str:
        """The lookup a filter on the project's ``field`` uses: the project's own column (the
        list page of a month reads that month's fact instead, :class:`ProjectListFilter`)."""
        return field

    def filter_queryset(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        qs = super().filter_queryset(queryset)
        year = self.form.cleaned_data.get("year")
        level = self.form.cleaned_data.get("level")
        nature = self.form.cleaned_data.get("nature")
        if year or level:
            cond: dict[str, Any] = {"years__year": int(year) if year else timezone.localdate().year}
            if level:
                cond[self.column(f"years__on_{level}_list")] = True
            if nature:  # (one condition on the same year row)
                return qs.filter(Q(**cond) & self.nature_q(nature, by_year=True))
            qs = qs.filter(**cond)
        elif nature:
            qs = qs.filter(self.nature_q(nature, by_year=False))
        return qs

    def nature_q(self, nature: str, *, by_year: bool) -> Q:
        """建设性质 ``nature``: on the list's year row (``by_year``; ProjectYear.nature, the
        project's where the year states none), else the project's own."""
        return (Q(years__nature=nature) | Q(years__nature="", nature=nature)) if by_year else Q(nature=nature)


#: With ``period``, the project attributes the list page filters on, read from that month's
#: fact (analytics.ProjectPeriodFact: what the month's figures were counted under).
FACT_COLUMNS = {
    "region_id": "region_code",
    "city_code": "city_code",
    "province_code": "province_code",
    "stage": "stage",
    "category": "category",
    "industry_section": "industry_section",
    **{f"years__on_{level}_list": f"on_{level}_list" for level in Level.values},
}


class ProjectListFilter(ProjectFilter):
    """The list page and its export: the project filters plus the figures of the list's period
    (``selectors.with_period_figures``): 与序时进度比较 and sorting by lag, 累计完成 or plan.

    With ``period=YYYY-MM`` the list is that month's, as the dashboard, the rankings and the
    bulletin counted it: the projects with a fact of the month (``ProjectPeriodFact``), filtered
    by the fact's 阶段 (the stage at the month's end, ``dispatch.rules.stage_in_month``), 清单级别,
    区域, 类别, 建设性质 (its year's), 行业门类, 责任单位 and 包保领导, so that a figure of a past month and the list it links to count
    the same projects. Without ``period`` they are the project's as it is now (the figures then
    shown are the latest period's)."""

    period = django_filters.CharFilter(method="filter_noop", label=_("调度期（YYYY-MM）"))
    # the project attributes a month's fact holds: by method, to read the fact with a period
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, method="filter_column", label=_("项目阶段"))
    category = django_filters.ChoiceFilter(choices=Category.choices, method="filter_column", label=_("项目类别"))
    industry_section = django_filters.ChoiceFilter(choices=SECTION_CHOICES, method="filter_column", label=_("行业门类"))
    # 责任单位 and 包保领导: with a period, those the month's fact was counted under (the
    # dashboard's and the leaders' figures of the month read the same)
    responsible_unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), method="filter_ref", label=_("责任单位"))
    sponsor_leader = django_filters.ModelChoiceFilter(queryset=SponsorLeader.objects.all(), method="filter_ref", label=_("包保领导"))
    # with ``region``: only the region's own projects (市本级, 省本级), not its counties' (the
    # board's 本级 row links here); read by filter_region. The page's only: the API's
    # ``region`` keeps its one meaning.
    own = django_filters.BooleanFilter(method="filter_own", widget=forms.HiddenInput, label=_("仅本级"))
    lag = django_filters.ChoiceFilter(choices=LAG_CHOICES, method="filter_lag", label=_("与序时进度比较"))
    sort = django_filters.ChoiceFilter(choices=[(k, k) for k in LIST_SORTS], method="filter_sort", label=_("排序"))

    def filter_own(self, qs: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        return qs  # read by filter_region

    period_obj: Any = None  # set by selectors.project_list

    def filter_noop(self, qs: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        return qs  # read by the selector (the period whose figures are shown) and filter_queryset

    @property
    def as_of(self) -> Any:
        """The month the list is of (``period`` asked for and found), else None."""
        return self.period_obj if self.period_asked else None

    @property
    def period_asked(self) -> bool:
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("period"))

    def column(self, field: str) -> str:
        if self.as_of is None:
            return field
        return f"period_fact__{FACT_COLUMNS[field]}"

    def nature_q(self, nature: str, *, by_year: bool) -> Q:
        if self.as_of is None:
            return super().nature_q(nature, by_year=by_year)
        return Q(period_fact__nature=nature)  # (the fact holds its year's nature)

    def filter_column(self, qs: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        values = value if isinstance(value, list) else [value]
        return qs.filter(**{f"{self.column(name)}__in": values})

    def filter_ref(self, qs: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        if self.as_of is None:
            return qs.filter(**{name: value})
        return qs.filter(**{f"period_fact__{name}_ref": value.pk})

    def filter_queryset(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        if self.period_asked:
            if self.as_of is None:  # a month without a reporting period: nobody was counted in it
                return queryset.none()
            queryset = queryset.filter(period_fact__isnull=False)
        return super().filter_queryset(queryset)

    def filter_lag(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        """By the period's figures, as ``analytics.metrics`` defines 落后/超序时进度; without a
        period nothing is behind or ahead."""
        from keyprojects.analytics import metrics
        from keyprojects.dispatch.models import DispatchConfig

        period = self.period_obj
        if value == "noplan":
            return qs.filter(Q(fact_plan__isnull=True) | Q(fact_plan=0))
        if period is None:
            return qs.none()
        if value == "behind":
            return qs.filter(metrics.lagging_q(field="fact_points", state_field="fact_state"))
        if value == "far":
            return qs.filter(metrics.lagging_q(DispatchConfig.get().behind_points, field="fact_points", state_field="fact_state"))
        return qs.filter(metrics.not_behind_q(field="fact_points"))

    def filter_sort(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        key = LIST_SORTS.get(value, "-id")
        column = key.lstrip("-")
        if column in ("lag_ratio", "fact_ytd", "fact_plan"):
            field = F(column)
            return qs.order_by(field.desc(nulls_last=True) if key.startswith("-") else field.asc(nulls_last=True), "-id")
        return qs.order_by(key, "-id")
