"""诉求类别 are configured vocabulary: each page names a category in the UI's language (its
English name, the Chinese when none is set); the export stays Chinese (a 清单)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.engagement.forms import RequestFilter, RequestForm
from keyprojects.engagement.models import RequestCategory

from .conftest import raise_request

pytestmark = pytest.mark.django_db


def _cell(html: str, text: str) -> bool:
    return f"<td>{text}</td>" in html


def test_the_request_pages_name_the_category_in_the_pages_language(compiled, client, eng):  # noqa: F811
    req = raise_request(eng)
    client.force_login(eng.users.city)
    zh_list = client.get("/engagement/").content.decode()
    zh_detail = client.get(f"/engagement/{req.pk}/").content.decode()
    assert _cell(zh_list, "要素保障") and "Factor support" not in zh_list
    assert "要素保障" in zh_detail and "Factor support" not in zh_detail
    _switch_to_english(client)
    en_list = client.get("/engagement/").content.decode()
    assert _cell(en_list, "Factor support") and "要素保障" not in en_list  # the row and the filter's choices
    assert ">Workforce</option>" in en_list and ">用工</option>" not in en_list
    assert "Factor support" in client.get(f"/engagement/{req.pk}/").content.decode()
    assert ">Approval services</option>" in client.get("/engagement/new/").content.decode()
    # the 一企一策 profile lists the enterprise's requests with their category
    profile = client.get(reverse("partnership:profile", args=[eng.ent.pk])).content.decode()
    assert _cell(profile, "Factor support") and "要素保障" not in profile


def test_a_category_without_english_falls_back_to_chinese(compiled, client, eng):  # noqa: F811
    RequestCategory.objects.filter(code="factor").update(name_en="")
    raise_request(eng)
    client.force_login(eng.users.city)
    _switch_to_english(client)
    page = client.get("/engagement/").content.decode()
    assert _cell(page, "要素保障") and ">Financing</option>" in page


def test_forms_label_categories_in_the_active_language(eng):
    with translation.override("en"):
        labels = [str(label) for _v, label in RequestForm().fields["category"].choices]
        assert labels[1:] == ["Factor support", "Approval services", "Financing", "Workforce", "Policy benefits", "Other"]
        assert "Financing" in [str(label) for _v, label in RequestFilter().fields["category"].choices]
    with translation.override("zh-hans"):
        assert [str(label) for _v, label in RequestForm().fields["category"].choices][1:3] == ["要素保障", "审批服务"]


def test_the_export_names_categories_in_chinese_in_any_language(compiled, client, eng):  # noqa: F811
    raise_request(eng)
    client.force_login(eng.users.city)
    _switch_to_english(client)
    sheet = load_workbook(io.BytesIO(client.get("/engagement/export.xlsx").content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "要素保障" in values and "Factor support" not in values
