"""Open data: the OC4IDS 0.9 project package validates against the published schema (read from
``../shared/data/oc4ids``, never copied into the repository), and maps amounts, codes, status,
parties, locations and the monthly figures as domain.md §7 says; command and API."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dataio.oc4ids import STATUS, export_oc4ids, oc4ids_status, yuan
from keyprojects.dispatch.services import report_acknowledge, report_review, report_save, report_submit
from keyprojects.projects.models import Project

SCHEMA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data" / "oc4ids"


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    package_path, project_path = SCHEMA_DIR / "project-package-schema.json", SCHEMA_DIR / "project-schema.json"
    if not package_path.exists() or not project_path.exists():
        pytest.skip(f"OC4IDS schemas not found in {SCHEMA_DIR}")
    package_schema = json.loads(package_path.read_text(encoding="utf-8"))
    project_schema = json.loads(project_path.read_text(encoding="utf-8"))
    # The package refers to the project schema by its published URI: resolve it locally.
    registry = Registry().with_resource(project_schema["id"], Resource.from_contents(project_schema))
    cls = jsonschema.validators.validator_for(package_schema)
    assert cls is jsonschema.Draft4Validator  # as the schema declares
    cls.check_schema(package_schema)
    return cls(package_schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def assert_valid(validator: Any, package: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def approve(dw: Any, project: Project, period: Any, amount: str, **data: Any) -> None:
    root = dw.users.superuser
    r = report_save(user=root, project=project, period=period, data={"invested_month": amount, **data})
    report_submit(user=root, report=r, reasons=EXPLAINED)
    r.refresh_from_db()
    while r.status == "submitted":
        report_acknowledge(user=dw.users.superuser_reviewer, report=r, reason="已核实")  # four eyes
        report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
        r.refresh_from_db()


@pytest.fixture
def seeded(dw: Any) -> Any:
    """The world's projects plus one per remaining stage: coded, located and dated; completed;
    suspended; cancelled; a bare reserve project without code, owner, dates or plan."""
    p = dw.projects
    Project.objects.filter(pk=p.own_county.pk).update(
        project_code="2403-370102-04-01-12345X",
        content="新能源乘用车及零部件产业园二期",
        location="济南市历下区经十路",
        latitude=D("36.651200"),
        longitude=D("117.120000"),
        planned_start=dt.date(2024, 3, 1),
        planned_completion=dt.date(2026, 12, 31),
        industry_section="C",
    )
    dw.completed = ProjectFactory(
        name="已竣工项目",
        region_id="370103",
        stage="production",
        actual_start=dt.date(2024, 1, 1),
        actual_completion=dt.date(2025, 6, 30),
        industry_section="D",
        plan=(2025, 300, "city"),
    )
    dw.suspended = ProjectFactory(name="停缓建项目", region_id="370102", stage="suspended", stage_before_suspension="construction")
    dw.cancelled = ProjectFactory(name="退库项目", region_id="370102", stage="cancelled", category="social")
    dw.bare = ProjectFactory(name="储备项目（无代码无日期）", region_id="370102", stage="reserve", category="urban")
    approve(dw, p.own_county, dw.p1, "100", physical_progress="桩基施工", physical_progress_pct="12.5")
    approve(dw, p.own_county, dw.p2, "20.5")
    report_save(user=dw.users.county, project=p.own_county, period=dw.p3, data={"invested_month": "999"})  # a draft: not published
    for obj in (p.own_county, dw.ent):
        obj.refresh_from_db()
    return dw


def by_title(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in package["projects"]}


def test_package_is_schema_valid_and_maps_the_registry(seeded: Any, validator: Any) -> None:
    dw = seeded
    package = export_oc4ids()
    assert_valid(validator, package)
    broken = json.loads(json.dumps(package))
    broken["projects"][0]["status"] = "underConstruction"
    broken["projects"][0]["budget"]["amount"]["amount"] = "1亿"
    assert len(list(validator.iter_errors(broken))) == 2  # the project schema is really applied
    assert package["version"] == "0.9" and package["publisher"]["name"] and package["uri"]
    projects = by_title(package)
    assert len(projects) == Project.objects.count() == len({p["id"] for p in package["projects"]})

    p = projects["历下区项目"]
    assert p["id"] == f"kp-{dw.projects.own_county.pk}"
    assert p["identifiers"] == [{"id": "2403-370102-04-01-12345X", "scheme": "CN-GBT40058"}]
    assert p["status"] == "implementation" and p["sector"] == ["economy"]
    assert p["description"] == "新能源乘用车及零部件产业园二期"
    assert p["budget"]["amount"] == {"amount": 100_000_000, "currency": "CNY"}  # 10000 万元
    assert p["budget"]["budgetBreakdowns"][0]["budgetBreakdown"][0]["amount"] == {"amount": 12_000_000, "currency": "CNY"}
    loc = p["locations"][0]
    assert loc["address"]["region"] == "山东省济南市历下区" and loc["gazetteer"]["identifiers"] == ["370102"]
    assert loc["geometry"] == {"type": "Point", "coordinates": [117.12, 36.6512]}
    owner = p["parties"][0]
    assert owner["identifier"] == {"scheme": "CN-USCC", "id": dw.ent.uscc, "legalName": "比亚迪汽车（济南）有限公司"}
    assert p["publicAuthority"] == {"id": owner["id"], "name": owner["name"]}
    assert p["period"] == {"startDate": "2024-03-01T00:00:00+08:00", "endDate": "2026-12-31T23:59:59+08:00"}
    assert "completion" not in p

    metrics = {m["id"]: m["observations"] for m in p["metrics"]}
    money = metrics["financialProgress"]
    assert [o["id"] for o in money] == ["2026-01", "2026-02"]  # approved months only, the draft is not published
    assert money[0]["value"] == {"amount": 1_000_000, "currency": "CNY"}
    assert money[1]["value"] == {"amount": 205_000, "currency": "CNY"}
    assert money[1]["period"] == {"startDate": "2026-02-01T00:00:00+08:00", "endDate": "2026-02-28T23:59:59+08:00"}
    assert metrics["physicalProgress"] == [
        {
            "id": "2026-01",
            "period": {"startDate": "2026-01-01T00:00:00+08:00", "endDate": "2026-01-31T23:59:59+08:00"},
            "measure": 12.5,
            "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
            "notes": "桩基施工",
        }
    ]

    done = projects["已竣工项目"]
    assert done["status"] == "maintenance" and done["completion"] == {"endDate": "2025-06-30T23:59:59+08:00"}
    assert done["sector"] == ["energy"]
    assert projects["停缓建项目"]["status"] == "implementation"
    assert projects["退库项目"]["status"] == "cancelled"
    bare = projects["储备项目（无代码无日期）"]
    assert bare["status"] == "identification"
    assert not {"identifiers", "period", "parties", "metrics", "completion", "description", "sector"} & set(bare)
    assert bare["budget"] == {"amount": {"amount": 100_000_000, "currency": "CNY"}}


def test_status_mapping_covers_every_stage() -> None:
    assert STATUS == {
        "reserve": "identification",
        "preparation": "preparation",
        "construction": "implementation",
        "completed": "completion",
        "production": "maintenance",
        "effective": "maintenance",
        "cancelled": "cancelled",
    }
    assert oc4ids_status(Project(stage="suspended", stage_before_suspension="preparation")) == "preparation"
    assert yuan(D("1.2345")) == 12345 and yuan(D("3.5")) == 35000 and yuan(None) == 0


def test_scope_and_subset(seeded: Any, validator: Any) -> None:
    dw = seeded
    mine = export_oc4ids(user=dw.users.county)
    assert_valid(validator, mine)
    assert set(by_title(mine)) == {"历下区项目", "停缓建项目", "退库项目", "储备项目（无代码无日期）"}
    assert set(by_title(export_oc4ids(user=dw.users.enterprise))) == {"历下区项目"}
    one = export_oc4ids(projects=[dw.projects.other_city])
    assert [p["title"] for p in one["projects"]] == ["青岛市南区项目"]
    assert export_oc4ids(user=dw.users.county, projects=[dw.projects.other_city])["projects"] == []


def test_command_writes_the_package(seeded: Any, validator: Any, tmp_path: Path) -> None:
    out = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", output=str(out), stderr=io.StringIO())
    package = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(validator, package)
    assert len(package["projects"]) == Project.objects.count()
    assert not list(tmp_path.glob(".*.tmp"))
    assert AuditEvent.objects.filter(action="export", changes__kind="oc4ids").exists()

    buf = io.StringIO()
    call_command("export_oc4ids", region="370200", indent=0, stdout=buf)
    package = json.loads(buf.getvalue())
    assert_valid(validator, package)
    assert [p["title"] for p in package["projects"]] == ["青岛市南区项目"]


def test_api_returns_the_package_in_scope(seeded: Any, validator: Any) -> None:
    dw = seeded
    api = APIClient()
    assert api.get("/api/v1/oc4ids/").status_code == 401
    api.force_authenticate(dw.users.county)
    resp = api.get("/api/v1/oc4ids/")
    assert resp.status_code == 200
    package = resp.json()
    assert_valid(validator, package)
    assert package["uri"] == "http://testserver/api/v1/oc4ids/"
    assert "青岛市南区项目" not in by_title(package) and "历下区项目" in by_title(package)
    assert api.get("/api/v1/oc4ids/", {"region": "999999"}).status_code == 404
    assert api.get("/api/v1/oc4ids/", {"region": "370200"}).json()["projects"] == []

    api.force_authenticate(dw.users.province)
    package = api.get("/api/v1/oc4ids/", {"region": "370200"}).json()
    assert_valid(validator, package)
    assert [p["title"] for p in package["projects"]] == ["青岛市南区项目"]
