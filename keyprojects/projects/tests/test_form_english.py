"""The project form's messages in the English UI: the total investment's validation (negative,
changed tenfold) and the card's own rules read in English at the field, and as before in
Chinese; the service and the API keep the Chinese message."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.utils import translation

from keyprojects.core.errors import ValidationFailed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.rules import TOTAL_JUMP, total_investment_jump
from keyprojects.projects.forms import service_message
from keyprojects.projects.models import Project
from keyprojects.projects.services import project_update
from keyprojects.projects.tests.test_views_forms import card, field_error

JUMP_ZH = "总投资由3,960万元改为4,000,000万元，相差10倍以上：请确认单位是否为万元；确需调整的，请填写调整原因"
JUMP_EN = (
    "The total investment changes from 3,960 to 4,000,000 (10k CNY), a factor of 10 or more: please check that the unit is"
    " 10k CNY; if it really changes, give the reason for the change"
)


def test_the_jump_is_written_in_chinese_as_before_and_said_in_english(compiled):  # noqa: F811
    with translation.override("en"):
        written = total_investment_jump(D(3960), D(4_000_000), slip_factor=10)
    assert written == JUMP_ZH
    with translation.override("en"):
        assert service_message(written) == TOTAL_JUMP.say(written) == JUMP_EN
    with translation.override("zh-hans"):
        assert service_message(written) == JUMP_ZH


@pytest.mark.parametrize(
    "field, value, zh, english",
    [
        ("total_investment", "-5", "总投资不能为负数", "The total investment must not be negative"),
        ("annual_plan", "-1", "年度计划投资不能为负数", "The annual planned investment must not be negative"),
        ("latitude", "95", "纬度应在 -90 到 90 之间", "The latitude must be between -90 and 90"),
        (
            "planned_completion",
            "2020-01-01",
            "计划竣工日期不能早于计划开工日期",
            "The planned completion date cannot be before the planned start date",
        ),
    ],
)
def test_the_forms_messages_at_the_field(compiled, world, client, field, value, zh, english):  # noqa: F811
    p = world.projects.own_county
    client.force_login(world.users.county)
    data = card(p, **{"planned_start": "2024-03-01", field: value})
    assert zh in field_error(client.post(f"/projects/{p.pk}/edit/", data).content.decode(), field)
    _switch_to_english(client)
    said = field_error(client.post(f"/projects/{p.pk}/edit/", data).content.decode().replace("&#x27;", "'"), field)
    assert english in said and zh not in said


def test_the_tenfold_change_at_the_field_in_english(compiled, world, client):  # noqa: F811
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960))
    p.refresh_from_db()
    client.force_login(world.users.county)
    zh = client.post(f"/projects/{p.pk}/edit/", card(p, total_investment="4000000")).content.decode()
    assert JUMP_ZH in zh
    _switch_to_english(client)
    en = client.post(f"/projects/{p.pk}/edit/", card(p, total_investment="4000000")).content.decode().replace("&#x27;", "'")
    assert JUMP_EN in en and "相差10倍以上" not in en
    assert Project.objects.get(pk=p.pk).total_investment == D(3960)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:  # the service (and the API) in Chinese
        project_update(user=world.users.county, project=p, expected_version=p.version, data={"total_investment": D(4_000_000)})
    assert exc.value.message == JUMP_ZH


def test_the_pages_confirmations_in_english(compiled, world, client):  # noqa: F811
    """Created, saved and moved on: the flash messages in the page's language, as before in Chinese."""
    from keyprojects.projects.tests.test_views_forms import BASE

    p = world.projects.own_county
    client.force_login(world.users.county)
    zh = client.post(f"/projects/{p.pk}/edit/", card(p), follow=True).content.decode()
    assert "已保存" in zh
    _switch_to_english(client)
    p.refresh_from_db()
    en = client.post(f"/projects/{p.pk}/edit/", card(p), follow=True).content.decode()
    assert "Saved" in en and "已保存" not in en
    p.refresh_from_db()
    en = client.post(f"/projects/{p.pk}/transition/", {"to_stage": "preparation", "version": p.version}, follow=True).content.decode()
    assert "Changed: Preparation (current stage: Preparation)" in en and "已变更" not in en
    en = client.post(f"/projects/{p.pk}/transition/", {"to_stage": ""}, follow=True).content.decode()
    assert "Invalid request" in en and "请求无效" not in en
    en = client.post("/projects/new/", {**BASE, "name": "英文页面新建的项目"}, follow=True).content.decode()
    assert "Created project “英文页面新建的项目”" in en and "已创建项目" not in en


def test_the_detail_page_dates_in_each_language(compiled, world, client):  # noqa: F811
    """建设年限 and 开竣工时间 read 2026年8月23日 至 2028年8月31日 in Chinese and 2026-08-23 to
    2028-08-31 in English (DATE_FORMAT: the English UI shows a day as its other pages do,
    config/formats/en)."""
    import datetime as dt

    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(
        planned_start=dt.date(2026, 8, 23), planned_completion=dt.date(2028, 8, 31), actual_start=dt.date(2026, 8, 3)
    )
    client.force_login(world.users.county)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert "2026年8月23日 至 2028年8月31日" in html and "开工 2026年8月3日" in html
    _switch_to_english(client)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert "2026-08-23 to 2028-08-31" in html and "2026-08-03" in html and "年8月" not in html
