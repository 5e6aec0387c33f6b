"""分月计划批量填报 page (/projects/plans/): who sees, downloads and uploads; the preview, the
errors, the confirm and its refusals as the page says them; the links to the page."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyPlan
from keyprojects.dispatch.services_plans import monthly_plan_set

PAGE = "/projects/plans/"
SHEET = "/projects/plans/2026/sheet.xlsx"
CURVE = [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200]


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def filled(content, values_by_name):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    for r in range(4, ws.max_row + 1):
        values = values_by_name.get(ws.cell(r, 2).value)
        for m, v in enumerate(values or []):
            ws.cell(r, 6 + m).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("分月计划.xlsx", buf.getvalue())


def upload(client, file):
    return client.post(f"{PAGE}?year=2026", {"year": "2026", "file": file})


def token(html):
    m = re.search(r'name="token" value="([^"]+)"', html)
    return m.group(1) if m else ""


@pytest.mark.parametrize(
    ("username", "page", "sheet", "can_upload"),
    [
        ("lixia", 200, 200, True),
        ("jinan", 200, 200, True),
        ("fgw", 200, 200, True),
        ("leader", 200, 200, False),
        ("byd", 403, 403, False),
        ("sysadmin", 403, 403, False),
        ("secadmin", 403, 403, False),
        ("auditor", 403, 403, False),
    ],
)
def test_each_role(client, dw, username, page, sheet, can_upload):
    login(client, username)
    r = client.get(f"{PAGE}?year=2026")
    assert r.status_code == page
    assert client.get(SHEET).status_code == sheet
    if page == 200:
        html = r.content.decode()
        assert ('data-testid="bulk-upload"' in html) is can_upload
        assert ('data-testid="bulk-read-only"' in html) is not can_upload
    if not can_upload:
        file = SimpleUploadedFile("a.xlsx", b"PK")
        assert upload(client, file).status_code == 403
        assert client.post("/projects/plans/confirm/", {"token": "x", "year": "2026"}).status_code == 403


def test_links_from_the_project_list_and_the_tasks(client, dw):
    login(client, "lixia")
    assert 'data-testid="plans-bulk-link"' in client.get("/projects/").content.decode()
    assert 'data-testid="plans-bulk-link"' in client.get("/dispatch/").content.decode()
    client.logout()
    login(client, "byd")
    assert 'data-testid="plans-bulk-link"' not in client.get("/projects/").content.decode()


def test_round_trip_on_the_page(client, dw):
    login(client, "jinan")
    r = client.get(SHEET)
    assert r["Content-Type"].startswith("application/vnd.openxmlformats") and "attachment" in r["Content-Disposition"]
    assert AuditEvent.objects.filter(action="export", object_type="dispatch.monthlyplan").exists()
    r = upload(client, filled(r.content, {"历下区项目": CURVE}))
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="bulk-change"' in html and html.count('data-testid="bulk-change"') == 1
    assert "将修改 1 个项目，2 个项目未改动" in html and not MonthlyPlan.objects.exists()
    r = client.post("/projects/plans/confirm/", {"token": token(html), "year": "2026"}, follow=True)
    assert "已导入1个项目的分月计划" in r.content.decode()
    p = dw.projects.own_county
    assert list(MonthlyPlan.objects.filter(project=p).order_by("month").values_list("planned", flat=True)) == [D(v) for v in CURVE]


def test_errors_are_listed_and_nothing_can_be_confirmed(client, dw):
    login(client, "lixia")
    content = client.get(SHEET).content
    html = upload(client, filled(content, {"历下区项目": [100] * 11 + [99]})).content.decode()
    assert 'data-testid="bulk-errors"' in html and 'data-testid="bulk-confirm"' not in html
    assert "12个月合计1,199.00万元，2026年年度计划投资1,200.00万元，相差1.00万元" in html
    html = upload(client, SimpleUploadedFile("a.xlsm", b"PK\x03\x04junk")).content.decode()
    assert 'data-testid="bulk-file-error"' in html


def test_a_stale_preview_is_refused_on_the_page(client, dw):
    login(client, "lixia")
    html = upload(client, filled(client.get(SHEET).content, {"历下区项目": CURVE})).content.decode()
    monthly_plan_set(
        user=dw.users.county_clerk, project=dw.projects.own_county, year=2026, months=["120"] * 10 + ["0", "0"], expected=["100"] * 12
    )
    html = client.post("/projects/plans/confirm/", {"token": token(html), "year": "2026"}).content.decode()
    assert 'data-testid="bulk-refused"' in html and "预览之后，以下项目的分月计划已被修改：历下区项目" in html
    assert MonthlyPlan.objects.filter(project=dw.projects.own_county, month=1).get().planned == D(120)


def test_the_page_in_english(client, dw):
    login(client, "lixia")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = upload(client, filled(client.get(SHEET).content, {"历下区项目": ["x"] + [100] * 11})).content.decode()
    assert "Jan" in html and "Enter a number (unit: 10k CNY)" in html
    # the sheet stays Chinese
    wb = openpyxl.load_workbook(io.BytesIO(client.get(SHEET).content))
    assert wb.active.cell(3, 2).value == "项目名称"


def sheet_names(content):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return {ws.cell(r, 2).value for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value}


def test_a_city_narrows_the_page_the_sheet_and_the_upload_to_a_county(client, dw):
    login(client, "jinan")
    html = client.get(f"{PAGE}?year=2026").content.decode()
    assert 'data-testid="region-select"' in html and '<option value="370102">　历下区</option>' in html
    assert 'value="370202"' not in html  # another city's county is not offered
    assert "共 3 个项目" in html and 'data-testid="bulk-region"' not in html
    html = client.get(f"{PAGE}?year=2026&region=370102").content.decode()
    assert '<option value="370102" selected>' in html and 'data-testid="bulk-region"' in html
    assert "只含济南市历下区的项目" in html and "共 1 个项目" in html
    assert f"{SHEET}?region=370102" in html and 'name="region" value="370102"' in html
    r = client.get(f"{SHEET}?region=370102")
    assert sheet_names(r.content) == {"历下区项目"} and quote("分月计划批量填报-济南市历下区-2026.xlsx") in r["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "（济南市历下区）" in wb.active.cell(1, 1).value
    event = AuditEvent.objects.filter(action="export", object_type="dispatch.monthlyplan").latest("pk")
    assert event.changes["region"] == "370102" and event.changes["rows"] == 1
    # the whole city's sheet uploaded while narrowed: the other projects are refused as outside the region
    whole = client.get(SHEET).content
    file = filled(whole, {"历下区项目": CURVE, "市中区项目": [0, 0, 200, 100, 100, 100, 100, 100, 100, 0, 0, 0]})
    html = client.post(f"{PAGE}?year=2026&region=370102", {"year": "2026", "region": "370102", "file": file}).content.decode()
    assert 'data-testid="bulk-errors"' in html and 'data-testid="bulk-confirm"' not in html
    sib = dw.projects.sibling_county.pk
    assert f"项目“{sib}”不在所选区域（济南市历下区）内" in html and html.count('data-testid="bulk-error"') == 2  # 市中区, 济南市本级
    assert not MonthlyPlan.objects.exists()
    # its own sheet goes through, and the page comes back narrowed
    file = filled(client.get(f"{SHEET}?region=370102").content, {"历下区项目": CURVE})
    html = client.post(f"{PAGE}?year=2026&region=370102", {"year": "2026", "region": "370102", "file": file}).content.decode()
    assert 'name="region" value="370102"' in html and token(html)
    r = client.post("/projects/plans/confirm/", {"token": token(html), "year": "2026", "region": "370102"})
    assert r.status_code == 302 and r["Location"].endswith("?year=2026&region=370102")
    assert set(MonthlyPlan.objects.values_list("project_id", flat=True)) == {dw.projects.own_county.pk}


def test_a_region_outside_the_scope_is_a_404_saying_so(client, dw):
    login(client, "jinan")
    for code in ("370202", "999999", "abc"):  # another city's county, nothing, not a code: said alike
        r = client.get(f"{PAGE}?year=2026&region={code}")
        html = r.content.decode()
        assert r.status_code == 404 and "所选区域不存在或不在您的管辖范围内" in html
        assert 'data-testid="region-select"' in html and 'data-testid="bulk-export"' not in html and "青岛" not in html
        assert client.get(f"{SHEET}?region={code}").status_code == 404
        assert upload(client, SimpleUploadedFile("a.xlsx", b"PK")).status_code == 200  # (no region: the page)
        r = client.post(f"{PAGE}?year=2026&region={code}", {"year": "2026", "region": code, "file": SimpleUploadedFile("a.xlsx", b"PK")})
        assert r.status_code == 404
    client.logout()
    login(client, "lixia")  # a county has nothing to choose, and cannot widen itself
    html = client.get(f"{PAGE}?year=2026").content.decode()
    assert 'data-testid="region-select"' not in html
    assert client.get(f"{PAGE}?year=2026&region=370102").status_code == 200
    assert client.get(f"{PAGE}?year=2026&region=370100").status_code == 404
    assert client.get(f"{SHEET}?region=370103").status_code == 404


def test_the_province_and_a_leader_narrow_too(client, dw):
    login(client, "prov")
    html = client.get(f"{PAGE}?year=2026").content.decode()
    assert '<option value="370200">青岛市</option>' in html and '<option value="370202">　市南区</option>' in html
    assert sheet_names(client.get(f"{SHEET}?region=370202").content) == {"青岛市南区项目"}
    assert sheet_names(client.get(f"{SHEET}?region=370100").content) == {"历下区项目", "市中区项目", "济南市本级项目"}
    client.logout()
    login(client, "leader")
    html = client.get(f"{PAGE}?year=2026&region=370103").content.decode()
    assert "共 1 个项目" in html and 'data-testid="bulk-read-only"' in html
    assert sheet_names(client.get(f"{SHEET}?region=370103").content) == {"市中区项目"}


def test_the_region_choice_in_english(client, dw):
    login(client, "jinan")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"{PAGE}?year=2026&region=370102").content.decode()
    assert "Projects of 济南市历下区 only" in html and "All (your jurisdiction)" in html
    html = client.get(f"{PAGE}?year=2026&region=370202").content.decode()
    assert "The region chosen does not exist or is outside your jurisdiction" in html
