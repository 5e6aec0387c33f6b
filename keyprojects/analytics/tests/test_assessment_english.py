"""An assessment of a month not yet closed, refused in the English UI: the month and the
refusal in English (the region's name as written); the Chinese page and the service's message
keep the Chinese text."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from keyprojects.analytics.services_assessment import PeriodNotClosed, assessment_snapshot
from keyprojects.analytics.tests.test_assessment import closed, make_scheme  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.dispatch.tests.test_views_review import messages_of

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_an_open_month_is_refused_in_english(compiled, closed, client):  # noqa: F811
    compute = reverse("analytics:assessment_compute", kwargs={"pk": closed.scheme.pk})
    client.force_login(closed.users.city)
    (zh,) = messages_of(client.post(compute, {"period": "2026-03"}, follow=True))
    assert zh == f"2026年3月尚未关账（{closed.scheme.region.name}），考核只能基于已关账的调度期计算"
    _switch_to_english(client)
    (said,) = messages_of(client.post(compute, {"period": "2026-03"}, follow=True))
    region = closed.scheme.region.name
    assert said == f"Mar 2026 is not closed yet ({region}); an assessment can only be computed for a closed period"
    assert not CJK.search(said.replace(region, "")), said
    with pytest.raises(PeriodNotClosed) as caught:
        march = ReportingPeriod.objects.get(year=2026, month=3)
        assessment_snapshot(user=closed.users.city, scheme=closed.scheme, period=march)
    assert caught.value.as_dict()["message"] == zh


def test_a_scheme_written_wrong_is_refused_in_english_in_the_configuration(compiled, rw, client):  # noqa: F811
    """The configuration site (/config/) checks the indicators' JSON with the page's language;
    the model's check keeps its Chinese text for the service and the API."""
    from keyprojects.analytics.assessment import normalise_indicators

    client.force_login(rw.users.province)
    _switch_to_english(client)
    data = {"name": "县区考核", "unit_kind": "region", "region": "370100", "indicators": '[{"indicator": "nonsense", "weight": 1}]'}
    resp = client.post("/config/analytics/assessmentscheme/add/", data)
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', resp.content.decode(), re.S)
    said = " ".join(re.sub(r"<[^>]+>", "", e).strip() for e in errors)
    assert resp.status_code == 200 and said.startswith("Indicator 1: “nonsense” does not exist; choose from: "), said
    assert ", " in said and not CJK.search(said), said
    items = [{"indicator": "start_rate", "weight": 1, "rule": "rank"}, {"indicator": "start_rate", "weight": 1, "rule": "rank"}]
    with pytest.raises(ValueError) as caught:
        normalise_indicators(items)
    assert str(caught.value) == "指标“开工率”重复"
