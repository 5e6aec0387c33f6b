"""Forms of the 培育名单 pages. They parse input only: the services validate (one place) and
their messages are put back at the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.forms import PlainDecimals, VersionedForm, version_field

from .choices import DEFAULT_CAPACITY, EntryStatus, ListKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
AMOUNT = {"max_digits": 18, "decimal_places": 4, "min_value": 0, "required": False}


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.HiddenInput | forms.DateInput):
            continue
        w.attrs.setdefault("class", "form-select form-select-sm" if isinstance(w, forms.Select) else "form-control form-control-sm")


class ListForm(forms.Form):
    region = forms.ModelChoiceField(label=_("区划"), queryset=None)  # type: ignore[arg-type]
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099)
    kind = forms.ChoiceField(label=_("名单类别"), choices=ListKind.choices)
    industry_scope = forms.CharField(label=_("行业范围"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=1000, initial=DEFAULT_CAPACITY)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year, "capacity": DEFAULT_CAPACITY, "industry_scope": "制造业"})
        super().__init__(*args, **kwargs)
        regions = policy.regions_below(user).filter(level__in=policy.CULTIVATION_LIST_LEVELS).order_by("code")
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        _style(self)


class NominateForm(PlainDecimals, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("推荐理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    revenue = forms.DecimalField(label=_("营业收入（万元）"), **AMOUNT)
    tax = forms.DecimalField(label=_("税收（万元）"), **AMOUNT)
    rd_spending = forms.DecimalField(label=_("研发投入（万元）"), **AMOUNT)

    def __init__(self, *args: Any, user: Any, clist: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.enterprises.models import Enterprise

        qs = Enterprise.objects.visible_to(user).filter(policy.region_rows_q(clist.region, "region__", county_field="code"))
        field = self.fields["enterprise"]
        # The field accepts every enterprise of the region the user sees, so that one nominated in
        # the meantime (another tab, a colleague) gets the service's "already on this list" at the
        # field rather than Django's "not one of the available choices"; the select offers only the
        # enterprises not on the list yet.
        field.queryset = qs.order_by("name")  # type: ignore[attr-defined]
        offered = qs.exclude(pk__in=clist.entries.values("enterprise_id")).order_by("name")
        field.choices = [("", field.empty_label), *((e.pk, str(e)) for e in offered)]  # type: ignore[attr-defined]
        _style(self)


class _Step(VersionedForm):
    """A step on one entry: the version its page showed, styled fields."""

    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DecideForm(_Step):
    decision = forms.ChoiceField(label=_("审定"), choices=[("admit", _("同意入选")), ("reject", _("不予入选"))])
    note = forms.CharField(label=_("审定意见"), max_length=500, required=False)


class ProposeRemovalForm(_Step):
    reason = forms.CharField(label=_("调出理由"), max_length=500)


class ConfirmRemovalForm(_Step):
    decision = forms.ChoiceField(label=_("确认"), choices=[("accept", _("同意调出")), ("keep", _("保留在名单"))])
    removed_on = forms.DateField(label=_("调出日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("意见"), max_length=500, required=False)


class LinkForm(_Step):
    agreement = forms.ModelChoiceField(label=_("政企合作协议"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, user: Any, entry: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from keyprojects.partnership.models import Agreement

        qs = Agreement.objects.visible_to(user).filter(enterprise_id=entry.enterprise_id).order_by("-signed_on", "-id")
        self.fields["agreement"].queryset = qs  # type: ignore[attr-defined]


STATUS_FILTER = [("", _("全部状态")), *EntryStatus.choices, ("removal_pending", _("调出待确认"))]
