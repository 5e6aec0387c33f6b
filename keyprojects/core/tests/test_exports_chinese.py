"""Every Excel export is the official Chinese 清单 whatever the UI language (core.xlsx): taken
from the English UI, no sheet name, header or value is English (no choice label said in
English, no "(10k CNY)"), every sheet name is Chinese, and 序号 is a number.

One case per export URL, downloaded by a user who may, with the English UI active (the
language cookie). The import's own error list (dataio:import_issues) is not a 清单: it stays
in the uploader's language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from keyprojects.approvals.tests.test_import import lists  # noqa: F401  (fixture)
from keyprojects.approvals.tests.test_views import recorded  # noqa: F401  (fixture)
from keyprojects.attraction.tests.conftest import lead_of  # noqa: F401  (fixture)
from keyprojects.brands.tests.conftest import rnd, submitted  # noqa: F401  (fixtures)
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (fixture)
from keyprojects.cultivation.tests.conftest import clist, nominated  # noqa: F401  (fixtures)
from keyprojects.dispatch.tests.test_warning_text import _all_kinds
from keyprojects.engagement.tests.conftest import eng  # noqa: F401  (fixture)
from keyprojects.engagement.tests.test_views import data  # noqa: F401  (fixture)
from keyprojects.partnership.tests.conftest import deal  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")
#: English units and words an English-said workbook would carry.
ENGLISH_PIECES = ("10k CNY", "10k yuan", "100M CNY")


def _choices() -> list[type[models.Choices]]:
    found, todo = [], list(models.Choices.__subclasses__())
    while todo:
        c = todo.pop()
        todo += c.__subclasses__()
        if c.__module__.startswith("keyprojects."):
            found.append(c)
    return found


def english_labels() -> set[str]:
    """The English of every choice label of the project (those the catalogue translates), and the
    catalogue's yes/no/total."""
    import keyprojects  # noqa: F401  (every app's choices are imported with its models)

    def said(language: str) -> list[str]:
        with translation.override(language):
            return [str(label) for c in _choices() for _v, label in c.choices] + [str(translation.gettext(w)) for w in ("是", "否", "合计")]

    return {en for en, zh in zip(said("en"), said("zh-hans"), strict=True) if en != zh and not CJK.search(en)}


@pytest.fixture
def full(dw, lists, recorded, deal, nominated, submitted, lead_of, data):  # noqa: F811
    """The world with something in every list: warnings of every kind, a problem, the 四张清单,
    an approval, an agreement, a cultivation nomination, a brand application, a lead and an
    activity, requests and a meeting, and a closed period (its snapshot)."""
    from keyprojects.attraction.services import activity_create
    from keyprojects.dispatch.models import ProblemItem
    from keyprojects.dispatch.services import period_close

    _all_kinds(dw)
    ProblemItem.objects.create(project=dw.projects.own_county, description="用地手续未办结", created_by=dw.users.county)
    lead_of()
    activity_create(
        user=dw.users.county, data={"kind": "trip", "held_on": dt.date(2026, 2, 1), "destination": "深圳", "participants": "区长"}
    )
    dw.closure = period_close(user=dw.users.city, period=dw.p2, confirm="2026-02")
    dw.round, dw.clist = submitted.round, nominated.cultivation_list
    return dw


def _cases(w: Any) -> dict[str, tuple[Any, str]]:
    """Export id → (user, url)."""
    u = w.users
    q = "?period=2026-02"
    return {
        "projects": (u.city, reverse("projects:export")),
        "leaders": (u.city, reverse("projects:leader_export")),
        "enterprises": (u.city, reverse("enterprises:export")),
        "warnings": (u.city, reverse("dispatch:warnings_export") + "?period=all"),
        "problems": (u.city, reverse("dispatch:problems_export") + "?status=all"),
        "grid": (u.county, reverse("dispatch:grid_export", kwargs={"period": "2026-02"})),
        "board_missing": (u.city, reverse("dispatch:missing_export", kwargs={"period": "2026-03"})),
        "close_items": (u.city, reverse("dispatch:close_items", kwargs={"period": "2026-03"}) + "?item=missing&format=xlsx"),
        "close_snapshot": (u.city, reverse("dispatch:closure_snapshot", kwargs={"period": "2026-02", "pk": w.closure.pk})),
        "dispatch_table": (u.city, reverse("dataio:dispatch_table") + q),
        "template": (u.county, reverse("dataio:template") + q),
        "approvals": (u.city, reverse("approvals:export")),
        "needs": (u.city, reverse("approvals:needs_export")),
        "agreements": (u.city, reverse("partnership:export")),
        "alerts": (u.city, reverse("partnership:alerts") + "?format=xlsx&days=3650"),
        "rates": (u.city, reverse("partnership:rates") + "?format=xlsx"),
        "profiles": (u.city, reverse("partnership:profiles") + "?format=xlsx"),
        "leads": (u.city, reverse("attraction:export")),
        "activities": (u.city, reverse("attraction:activity_export")),
        "requests": (u.province, reverse("engagement:export")),
        "departments": (u.province, reverse("engagement:departments_export")),
        "meetings": (u.province, reverse("engagement:meetings_export")),
        "brand_round": (u.city, reverse("brands:export", kwargs={"pk": w.round.pk})),
        "brand_results": (u.city, reverse("brands:results") + "?format=xlsx"),
        "cultivation": (u.city, reverse("cultivation:overview") + "?format=xlsx"),
        "cultivation_list": (u.city, reverse("cultivation:export", kwargs={"pk": w.clist.pk})),
        "rankings": (u.city, reverse("analytics:rankings_xlsx", kwargs={"period": "2026-02"})),
        "bulletin": (u.city, reverse("analytics:bulletin_xlsx", kwargs={"period": "2026-02"})),
        "audit": (u.auditor, reverse("audit:export")),
        "review_queue": (u.city, reverse("dispatch:review_export")),
    }


CASES = [
    "projects", "leaders", "enterprises", "warnings", "problems", "grid", "board_missing", "close_items", "close_snapshot",
    "dispatch_table", "template", "approvals", "needs", "agreements", "alerts", "rates", "profiles", "leads", "activities",
    "requests", "departments", "meetings", "brand_round", "brand_results", "cultivation", "cultivation_list", "rankings",
    "bulletin", "audit", "review_queue",
]  # fmt: skip


def _seq_cells(ws: Any) -> list[Any]:
    """The cells under each 序号 header down to the first one that is not a row number."""
    out = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "序号":
                for r in range(cell.row + 1, ws.max_row + 1):
                    v = ws.cell(row=r, column=cell.column).value
                    if v in (None, "", "合计", "小计") or (isinstance(v, str) and not v.strip().isdigit()):
                        break
                    out.append(v)
    return out


@pytest.mark.parametrize("case", CASES)
def test_the_export_is_chinese_from_the_english_ui(compiled, client, full, case):  # noqa: F811
    user, url = _cases(full)[case]
    english = english_labels()
    client.force_login(user)
    _switch_to_english(client)
    resp = client.get(url)
    assert resp.status_code == 200, (case, resp.status_code)
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), case
    wb = load_workbook(io.BytesIO(resp.content))
    values = 0
    for ws in wb.worksheets:
        assert CJK.search(ws.title), (case, ws.title)
        assert ws.title not in english, (case, ws.title)
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str):
                    continue
                values += 1
                assert v.strip() not in english, (case, ws.title, cell.coordinate, v)
                assert not any(p in v for p in ENGLISH_PIECES), (case, ws.title, cell.coordinate, v)
        seq = _seq_cells(ws)
        assert all(isinstance(v, int) for v in seq), (case, ws.title, seq[:5])
    assert values, case


def test_the_labels_checked_are_english():
    labels = english_labels()
    assert {"In progress", "Fulfilled", "Bank loans"} <= labels, sorted(labels)[:40]


def test_the_review_queue_title_names_the_level_in_chinese_from_the_english_ui(compiled, client, full):  # noqa: F811
    """The title is built from a lazy level label: under the builder's Chinese, not the page's English."""
    client.force_login(full.users.city)
    _switch_to_english(client)
    wb = load_workbook(io.BytesIO(client.get(reverse("dispatch:review_export")).content))
    title = wb.active["A1"].value
    assert title.startswith("待审核月报（市级审核，导出时间 "), title


@pytest.mark.parametrize("case", CASES)
def test_no_export_heads_a_year_to_date_as_a_bare_cumulative(compiled, client, full, case):  # noqa: F811
    """Every export read back by the importer (dataio.parsing): a column it reads as 开工至今累计
    says 开工 (to the importer a bare "累计完成投资" is the since-start figure, as in other offices'
    lists), one it reads as 1-N月累计 says "1-" (core.xlsx.ytd_header), and no bare 累计 is left
    unread."""
    from keyprojects.dataio.parsing import parse_file
    from keyprojects.dataio.reader import UnsafeFile

    user, url = _cases(full)[case]
    client.force_login(user)
    content = client.get(url).content
    try:
        results = parse_file(content, filename="export.xlsx")
    except UnsafeFile:
        return  # no table the importer recognises
    for res in results:
        for field, header in res.columns.items():
            if field == "invested_to_date":
                assert "开工" in header, (case, res.sheet, header)
            if field == "invested_ytd":
                assert "1-" in header, (case, res.sheet, header)
        for header in res.unmapped_columns:
            assert header.replace("（万元）", "") not in ("累计完成", "累计完成投资"), (case, res.sheet, header)
