"""The business configuration pages (/config/) in English: the assessment scheme's help texts and
the dispatch settings' refusals read in English, with no Chinese left in any help text."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.admin import DispatchConfigForm
from keyprojects.dispatch.models import DispatchConfig

CJK = re.compile(r"[\u3400-\u9fff]")
HELP = re.compile(r'<div class="help"[^>]*>(.*?)</div>\s*</div>', re.S)


@pytest.mark.django_db
def test_configuration_help_texts_in_english(compiled, client, world):  # noqa: F811
    client.force_login(world.users.province)
    _switch_to_english(client)
    page = client.get("/config/analytics/assessmentscheme/add/").content.decode()
    assert "A JSON list, one item per indicator" in page and "Province: assesses the cities" in page
    assert "completion_rate (" in page and "JSON 列表" not in page and "考核各市" not in page
    config = DispatchConfig.get()
    assert len(HELP.findall(page)) >= 2 and not [h for h in HELP.findall(page) if CJK.search(h)]
    page = client.get(f"/config/dispatch/dispatchconfig/{config.pk}/change/").content.decode()
    assert not CJK.search(page)


@pytest.mark.django_db
def test_dispatch_settings_refusals_in_english(compiled):  # noqa: F811
    form = DispatchConfigForm()
    with translation.override("en"):
        form.cleaned_data = {"plan_spread": [1, 2], "review_chain": {"county": ["town"]}}
        with pytest.raises(forms.ValidationError) as caught:
            form.clean_plan_spread()
        assert caught.value.messages == ["The monthly weights must be 12 non-negative numbers, not all 0"]
        with pytest.raises(forms.ValidationError) as caught:
            form.clean_review_chain()
        assert caught.value.messages[0].startswith("Review chain “county” is invalid")
    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as caught:
            form.clean_plan_spread()
        assert caught.value.messages == ["分月权重须为12个非负数字，且不能全为0"]
