"""企业: project owners (建设单位), identified by their USCC (GB 32100-2015)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keyprojects.accounts import policy
from keyprojects.core.models import VersionedModel
from keyprojects.core.scope import NOTHING, ScopedQuerySet, region_rows, scope_q
from keyprojects.core.validators import validate_phone, validate_uscc
from keyprojects.projects.industries import SECTION_CHOICES


def _unit_enterprises(unit_id: int) -> Q:
    return Q(projects__responsible_unit_id=unit_id) | Q(projects__zone_id=unit_id)


class EnterpriseQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        return scope_q(user, region=region_rows("region__", county_field="code"), unit=_unit_enterprises, enterprise=lambda pk: Q(pk=pk))

    def _editable_q(self, user: Any) -> Q:
        return self._visible_q(user) if policy.can_edit_enterprises(user) else NOTHING

    def visible_to(self, user: Any) -> EnterpriseQuerySet:
        qs = super().visible_to(user)
        return qs.distinct() if policy.scope_kind(user) == "unit" else qs  # a unit reaches them through projects


class Enterprise(VersionedModel):
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises")
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=SECTION_CHOICES, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from keyprojects.projects.industries import division_in_section

        self.uscc = (self.uscc or "").strip().upper()
        if self.industry_division and not division_in_section(self.industry_division, self.industry_section):
            raise ValidationError({"industry_division": "行业大类与门类不匹配"})


class EnterpriseContact(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("企业"))
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("企业联系人")
        verbose_name_plural = _("企业联系人")

    def __str__(self) -> str:
        return self.name
