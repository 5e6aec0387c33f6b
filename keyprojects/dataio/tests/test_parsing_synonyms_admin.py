"""Synonyms province staff add in the business configuration reach the parser; changes are
audited; administrators may not change them (issue 11)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import make_user
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio.models import HeaderSynonym
from keyprojects.dataio.parsing import parse_file
from keyprojects.dataio.reader import UnreadableFile
from keyprojects.dataio.synonyms import load_extra_synonyms

pytestmark = pytest.mark.django_db

URL = "/config/dataio/headersynonym/"  # business configuration: province staff (issue 11)


def workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名儿", "投资盘子（亿元）"])
    ws.append(["项目甲", 2])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def staff(username: str, role: str):
    user = make_user(username, role, region="370000" if role == "province" else None)
    user.is_staff = True
    user.save()
    return user


def test_province_staff_add_a_synonym_that_the_parser_uses(client):
    with pytest.raises(UnreadableFile):
        parse_file(workbook(), filename="a.xlsx", extra_synonyms=load_extra_synonyms())
    client.force_login(staff("prov", "province"))
    assert client.get(URL).status_code == 200
    resp = client.post(f"{URL}add/", {"header": "项目名儿", "field": "name", "note": "某区的表"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    resp = client.post(f"{URL}add/", {"header": "投资盘子", "field": "total_investment"})
    assert resp.status_code == 302
    assert load_extra_synonyms() == {"项目名儿": "name", "投资盘子": "total_investment"}
    (res,) = parse_file(workbook(), filename="a.xlsx", extra_synonyms=load_extra_synonyms())
    assert res.rows[0].values == {"name": "项目甲", "total_investment": 20000}  # the header's 亿元 still applies
    events = AuditEvent.objects.filter(action="config").order_by("id")
    assert [e.message for e in events] == ["新增导入表头同义词", "新增导入表头同义词"]
    assert events[0].changes == {"header": [None, "项目名儿"], "field": [None, "name"], "note": [None, "某区的表"]}

    synonym = HeaderSynonym.objects.get(header="投资盘子")
    resp = client.post(f"{URL}{synonym.pk}/change/", {"header": "投资盘子", "field": "annual_plan", "note": ""})
    assert resp.status_code == 302
    assert AuditEvent.objects.filter(action="config").order_by("id").last().changes == {"field": ["total_investment", "annual_plan"]}
    resp = client.post(f"{URL}{synonym.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    assert AuditEvent.objects.filter(action="config").order_by("id").last().message == "删除导入表头同义词"
    assert load_extra_synonyms() == {"项目名儿": "name"}


def test_a_header_that_is_only_a_unit_is_refused(client):
    client.force_login(staff("prov", "province"))
    resp = client.post(f"{URL}add/", {"header": "（万元）", "field": "total_investment"})
    assert resp.status_code == 200 and "去掉单位和空格后为空" in resp.content.decode()
    assert not HeaderSynonym.objects.exists()


@pytest.mark.parametrize("role", ["sysadmin", "secadmin"])
def test_administrators_cannot_change_synonyms(client, role):
    HeaderSynonym.objects.create(header="项目名儿", field="name")
    client.force_login(staff(role, role))
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}add/", {"header": "x", "field": "name"}).status_code == 403
    synonym = HeaderSynonym.objects.get()
    assert client.post(f"{URL}{synonym.pk}/change/", {"header": "项目名儿", "field": "owner_name"}).status_code == 403
    assert HeaderSynonym.objects.get().field == "name"
    assert not AuditEvent.objects.filter(action="config").exists()


def test_synonym_pages_in_english(client, compiled):  # noqa: F811
    """The built-in reading's column and field are named in the page's language."""
    HeaderSynonym.objects.create(header="投资盘子", field="total_investment")
    client.force_login(staff("prov", "province"))
    assert "内置识别结果" in client.get(URL).content.decode()
    _switch_to_english(client)
    for page in (client.get(URL), client.get(f"{URL}add/")):
        html = page.content.decode()
        assert page.status_code == 200 and "Built-in reading" in html and "内置识别结果" not in html
