"""The object an audit event is about, as the list and its export show it: the type's verbose
name, ``#id`` when the event names a record, the recorded ``str()`` unless technical — never
"项目#" with nothing after it, nor "考核结果#4 2@22" (user trial). Read from the event alone
(三权分立: no business record is looked up for the auditor)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from keyprojects.audit.forms import object_label
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.services import audit_record

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")


@pytest.mark.parametrize(
    "object_type,object_id,object_repr,expected",
    [
        ("projects.project", "123", "历下区项目", "项目#123 历下区项目"),
        ("projects.project", "123", "", "项目#123"),
        ("projects.project", "", "", "项目"),  # an export of projects: no one record
        ("audit.auditevent", "", "", "审计事件"),
        ("analytics.assessmentsnapshot", "4", "2@22", "考核结果#4"),  # a technical str()
        ("dispatch.monthlyreport", "9", "5@22", "月报#9"),
        ("projects.projectyear", "3", "5/2026", "年度计划#3"),
        ("address", "10.0.0.1", "", "IP 地址#10.0.0.1"),
        ("nowhere.model", "1", "", "nowhere.model#1"),
        ("", "", "", ""),  # a login: no object
    ],
)
def test_object_label(db, object_type, object_id, object_repr, expected):
    with translation.override("zh-hans"):
        assert object_label(object_type, object_id, object_repr) == expected


def test_a_readable_repr_that_starts_with_a_number_is_kept(db):
    with translation.override("zh-hans"):
        assert object_label("projects.project", "8", "5G基站项目") == "项目#8 5G基站项目"
        assert object_label("projects.project", "8", "2026年重点工程") == "项目#8 2026年重点工程"


def test_list_and_export_show_a_label_for_a_project_and_for_an_export(client, world):
    project = world.projects.own_county
    audit_record(action="update", user=world.users.county, obj=project, changes={"stage": ["reserve", "construction"]})
    audit_record(action="export", user=world.users.county, object_type="projects.project", changes={"rows": 4})
    client.force_login(world.users.auditor)
    html = client.get(LIST).content.decode()
    assert f"项目#{project.pk} 历下区项目</td>" in html
    assert ">项目</td>" in html  # the export: the type alone
    assert "#</" not in html and "# " not in html

    client.get(EXPORT)  # records an export of the audit log itself (审计事件, no id)
    assert AuditEvent.objects.filter(action="export", object_type="audit.auditevent", object_id="").exists()
    r = client.get(EXPORT)
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][7:10] == ("对象类型", "对象ID", "对象")
    objects = {row[9] for row in rows[1:]}
    assert {f"项目#{project.pk} 历下区项目", "项目", "审计事件"} <= objects
    assert not {o for o in objects if o and o.endswith("#")}
    assert {row[7] for row in rows[1:]} >= {"项目", "审计事件"}
