"""A reviewer's refusals read in English in the English UI and as written in Chinese: an
acknowledgement without a reason names its checks (warning_text.ACK_REASONS_REQUIRED, said again
from the stored message), the review's own refusals (source strings of the catalogue) are
translated; the service and the API keep the Chinese message."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from keyprojects.core.errors import ValidationFailed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch import warning_text as text
from keyprojects.dispatch.services import report_acknowledge
from keyprojects.dispatch.tests.test_check_text import EXPECTED, _flagged
from keyprojects.dispatch.tests.test_plausibility import history  # noqa: F401  (the fixture)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_code, SLIP_ZH, SLIP_EN = EXPECTED[2]


def _said(resp) -> list[str]:
    return [str(m).replace("&#x27;", "'") for m in resp.context["messages"]]


def test_the_service_writes_the_refusal_in_chinese_as_before(compiled, history, client):  # noqa: F811
    dw = history
    report = _flagged(dw, client)
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:  # written in Chinese whatever the language
        report_acknowledge(user=dw.users.county, report=report, reasons={"unit_slip": "  "})
    assert exc.value.message == f"确认校验提示须逐条填写理由：{SLIP_ZH}"  # byte for byte as before
    assert exc.value.as_dict()["extra"]["fields"] == {"reasons": [exc.value.message]}  # what the API says
    with translation.override("en"):
        assert text.error_shown(exc.value.message) == f"Give a reason for each validation notice you acknowledge: {SLIP_EN}"
    with translation.override("zh-hans"):
        assert text.error_shown(exc.value.message) == exc.value.message


def test_an_acknowledgement_without_a_reason_reads_in_english(compiled, history, client):  # noqa: F811
    dw = history
    report = _flagged(dw, client)
    url = reverse("dispatch:report_acknowledge", kwargs={"pk": report.pk})
    client.get(reverse("dispatch:report", kwargs={"pk": report.pk}))  # the filler's flash message is read
    client.force_login(dw.users.county)  # the reviewer
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    said = _said(client.post(url, {"reason_unit_slip": ""}, follow=True))
    assert said == [f"确认校验提示须逐条填写理由：{SLIP_ZH}"]
    _switch_to_english(client)
    said = _said(client.post(url, {"reason_unit_slip": ""}, follow=True))
    assert said == [f"Give a reason for each validation notice you acknowledge: {SLIP_EN}"]
    assert not CJK.search(said[0])
    assert not report.flags.filter(acknowledged_at__isnull=False).exists()


def test_the_reviews_own_refusals_read_in_english(compiled, history, client):  # noqa: F811
    dw = history
    report = _flagged(dw, client)
    review = reverse("dispatch:report_review", kwargs={"pk": report.pk})
    ack = reverse("dispatch:report_acknowledge", kwargs={"pk": report.pk})
    client.get(reverse("dispatch:report", kwargs={"pk": report.pk}))  # the filler's flash message is read
    client.force_login(dw.users.county)
    _switch_to_english(client)
    # approving before the warnings are accepted
    said = _said(client.post(review, {"action": "approve", "opinion": "", "version": report.version}, follow=True))
    assert said == ["Acknowledge the validation notices before approving"]
    # the city is not the level the report waits at
    client.force_login(dw.users.city)
    said = _said(client.post(ack, {"reason_unit_slip": "已核实"}, follow=True))
    assert said == ["Only reviewers at the current review level can acknowledge validation notices"]
    client.force_login(dw.users.county)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    said = _said(client.post(review, {"action": "approve", "opinion": "", "version": report.version}, follow=True))
    assert said == ["请先确认校验提示后再审核通过"]  # Chinese as before


def test_the_fill_and_review_pages_use_ascii_punctuation_in_english(compiled, history, client):  # noqa: F811
    dw = history
    report = _flagged(dw, client)
    fill = reverse("dispatch:fill", kwargs={"period": "2026-04", "project_pk": dw.project.pk})
    zh = client.get(fill).content.decode()
    assert f"<li>{SLIP_ZH}（说明：主体设备集中到货）</li>" in zh  # as before
    _switch_to_english(client)
    en = client.get(fill).content.decode().replace("&#x27;", "'")
    assert f"<li>{SLIP_EN} (Reason: 主体设备集中到货)</li>" in en
    assert "（" not in en.replace("（通常", "")  # (a Chinese reason or name would be data)
    report_acknowledge(user=dw.users.county, report=report, reasons={"unit_slip": "已电话核实"})
    client.force_login(dw.users.county)
    review = client.get(reverse("dispatch:report", kwargs={"pk": report.pk})).content.decode()
    assert ", reason: <span" in review and "，" not in re.sub(r"已电话核实|主体设备集中到货", "", review.split("<main", 1)[1])
