"""A page view never opens a reporting month (issue 11: "a GET creates rows").

A month that may be opened (from January of ``KEYPROJECTS_DISPATCH_FIRST_YEAR`` to the current
month) but was not reads as not opened: nothing reported, the fill form blank; the first save
opens it. A month outside that range is refused, by the pages (404), the services and the API
(a clear message), and nothing is written.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from keyprojects.core.errors import ValidationFailed
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import MonthlyReport, ReportingPeriod
from keyprojects.dispatch.selectors import fill_window
from keyprojects.dispatch.services import period_get_or_open


def opened(year: int, month: int) -> bool:
    return ReportingPeriod.objects.filter(year=year, month=month).exists()


def test_a_month_nobody_opened_reads_as_not_opened_and_the_first_save_opens_it(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = client.get("/dispatch/", {"period": "2026-04"})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'data-testid="period-not-opened"' in page and f"/dispatch/2026-04/projects/{p.pk}/" in page
    assert resp.context["n_to_fill"] == 1 and resp.context["n_missing"] == 1
    resp = client.get(f"/dispatch/2026-04/projects/{p.pk}/")
    assert resp.status_code == 200 and "保存草稿" in resp.content.decode() and resp.context["report"] is None
    preview = client.get(f"/dispatch/2026-04/projects/{p.pk}/preview/", {"invested_month": "5"}, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert client.get("/dispatch/2026-04/grid/").status_code == 200
    assert client.get("/dispatch/2026-04/grid/export/").status_code == 200
    assert client.get("/dataio/template.xlsx", {"period": "2026-04"}).status_code == 200
    assert not opened(2026, 4) and not MonthlyReport.objects.exists()

    resp = client.post(f"/dispatch/2026-04/projects/{p.pk}/", {"invested_month": "12", "version": "0", "action": "save"})
    assert resp.status_code == 302
    period = ReportingPeriod.objects.get(year=2026, month=4)
    assert (period.fill_start, period.fill_end) == fill_window(2026, 4)
    assert MonthlyReport.objects.get(project=p, period=period).status == "draft"
    assert 'data-testid="period-not-opened"' not in client.get("/dispatch/", {"period": "2026-04"}).content.decode()


def test_a_grid_row_opens_the_month_too(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = client.post(f"/dispatch/2026-05/grid/{p.pk}/", {"invested_month": "3", "version": "0"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200
    assert MonthlyReport.objects.filter(project=p, period__year=2026, period__month=5).exists()


def test_the_issue_case_a_404_writes_nothing_and_2000_cannot_be_opened(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    assert client.get("/dispatch/2000-01/projects/999999/").status_code == 404
    assert client.get(f"/dispatch/2000-03/projects/{p.pk}/").status_code == 404
    assert client.post(f"/dispatch/2000-03/projects/{p.pk}/", {"invested_month": "1", "version": "0", "action": "save"}).status_code == 404
    assert client.get("/dispatch/", {"period": "2000-03"}).status_code == 404
    assert client.get("/dataio/template.xlsx", {"period": "2000-03"}).status_code == 404
    assert not ReportingPeriod.objects.filter(year=2000).exists() and not MonthlyReport.objects.exists()

    api = APIClient()
    api.force_authenticate(dw.users.county)
    r = api.post("/api/v1/reports/", {"project": p.pk, "period": "2000-03", "invested_month": "1"}, format="json")
    assert r.status_code == 400
    assert "超出范围" in " ".join(r.json()["extra"]["fields"]["period"])
    assert not ReportingPeriod.objects.filter(year=2000).exists() and not MonthlyReport.objects.exists()


@pytest.mark.parametrize(("year", "month"), [(2000, 3), (2019, 12), (2099, 1)])
def test_the_service_refuses_a_month_outside_the_range_with_a_clear_message(dw, year, month):
    with pytest.raises(ValidationFailed) as exc:
        period_get_or_open(year=year, month=month)
    assert "调度期超出范围" in exc.value.message and "2020年1月" in exc.value.message
    assert not opened(year, month)


def test_the_range_refusal_is_said_in_the_page_language(dw, compiled):  # noqa: F811
    from django.utils import timezone, translation

    from keyprojects.core.errors import shown

    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        period_get_or_open(year=2000, month=3)
    message = exc.value.message
    assert str(message) == f"调度期超出范围：只能是2020年1月至{today.year}年{today.month}月"  # stored and answered in Chinese
    with translation.override("en"):
        assert shown(message) == f"The dispatch period is out of range: it must be between Jan 2020 and {today:%b %Y}"


@override_settings(KEYPROJECTS_DISPATCH_FIRST_YEAR=2015)
def test_the_first_year_is_a_setting_and_opened_months_stay_readable(dw, client):
    assert period_get_or_open(year=2015, month=1).pk
    with override_settings(KEYPROJECTS_DISPATCH_FIRST_YEAR=2020):
        assert period_get_or_open(year=2015, month=1).pk  # already opened: found, not refused
        client.force_login(dw.users.county)
        assert client.get(f"/dispatch/2015-01/projects/{dw.projects.own_county.pk}/").status_code == 200


@pytest.mark.parametrize("period", [(2019, 6), (2099, 1)])
def test_an_import_of_a_month_outside_the_range_is_a_row_error_not_a_crash(dw, period):
    from keyprojects.dataio.services import import_parsed
    from keyprojects.dataio.types import FIELD_LABELS, ParsedRow, ParseResult

    values = {"name": dw.projects.own_county.name, "invested_month": 5}
    row = ParsedRow(sheet="Sheet1", row=4, values=values, cells={k: (FIELD_LABELS[k], str(v)) for k, v in values.items()})
    result = ParseResult(sheet="Sheet1", header_rows=(3,), columns={k: FIELD_LABELS[k] for k in values}, period=period, rows=[row])
    out = import_parsed(user=dw.users.county, results=[result], filename="t.xlsx", sha256=f"range-{period[0]}")
    assert any("调度期超出范围" in e.message for e in out.errors), out.errors
    assert not out.written and not opened(*period) and not MonthlyReport.objects.exists()
