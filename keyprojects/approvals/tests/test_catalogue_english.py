"""The 审批事项 catalogue is configured vocabulary: every page names an item and its 责任部门 in
the UI's language (their English, the Chinese when none is set), and so do the warnings that
quote them; the API adds the English beside the Chinese; the export stays Chinese (a 清单)."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from keyprojects.approvals.models import ApprovalItem, ProjectApproval
from keyprojects.approvals.services import approval_items_set, approval_update
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch import warning_text as text
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import ProjectWarning

pytestmark = pytest.mark.django_db

EIA, EIA_EN = "环评批复", "Environmental impact assessment approval"
DEPT, DEPT_EN = "生态环境部门", "Ecology and environment department"


@pytest.fixture
def steps(world):
    """The 历下区 project's 环评批复 (no unit set: its department is the catalogue's) and 施工许可."""
    items = ApprovalItem.objects.filter(code__in=["eia", "construction-permit"])
    approval_items_set(user=world.users.county, project=world.projects.own_county, item_ids=[i.pk for i in items])
    eia = ProjectApproval.objects.get(project=world.projects.own_county, item__code="eia")
    world.eia = approval_update(
        user=world.users.county, approval=eia, expected_version=eia.version, data={"status": "in_progress", "applied_on": "2026-01-05"}
    )
    return world


def _pages(client, world) -> dict[str, str]:
    p = world.projects.own_county
    urls = {
        "list": "/approvals/",
        "project": f"/approvals/project/{p.pk}/",
        "edit": f"/approvals/{world.eia.pk}/edit/",
        "departments": "/approvals/departments/",
        "project detail": f"/projects/{p.pk}/",
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def test_the_approval_pages_name_items_and_departments_in_the_pages_language(compiled, client, steps):  # noqa: F811
    client.force_login(steps.users.county)
    zh = _pages(client, steps)
    for name, page in zh.items():
        assert EIA in page and EIA_EN not in page, name
    assert f"<td>{EIA}</td><td>{DEPT}</td>" in zh["list"] and f"<td>{DEPT}</td>" in zh["departments"]
    _switch_to_english(client)
    en = _pages(client, steps)
    for name, page in en.items():
        assert EIA_EN in page and EIA not in page, name  # rows, headings, the filter's and the checkboxes' labels
    assert f"<td>{EIA_EN}</td><td>{DEPT_EN}</td>" in en["list"] and "Construction permit" in en["list"]
    assert f"<td>{DEPT_EN}</td>" in en["departments"] and DEPT not in en["departments"]
    assert f"{EIA_EN} · {DEPT_EN}" in en["project detail"]
    assert "Soil and water conservation plan approval" in en["project"]  # an item not chosen yet, offered to choose
    # the list's keyword search finds an item by its English name too
    assert EIA_EN in client.get("/approvals/", {"q": "impact assessment"}).content.decode()


def test_an_item_without_english_is_shown_in_chinese(compiled, client, steps):  # noqa: F811
    ApprovalItem.objects.filter(code="eia").update(name_en="", department_name_en="")
    client.force_login(steps.users.county)
    _switch_to_english(client)
    page = client.get("/approvals/").content.decode()
    assert f"<td>{EIA}</td><td>{DEPT}</td>" in page and "Construction permit" in page


def test_the_api_adds_the_english_name_beside_the_chinese(steps):
    c = APIClient()
    c.force_authenticate(steps.users.county)
    row = c.get(f"/api/v1/approvals/{steps.eia.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (row["item_name"], row["item_name_en"], row["department"]) == (EIA, EIA_EN, DEPT)
    ApprovalItem.objects.filter(code="eia").update(name_en="")
    assert c.get(f"/api/v1/approvals/{steps.eia.pk}/").json()["item_name_en"] == ""


def test_an_overdue_warning_names_the_item_and_department_in_english(compiled, client, dw, steps):  # noqa: F811
    """The refresh stores the warning in Chinese (what exports and the API keep); the warnings page
    says the item and its department again in English, a unit's name as written."""
    message = text.SEPARATOR.join(
        [
            text.APPROVAL_OVERDUE.zh(name=EIA, days=35, limit=30, department=DEPT),
            text.APPROVAL_OVERDUE.zh(name="施工许可", days=9, limit=7, department="济南市城乡建设委员会"),
        ]
    )
    ProjectWarning.objects.create(
        project=dw.projects.own_county,
        period=dw.p2,
        kind=WarningKind.APPROVAL_OVERDUE,
        message=message,
        value=D(5),
        owner=f"{DEPT}、济南市城乡建设委员会",
    )
    client.force_login(dw.users.city)
    url = reverse("dispatch:warnings") + "?period=2026-02&kind=approval_overdue"
    zh = client.get(url).content.decode()
    assert message in zh and f"{DEPT}、济南市城乡建设委员会" in zh
    _switch_to_english(client)
    en = client.get(url).content.decode()
    assert EIA_EN in en
    assert "Construction permit" in en and EIA not in en and "施工许可" not in en
    assert f"{DEPT_EN}, 济南市城乡建设委员会" in en and DEPT not in en
    assert ProjectWarning.objects.get(kind=WarningKind.APPROVAL_OVERDUE, period=dw.p2).message == message  # stored as written


def test_the_export_stays_chinese_in_any_language(compiled, client, steps):  # noqa: F811
    client.force_login(steps.users.county)
    _switch_to_english(client)
    sheet = load_workbook(io.BytesIO(client.get("/approvals/export.xlsx").content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert EIA in values and DEPT in values and EIA_EN not in values
