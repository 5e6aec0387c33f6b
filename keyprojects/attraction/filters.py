"""One FilterSet for the lead list page, its export, the funnel and the API (NetBox style)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.api.filters import YearFilter
from keyprojects.core.localized import LocalizedModelChoiceFilter
from keyprojects.projects.industries import SECTION_CHOICES
from keyprojects.projects.models import SponsorLeader
from keyprojects.regions.models import Region

from .choices import InvestorOrigin, LeadSource, LeadStage
from .models import IndustryChain, Lead


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("关键词"))
    stage = django_filters.ChoiceFilter(choices=LeadStage.choices, label=_("阶段"), empty_label=_("全部阶段"))
    source = django_filters.ChoiceFilter(choices=LeadSource.choices, label=_("线索来源"), empty_label=_("全部来源"))
    investor_origin = django_filters.ChoiceFilter(choices=InvestorOrigin.choices, label=_("投资方来源"), empty_label=_("全部"))
    chain = LocalizedModelChoiceFilter(queryset=IndustryChain.objects.all(), label=_("产业链"), empty_label=_("全部产业链"))
    industry_section = django_filters.ChoiceFilter(choices=SECTION_CHOICES, label=_("行业门类"), empty_label=_("全部门类"))
    region = django_filters.CharFilter(method="filter_region", label=_("区域（区划代码，含下级）"))
    leader = django_filters.ModelChoiceFilter(queryset=SponsorLeader.objects.all(), label=_("责任领导"), empty_label=_("全部领导"))
    # a whole year in range (the API's YearFilter): "99999" or "2026.5" is not filtered on, not a server error
    year = YearFilter(field_name="obtained_on__year", label=_("获取年度"))
    # a plain select ("全部 / 仅停滞 / 未停滞"), not the null-boolean one ("未知 / 是 / 否")
    stalled = django_filters.BooleanFilter(
        method="filter_stalled",
        label=_("停滞预警"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("仅停滞")), ("false", _("未停滞"))]),
    )

    # 到资 four eyes: the leads with entries waiting for the user's decision (the confirmer's to-do
    # list), or with any entry waiting for a decision
    funds = django_filters.ChoiceFilter(
        method="filter_funds",
        choices=[("to_confirm", _("待我确认")), ("waiting", _("有待确认"))],
        label=_("到资确认"),
        empty_label=_("全部"),
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["chain"].queryset = IndustryChain.objects.filter(is_active=True)  # type: ignore[attr-defined]
        for f in self.form.fields.values():
            css = "form-control form-control-sm" if f.widget.input_type in ("text", "number", "search") else "form-select form-select-sm"  # type: ignore[attr-defined]
            f.widget.attrs.setdefault("class", css)

    def filter_text(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value)
            | Q(investor_name__icontains=value)
            | Q(investor_location__icontains=value)
            | Q(content__icontains=value)
        )

    def filter_region(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        region = Region.objects.filter(code=value.strip()).first()
        return qs.none() if region is None else qs.filter(policy.region_rows_q(region))

    def filter_stalled(self, qs: QuerySet[Lead], name: str, value: Any) -> QuerySet[Lead]:
        from .selectors import stalled_q

        if value is None:
            return qs
        return qs.filter(stalled_q()) if value else qs.exclude(stalled_q())

    def filter_funds(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        from .models import FundArrival
        from .selectors import funds_to_confirm

        if value == "to_confirm":
            user = getattr(self.request, "user", None)
            return qs.filter(pk__in=funds_to_confirm(user).values("lead_id"))
        if value == "waiting":
            return qs.filter(pk__in=FundArrival.objects.awaiting().values("lead_id"))
        return qs
