"""Configured vocabulary (catalogue rows) in the active language: ``core.localized``, asked by
every catalogue model, form, filter and stored sentence that names one."""

from __future__ import annotations

import pytest
from django.utils import translation

from keyprojects.approvals.models import ApprovalItem
from keyprojects.attraction.models import IndustryChain, ServiceItem
from keyprojects.core.errors import Message, listed
from keyprojects.core.localized import (
    LocalizedModelChoiceField,
    LocalizedModelMultipleChoiceField,
    english_names,
    forget_english_names,
    in_language,
    said_again,
)
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.engagement.models import RequestCategory

pytestmark = pytest.mark.django_db


def test_in_language_reads_the_active_language():
    with translation.override("en"):
        assert in_language("环评批复", "EIA approval") == "EIA approval"
        assert in_language("环评批复", "") == "环评批复"  # blank English: the Chinese
        assert in_language("环评批复", None) == "环评批复"
    with translation.override("en-gb"):
        assert in_language("环评批复", "EIA approval") == "EIA approval"
    with translation.override("zh-hans"):
        assert in_language("环评批复", "EIA approval") == "环评批复"
    with translation.override(None):  # translations deactivated: the Chinese
        assert in_language("环评批复", "EIA approval") == "环评批复"


@pytest.mark.parametrize(
    ("row", "zh", "en"),
    [
        (lambda: RequestCategory.objects.get(code="factor"), "要素保障", "Factor support"),
        (lambda: ApprovalItem.objects.get(code="eia"), "环评批复", "Environmental impact assessment approval"),
        (lambda: ServiceItem.objects.get(stage="negotiation", name="组织实地考察"), "组织实地考察", "Organise a site visit"),
        (lambda: IndustryChain.objects.create(name="生物医药", name_en="Biomedicine"), "生物医药", "Biomedicine"),
    ],
)
def test_every_catalogue_model_has_one_display_name(row, zh, en):
    """The migrations' rows carry their English; ``__str__`` (audit records, admin) stays Chinese."""
    obj = row()
    with translation.override("en"):
        assert obj.display_name == en and str(obj.display_name_lazy) == en
        assert obj.name == zh and zh in str(obj)
    with translation.override("zh-hans"):
        assert obj.display_name == zh and str(obj.display_name_lazy) == zh
    obj.name_en = ""
    with translation.override("en"):
        assert obj.display_name == zh  # blank English falls back to the Chinese


def test_an_items_department_and_a_units_name():
    item = ApprovalItem.objects.get(code="eia")
    with translation.override("en"):
        assert item.display_department_name == "Ecology and environment department"
    with translation.override("zh-hans"):
        assert item.display_department_name == "生态环境部门"


def test_choice_fields_label_rows_in_the_active_language():
    one = LocalizedModelChoiceField(queryset=ApprovalItem.objects.filter(code__in=["eia", "construction-permit"]))
    many = LocalizedModelMultipleChoiceField(queryset=RequestCategory.objects.filter(code="finance"))
    with translation.override("en"):
        assert [label for _v, label in one.choices][1:] == ["Environmental impact assessment approval", "Construction permit"]
        assert [label for _v, label in many.choices] == ["Financing"]
    with translation.override("zh-hans"):
        assert [label for _v, label in one.choices][1:] == ["环评批复", "施工许可"]


def test_a_refusal_names_rows_in_the_language_it_is_read_in(compiled):  # noqa: F811
    items = [
        ServiceItem.objects.get(stage="signed", name="协议合法性审查"),
        ServiceItem.objects.get(stage="signed", name="建立项目服务专班"),
    ]
    m = Message("本阶段还有必办服务事项未完成：%(items)s", items=listed([i.display_name_lazy for i in items]))
    with translation.override("en"):
        assert str(m) == "本阶段还有必办服务事项未完成：协议合法性审查、建立项目服务专班"  # what the API answers
        assert m.values["items"] == "Legal review of the agreement, Set up a dedicated project service team"


def test_a_stored_name_is_said_again_from_one_cached_map(django_assert_num_queries):
    show = said_again("approvals.ApprovalItem")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        assert show("环评批复") == "环评批复"
    with translation.override("en"):
        with django_assert_num_queries(1):
            assert show("环评批复") == "Environmental impact assessment approval"
            assert show("施工许可") == "Construction permit"
            assert show("济南市发展和改革委员会") == "济南市发展和改革委员会"  # a unit's name: as written
        ApprovalItem.objects.filter(code="eia").update(name_en="EIA approval")
        forget_english_names("approvals.ApprovalItem")
        assert show("环评批复") == "EIA approval"
        ApprovalItem.objects.filter(code="eia").update(name_en="")
        forget_english_names("approvals.ApprovalItem")
        assert show("环评批复") == "环评批复" and "环评批复" not in english_names("approvals.ApprovalItem")
