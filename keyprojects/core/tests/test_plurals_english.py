"""Counts read in the English plural the number needs ("1 item open", "2 items open"), in the
pages that show one count; Chinese has one form."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

CASES = [
    ("templates/dispatch/review/close.html", "共 {{ n }} 项未完成", "1 item open", "2 items open"),
    ("templates/dispatch/review/closures.html", "关账时有 {{ n }} 项未完成", "1 item open at the close", "2 items open at the close"),
    ("templates/dispatch/fill/grid.html", "共 {{ n }} 个应报项目。", "1 project due to report.", "2 projects due to report."),
    ("templates/partnership/alerts.html", "逾期 {{ n }} 天", "1 day overdue", "2 days overdue"),
    ("templates/partnership/alerts.html", "剩余 {{ n }} 天", "1 day left", "2 days left"),
    ("templates/dataio/import_batch.html", "前 {{ n }} 行", "First 1 row", "First 2 rows"),
    (
        "templates/partnership/list.html",
        "共 <strong>{{ n }}</strong> 份协议",
        "<strong>1</strong> agreement",
        "<strong>2</strong> agreements",
    ),
]


@pytest.mark.parametrize(("template", "text", "one", "two"), CASES)
def test_one_and_two_in_english(compiled, template, text, one, two):  # noqa: F811
    from django.conf import settings

    source = (settings.BASE_DIR / template).read_text()
    tag = "{% blocktranslate count n=N %}" + text + "{% plural %}" + text + "{% endblocktranslate %}"
    assert "{% plural %}" + text + "{% endblocktranslate %}" in source  # the page counts it so
    snippet = Template("{% load i18n %}" + tag.replace("count n=N", "count n=value"))
    with translation.override("en"):
        assert snippet.render(Context({"value": 1})) == one
        assert snippet.render(Context({"value": 2})) == two
    with translation.override("zh-hans"):
        assert snippet.render(Context({"value": 1})) == text.replace("{{ n }}", "1")
