"""The demo's 双50 培育名单 (of manufacturers) and “泉城好品” applications name businesses only: the public owners the
demo registers as enterprises for their projects (教育局, 民政局, 人民医院 …) never appear on them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from keyprojects.brands.models import BrandApplication
from keyprojects.cultivation.models import CultivationEntry

# names of government bodies and public institutions (not enterprises)
PUBLIC_BODY = re.compile(r"(人民政府|管委会|管理委员会|委员会|局|办公室|人民医院|医院|学校|大学)$")


@pytest.mark.django_db
def test_demo_lists_name_businesses_only():
    call_command("seed_demo", stdout=io.StringIO(), projects=300, seed=13, year=2026, month=11, months=3, verbosity=0, interactive=False)
    entries = list(CultivationEntry.objects.select_related("enterprise", "cultivation_list"))
    applications = list(BrandApplication.objects.select_related("enterprise"))
    backbone = [e for e in entries if e.cultivation_list.kind == "backbone"]
    assert len(backbone) >= 8 and applications
    for ent in [e.enterprise for e in entries] + [a.enterprise for a in applications]:
        assert not PUBLIC_BODY.search(ent.name), ent.name
        assert ent.uscc.startswith("9"), (ent.name, ent.uscc)  # registered with market regulation
    # a product brand is a manufacturer's; no brand is a public investment group's (城投, 水务, 能源)
    for a in applications:
        assert a.category != "product" or a.enterprise.industry_section == "C", (a.brand_name, a.enterprise.name)
        assert not re.search("城市建设投资|水务集团|能源发展", a.enterprise.name), (a.brand_name, a.enterprise.name)
    # “双50” are lists of manufacturers (制造业骨干企业, 创新成长型制造业企业)
    assert {e.enterprise.industry_section for e in entries} == {"C"}, [(e.enterprise.name, e.enterprise.industry_section) for e in entries]
