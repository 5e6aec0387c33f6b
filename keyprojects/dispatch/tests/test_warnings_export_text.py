"""The warnings' export (xlsx): the official Chinese 预警清单 (headers, title, sheet, periods,
kinds and the stored 说明) whatever the language of the request, as every export; the API keeps
the stored Chinese."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import ProjectWarning
from keyprojects.dispatch.tests.test_warning_text import CASES, _all_kinds

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# all months: N of 1-N月 is each row's 调度期 (one month chosen names it: dataio test_reimport_own_export)
HEADERS_ZH = [
    "序号", "调度期", "项目名称", "项目代码", "所属区域", "预警类型", "说明", "数值", "责任单位", "包保领导",
    "年度计划投资（万元）", "填报状态", "1-N月累计完成投资（万元）", "完成率（%）", "较序时进度（百分点）",
]  # fmt: skip


def _sheet(client):
    resp = client.get(reverse("dispatch:warnings_export"), {"period": "all"})
    assert resp.status_code == 200
    ws = load_workbook(BytesIO(resp.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    return resp, ws.title, rows[0][0], rows[1], rows[2:]


def test_the_export_in_chinese_is_as_before(compiled, client, dw):  # noqa: F811
    _all_kinds(dw)
    client.force_login(dw.users.city)
    resp, sheet, title, header, rows = _sheet(client)
    assert sheet == "预警" and title.startswith("项目预警清单（导出时间 ") and header == HEADERS_ZH
    assert "filename*=UTF-8''%E9%A2%84%E8%AD%A6%E6%B8%85%E5%8D%95-" in resp["Content-Disposition"]  # 预警清单-
    stored = {w.message for w in ProjectWarning.objects.all()}
    assert {r[6] for r in rows} == stored  # the stored messages, as ever
    assert {r[1] for r in rows} <= {"2026年1月", "2026年2月", "2026年3月"}


def test_the_export_in_english_is_the_same_chinese_list(compiled, client, dw):  # noqa: F811
    """An export is the official Chinese 清单 whatever the UI language (core.xlsx): from the
    English page the same sheet, headers, periods, kinds and stored messages."""
    _all_kinds(dw)
    client.force_login(dw.users.city)
    _resp, _sheet_zh, _title, _header, rows_zh = _sheet(client)
    _switch_to_english(client)
    resp, sheet, title, header, rows = _sheet(client)
    assert sheet == "预警" and title.startswith("项目预警清单（导出时间 ") and header == HEADERS_ZH
    assert rows == rows_zh and len(rows) == 9
    assert {r[6] for r in rows} == {w.message for w in ProjectWarning.objects.all()}
    assert all(isinstance(r[0], int) for r in rows)  # 序号 a number
    assert not {r[6] for r in rows} & {english for *_rest, english in CASES}
    assert "filename*=UTF-8''%E9%A2%84%E8%AD%A6%E6%B8%85%E5%8D%95-" in resp["Content-Disposition"]  # 预警清单-


def test_the_api_keeps_the_stored_chinese(compiled, client, dw):  # noqa: F811
    _all_kinds(dw)
    api = APIClient()
    api.force_authenticate(dw.users.city)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    results = api.get("/api/v1/warnings/").json()["results"]
    assert len(results) == 9 and {r["message"] for r in results} == {w.message for w in ProjectWarning.objects.all()}
