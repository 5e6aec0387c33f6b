"""联系电话: telephone numbers only, one rule (core.validators.validate_phone) for the project
form, the service, the API and the importer: letters are refused with a Chinese message (English
with the language switch); mobiles, landlines, extensions and several numbers are accepted."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from keyprojects.core.validators import PHONE_MESSAGE, SERVICE_NUMBER_MESSAGE, is_valid_phone, validate_phone
from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project
from keyprojects.projects.tests.test_views_forms import card, field_error

GOOD = [
    "13800000000",
    "0531-88888888",
    "0531-88888888-123",
    "0531-88888888转123",
    "(0531)88888888",
    "88888888",
    "+86 138 0000 0000",
    "400-123-4567",
    "13800000000、0531-88888888",
    "13800000000/0531-88888888-123",
    "13800000000，13900000000",
    "0531－88888888",  # full-width dash
    "",
]
BAD = ["abc", "0531-8888888a", "1380000000O", "tel 13800000000", "13800000000 ext 12", "张三13800000000", "123", "13800000000、"]
EN_MESSAGE = "Contact phone"  # the English message starts so
#: Service hotlines reach a call centre, not the contact: refused with their own message.
SERVICE = ["12345", "95588", "96166", "13800000000、12345"]


@pytest.mark.parametrize("value", GOOD)
def test_real_formats_are_accepted(value):
    assert is_valid_phone(value)
    validate_phone(value)


@pytest.mark.parametrize("value", BAD)
def test_letters_and_fragments_are_refused(value):
    assert not is_valid_phone(value)
    with pytest.raises(ValidationError) as exc:
        validate_phone(value)
    assert str(exc.value.messages[0]) == PHONE_MESSAGE
    with translation.override("en"):
        assert str(exc.value.messages[0]).startswith(EN_MESSAGE)


@pytest.mark.parametrize("value", SERVICE)
def test_short_service_numbers_are_not_contact_numbers(value):
    assert not is_valid_phone(value)
    with pytest.raises(ValidationError) as exc:
        validate_phone(value)
    assert str(exc.value.messages[0]) == SERVICE_NUMBER_MESSAGE
    assert "12345" in (validate_phone.__doc__ or "")  # the rule says why, where it is kept
    with translation.override("en"):
        assert "hotline" in str(exc.value.messages[0])


def test_the_model_field_carries_the_rule():
    assert validate_phone in Project._meta.get_field("contact_phone").validators


# --- the project form --------------------------------------------------------------------------


def test_edit_form_refuses_letters_with_the_message(world, client):
    p = world.projects.own_county
    client.force_login(world.users.county)
    r = client.post(f"/projects/{p.pk}/edit/", card(p, contact_phone="0531-8888abcd"))
    assert r.status_code == 200
    assert field_error(r.content.decode(), "contact_phone") == PHONE_MESSAGE
    p.refresh_from_db()
    assert p.contact_phone != "0531-8888abcd"


def test_edit_form_message_in_english(world, client):
    p = world.projects.own_county
    client.force_login(world.users.county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(f"/projects/{p.pk}/edit/", card(p, contact_phone="abc"))
    assert field_error(r.content.decode(), "contact_phone").startswith(EN_MESSAGE)


@pytest.mark.parametrize("value", ["13800000000", "0531-88888888-123", "13800000000、0531-88888888"])
def test_edit_form_accepts_real_numbers(world, client, value):
    p = world.projects.own_county
    client.force_login(world.users.county)
    r = client.post(f"/projects/{p.pk}/edit/", card(p, contact_phone=value))
    assert r.status_code == 302, field_error(r.content.decode(), "contact_phone")
    p.refresh_from_db()
    assert p.contact_phone == value


def test_new_project_reports_the_phone_with_the_other_errors(world, client):
    """The new-project page names a bad 联系电话 in the same answer as a missing 项目名称, not
    only after the other fields are put right."""
    client.force_login(world.users.county)
    r = client.post("/projects/new/", {"name": "", "category": "industry", "nature": "new", "contact_phone": "abc"})
    html = r.content.decode()
    assert r.status_code == 200
    assert field_error(html, "name") and field_error(html, "contact_phone") == PHONE_MESSAGE
    assert html.count(PHONE_MESSAGE) == 1  # said once
    assert not Project.objects.filter(contact_phone="abc").exists()


# --- the importer: the same rule, an error on the row ------------------------------------------

HEADERS = ["序号", "项目名称", "所属区域", "建设性质", "项目类别", "总投资（万元）", "联系电话"]


def workbook(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("项目")
    ws.write_row(0, 0, ["2026年历下区重点项目表"])
    ws.write_row(1, 0, HEADERS)
    for i, row in enumerate(rows):
        ws.write_row(2 + i, 0, row)
    wb.close()
    return buf.getvalue()


def test_import_refuses_a_phone_with_letters_on_its_row(world):
    data = workbook(
        [
            [1, "历下区电话甲项目", "历下区", "新开工", "产业项目", 5000, "0531-88888888-123"],
            [2, "历下区电话乙项目", "历下区", "新开工", "产业项目", 5000, "0531-8888ABCD"],
            [3, "历下区电话丙项目", "历下区", "新开工", "产业项目", 5000, "13800000000、0531-88888888"],
        ]
    )
    out = import_file(user=world.users.county, data=data, filename="电话.xlsx", dry_run=True)
    errors = [(e.row, e.column, e.value, e.message) for e in out.errors]
    assert errors == [(4, "联系电话", "0531-8888ABCD", PHONE_MESSAGE)]  # Excel's row 4: the second project
    assert not Project.objects.filter(name__startswith="历下区电话").exists()


def test_import_keeps_real_numbers(world):
    data = workbook(
        [
            [1, "历下区电话甲项目", "历下区", "新开工", "产业项目", 5000, 13800000000],  # a number cell
            [2, "历下区电话乙项目", "历下区", "新开工", "产业项目", 5000, "０５３１－８８８８８８８８"],  # full-width
            [3, "历下区电话丙项目", "历下区", "新开工", "产业项目", 5000, "13800000000/0531-88888888-123"],
        ]
    )
    out = import_file(user=world.users.county, data=data, filename="电话.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = dict(Project.objects.filter(name__startswith="历下区电话").values_list("name", "contact_phone"))
    assert got == {
        "历下区电话甲项目": "13800000000",
        "历下区电话乙项目": "0531-88888888",
        "历下区电话丙项目": "13800000000/0531-88888888-123",
    }


# --- the API: the same rule through the model field --------------------------------------------


def test_api_refuses_letters(world):
    from rest_framework.test import APIClient

    p = world.projects.own_county
    api = APIClient()
    api.force_authenticate(world.users.enterprise)
    r = api.patch(f"/api/v1/projects/{p.pk}/", {"contact_phone": "0531-8888abcd", "version": p.version}, format="json")
    assert r.status_code == 400 and PHONE_MESSAGE in str(r.json()), r.content.decode()
    r = api.patch(f"/api/v1/projects/{p.pk}/", {"contact_phone": "0531-88888888-123", "version": p.version}, format="json")
    assert r.status_code == 200, r.content.decode()
