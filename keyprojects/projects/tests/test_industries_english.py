"""GB/T 4754 industry names in the English UI: the project list's filter, the project and
enterprise pages, the enterprise export, the dashboard's bars by section and the API schema's
choice labels say the standard's English names when English is chosen, and the same Chinese as
before otherwise; the names stay Chinese data (the importer still reads 汽车制造业 and 制造业)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from keyprojects.analytics.tests.test_dashboard import JAN, hw  # noqa: F401  (the dashboard's world)
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio.classify import CLASSIFIERS
from keyprojects.dataio.importer.values import _industry_of
from keyprojects.projects.industries import DIVISION_CHOICES, DIVISIONS, SECTION_CHOICES, SECTIONS, division_name, section_name
from keyprojects.projects.models import Project

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")


def test_the_names_are_chinese_data_and_every_label_has_its_english(compiled):  # noqa: F811
    assert len(SECTIONS) == 20 and len(DIVISIONS) == 97
    assert all(type(name) is str for name, _rng in SECTIONS.values()) and all(type(n) is str for n in DIVISIONS.values())
    assert SECTIONS["C"][0] == "制造业" and DIVISIONS["13"] == "农副食品加工业"
    with translation.override("zh-hans"):
        assert str(dict(SECTION_CHOICES)["A"]) == "A 农、林、牧、渔业" and str(dict(DIVISION_CHOICES)["36"]) == "36 汽车制造业"
        assert section_name("C") == "C 制造业" and division_name("36") == "36 汽车制造业"
    with translation.override("en"):
        sections, divisions = {k: str(v) for k, v in SECTION_CHOICES}, {k: str(v) for k, v in DIVISION_CHOICES}
        assert sections["A"] == "A Agriculture, Forestry, Animal Husbandry and Fishery"
        assert sections["C"] == "C Manufacturing" == section_name("C")
        assert divisions["13"] == "13 Processing of Food from Agricultural Products"
        assert divisions["36"] == "36 Manufacture of Automobiles" == division_name("36")
        untranslated = [v for v in [*sections.values(), *divisions.values()] if CJK.search(v)]
        assert not untranslated, untranslated
    assert section_name("") == "" and division_name("") == "" and division_name("99") == "99"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_importer_still_reads_chinese_industry_names(compiled, language):  # noqa: F811
    with translation.override(language):
        assert CLASSIFIERS["industry"]("汽车制造业") == "36" and CLASSIFIERS["industry"]("制造业") == "C"
        assert CLASSIFIERS["industry"]("农林牧渔业") == "A"
        assert _industry_of("汽车制造业") == ("C", "36") and _industry_of("制造业") == ("C", "")
        assert CLASSIFIERS["industry"]("Manufacturing") is None  # the English is shown, never read


def _industrial(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(industry_section="C", industry_division="36")
    return p


def test_the_project_list_filter_and_the_project_page(compiled, client, world):  # noqa: F811
    p = _industrial(world)
    client.force_login(world.users.city)
    html = client.get("/projects/").content.decode()
    assert '<option value="C">C 制造业</option>' in html
    assert "C 制造业 / 36 汽车制造业" in client.get(f"/projects/{p.pk}/").content.decode()
    _switch_to_english(client)
    html = client.get("/projects/", {"industry_section": "C"}).content.decode()
    assert '<option value="C" selected>C Manufacturing</option>' in html
    assert '<option value="A">A Agriculture, Forestry, Animal Husbandry and Fishery</option>' in html
    assert "制造业" not in html and "农、林" not in html
    detail = client.get(f"/projects/{p.pk}/").content.decode()
    assert "C Manufacturing / 36 Manufacture of Automobiles" in detail and "制造业" not in detail
    form = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert ">C Manufacturing</option>" in form and ">36 Manufacture of Automobiles</option>" in form


def _export(client):
    resp = client.get("/enterprises/export.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(BytesIO(resp.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    return resp["Content-Disposition"], ws.title, rows[0][0], rows[1], rows[2:]


def test_the_enterprise_pages_and_export(compiled, client, world):  # noqa: F811
    ent = world.ent  # EnterpriseFactory: C / 36
    client.force_login(world.users.city)
    disposition, sheet, title, header, rows = _export(client)
    assert (
        sheet == "企业"
        and title.startswith("企业名录（导出时间 ")
        and "filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-" in disposition
    )
    assert header == ["序号", "企业名称", "统一社会信用代码", "所在区划", "行业门类", "行业大类", "地址", "法定代表人", "可见项目数"]
    assert ["C 制造业", "36 汽车制造业"] in [r[4:6] for r in rows]
    _switch_to_english(client)
    assert "C Manufacturing" in client.get("/enterprises/").content.decode()
    detail = client.get(f"/enterprises/{ent.pk}/").content.decode()
    assert "C Manufacturing / 36 Manufacture of Automobiles" in detail and "汽车制造业" not in detail
    assert ">36 Manufacture of Automobiles</option>" in client.get(f"/enterprises/{ent.pk}/edit/").content.decode()
    disposition, sheet, title, header, rows = _export(client)  # the Chinese 名录 in any UI language
    assert (
        sheet == "企业"
        and title.startswith("企业名录（导出时间 ")
        and "filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-" in disposition
    )
    assert header[:6] == ["序号", "企业名称", "统一社会信用代码", "所在区划", "行业门类", "行业大类"]
    assert ["C 制造业", "36 汽车制造业"] in [r[4:6] for r in rows]


def test_the_dashboard_by_section(compiled, client, hw):  # noqa: F811
    client.force_login(hw.users.city)
    board = client.get(JAN).context["board"]
    assert {g.key: g.label for g in board.breakdowns["industry"]}["C"] == "C 制造业"
    _switch_to_english(client)
    r = client.get(JAN)
    labels = {g.key: g.label for g in r.context["board"].breakdowns["industry"]}
    assert labels["C"] == "C Manufacturing"
    assert "C Manufacturing" in r.context["charts"]["industry"]["labels"]
    html = r.content.decode()
    assert 'data-testid="link-industry">C Manufacturing</a>' in html and "制造业" not in html
    for dimension in ("level", "category", "stage"):  # their bars were Chinese in English too (labels made at import)
        assert not [g.label for g in r.context["board"].breakdowns[dimension] if CJK.search(g.label)], dimension


def test_the_api_schema_labels_follow_the_language_switch(compiled, world):  # noqa: F811
    api = APIClient()
    api.force_authenticate(world.users.county)
    zh = api.get("/api/schema/").content.decode()
    assert "`C` - C 制造业" in zh and "`36` - 36 汽车制造业" in zh
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = api.get("/api/schema/").content.decode()
    assert "`C` - C Manufacturing" in en and "`36` - 36 Manufacture of Automobiles" in en and "汽车制造业" not in en
    # the values the API returns stay the codes
    p = _industrial(world)
    got = api.get(f"/api/v1/projects/{p.pk}/").json()
    assert (got["industry_section"], got["industry_division"]) == ("C", "36")
