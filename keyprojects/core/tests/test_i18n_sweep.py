"""Words the English crawl still found in Chinese outside data (the demo roles' pages in English):
the apps' names and the configuration site's titles, the assessment's rules and directions, the
funnel's groups, the 履约率 page's rows, the project form's year-plan labels, the USCC help."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils import translation

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

CJK = re.compile(r"[\u3400-\u9fff]")


def test_labels_in_english_and_chinese(compiled):  # noqa: F811
    from keyprojects.accounts.admin_site import BusinessConfigSite
    from keyprojects.analytics.assessment import DIRECTIONS, RULES
    from keyprojects.attraction.selectors import GROUPS

    with translation.override("en"):
        assert str(DIRECTIONS["up"]) == "Higher is better" and str(RULES["rank"]) == "Scoring by rank"
        assert str(GROUPS["period"]) == "Month obtained"
        assert str(BusinessConfigSite.index_title) == "Business configuration (provincial staff)"
        for config in apps.get_app_configs():
            if config.name.startswith("keyprojects."):
                assert not CJK.search(str(config.verbose_name)), config.name
    with translation.override("zh-hans"):
        assert str(DIRECTIONS["up"]) == "越高越好" and str(GROUPS["period"]) == "获取月份"
        assert str(apps.get_app_config("dispatch").verbose_name) == "月调度"


def test_project_form_year_labels_and_uscc_help_in_english(compiled, client, world):  # noqa: F811
    p = world.projects.own_county
    client.force_login(world.users.city)
    zh = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert re.search(r"\d{4}年列入县级重点项目清单", zh)
    _switch_to_english(client)
    en = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert re.search(r"On the \d{4} County level key project list", en) and "重点项目清单" not in en
    assert "18 characters; I, O, Z, S and V are not used" in client.get("/enterprises/new/").content.decode()


def test_factor_units_in_english_on_the_needs_list(compiled, client, dw):  # noqa: F811
    from decimal import Decimal as D

    from keyprojects.approvals.services_needs import factor_need_create

    factor_need_create(
        user=dw.users.county, project=dw.projects.own_county, data={"kind": "energy", "subtype": "trading", "quantity": D(10)}
    )
    client.force_login(dw.users.county)
    assert "<td>吨标准煤</td>" in client.get("/approvals/needs/").content.decode()
    _switch_to_english(client)
    en = client.get("/approvals/needs/").content.decode()
    assert "<td>tce</td>" in en and "吨标准煤" not in en
