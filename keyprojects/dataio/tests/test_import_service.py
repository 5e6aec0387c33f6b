"""The importer on hand-made ParseResults (the parser's contract): natural keys, the database
rules, the period's figures, scope, and all-or-nothing writes (reliability.md 3, 6, 14, 21)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keyprojects.audit.models import AuditEvent
from keyprojects.core import bulk
from keyprojects.core.errors import PermissionDenied
from keyprojects.core.testing import EnterpriseFactory, LeaderFactory, ProjectFactory, UnitFactory, uscc_for
from keyprojects.dataio import services
from keyprojects.dataio.importer import Importer
from keyprojects.dataio.models import ImportBatch, ImportStatus
from keyprojects.dataio.services import import_parsed
from keyprojects.dataio.types import FIELD_LABELS, ParsedRow, ParseResult
from keyprojects.dispatch.models import MonthlyReport, ReportFlag, ReportStep
from keyprojects.dispatch.services import period_get_or_open, report_save, report_submit
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

D = Decimal
_sha = itertools.count(1)


def prow(n: int, sheet: str = "Sheet1", **values: Any) -> ParsedRow:
    cells = {k: (FIELD_LABELS.get(k, k), str(v)) for k, v in values.items()}
    return ParsedRow(sheet=sheet, row=n, values=values, cells=cells)


def presult(rows: list[ParsedRow], period: tuple[int, int] | None = (2026, 6), sheet: str = "Sheet1") -> ParseResult:
    columns: dict[str, str] = {}
    for r in rows:
        for k in r.values:
            columns.setdefault(k, FIELD_LABELS.get(k, k))
    return ParseResult(sheet=sheet, header_rows=(3,), columns=columns, period=period, rows=rows)


def run(user: Any, rows: list[ParsedRow], *, period: tuple[int, int] | None = (2026, 6), **kw: Any) -> services.ImportOutcome:
    kw.setdefault("sha256", f"sha-{next(_sha)}")
    return import_parsed(user=user, results=[presult(rows, period=period)], filename="t.xlsx", **kw)


def messages(issues: list[Any]) -> list[str]:
    return [i.message for i in issues]


def business_rows() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "years": ProjectYear.objects.count(),
        "events": ProjectEvent.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "steps": ReportStep.objects.count(),
        "enterprises": Enterprise.objects.count(),
    }


# --- creating and matching -------------------------------------------------------------------


def test_county_imports_new_projects_with_figures(world):
    u = world.users.county
    rows = [
        prow(
            4, name="新项目甲", total_investment=D("5000"), annual_plan=D("1200"), invested_ytd=D("300"), nature="续建", category="产业项目"
        ),
        prow(5, name="新项目乙", total_investment=D("800"), annual_plan=D("600"), invested_ytd=D("0"), nature="new"),
    ]
    out = run(u, rows)
    assert out.errors == [], out.errors
    assert (out.rows, out.created, out.updated) == (2, 2, 0)
    a = Project.objects.get(name="新项目甲")
    assert a.region_id == "370102" and a.stage == "construction" and a.nature == "continuing" and a.created_by == u
    assert a.province_code == "370000" and a.city_code == "370100"
    py = ProjectYear.objects.get(project=a, year=2026)
    assert py.annual_plan == D("1200") and py.on_county_list and not py.on_city_list
    r = MonthlyReport.objects.get(project=a)
    assert (r.period.year, r.period.month, r.status, r.invested_month, r.invested_ytd) == (2026, 6, "submitted", D("300"), D("300"))
    assert r.submitted_by == u and r.pending_level == "county" and r.review_levels == ["county"]
    assert ReportStep.objects.filter(report=r, action="submit", actor=u).count() == 1
    assert ProjectEvent.objects.filter(project=a, kind="created", to_stage="construction").count() == 1
    assert ProjectEvent.objects.get(project=a, kind="created").on_date == timezone.localdate()  # (the day it was registered)
    assert Project.objects.get(name="新项目乙").stage == "preparation"  # on a list, nothing invested, not started
    b = ImportBatch.objects.get()
    assert b.status == ImportStatus.IMPORTED and b.created_count == 2 and b.rows == 2 and b.content is None
    assert out.totals == {"total_investment": "5800.0000", "annual_plan": "1800.0000", "invested_ytd": "300.0000"}
    # one audit event for the whole import, with the file hash and the counts (reliability.md 21)
    ev = AuditEvent.objects.get(action="import")
    assert ev.object_id == str(b.pk) and ev.changes["sha256"] == b.sha256 and ev.changes["rows"] == 2 and ev.changes["created"] == 2
    assert ev.actor_username == "lixia" and ev.result == "success"
    assert not AuditEvent.objects.filter(action="create", object_type="projects.project").exists()


def test_same_rows_again_match_by_name_and_region_and_change_nothing(world):
    u = world.users.county
    rows = [prow(4, name="新项目甲", total_investment=D("5000"), annual_plan=D("1200"), nature="续建", category="产业项目")]
    assert run(u, rows).created == 1
    version = Project.objects.get(name="新项目甲").version
    out = run(u, rows)
    assert out.errors == []
    assert (out.created, out.updated, out.unchanged) == (0, 0, 1)
    p = Project.objects.get(name="新项目甲")
    assert p.version == version and Project.objects.filter(name="新项目甲").count() == 1


def test_project_code_matches_and_updates_with_a_version_bump(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(project_code="2403-370102-04-01-12345A")
    before = Project.objects.get(pk=p.pk)
    rows = [prow(4, name="历下区项目（改名）", project_code="2403-370102-04-01-12345a", total_investment=D("12000"), location="经十路")]
    out = run(world.users.city, rows)
    assert out.errors == [], out.errors
    assert (out.created, out.updated) == (0, 1)
    after = Project.objects.get(pk=p.pk)
    assert (after.name, after.total_investment, after.location) == ("历下区项目（改名）", D("12000"), "经十路")
    assert after.version == before.version + 1
    assert after.owner_id == before.owner_id and after.responsible_unit_id == before.responsible_unit_id  # absent columns untouched


def test_code_given_matches_an_uncoded_project_of_the_same_name_and_sets_the_code(world):
    rows = [prow(4, name="历下区项目", project_code="2403-370102-04-01-99999X", total_investment=D("10000"))]
    out = run(world.users.county, rows)
    assert out.errors == [] and out.updated == 1 and out.created == 0
    assert Project.objects.get(pk=world.projects.own_county.pk).project_code == "2403-370102-04-01-99999X"


def test_duplicate_rows_in_the_file_are_errors(world):
    rows = [
        prow(4, name="重复项目", total_investment=D("100")),
        prow(5, name="重复项目", total_investment=D("100")),
        prow(6, name="代码项目A", project_code="2403-370102-04-01-11111A", total_investment=D("1")),
        prow(7, name="代码项目B", project_code="2403-370102-04-01-11111A", total_investment=D("1")),
    ]
    out = run(world.users.county, rows)
    dup = [(i.row, i.message) for i in out.errors]
    assert (5, "与第4行是同一项目，重复") in dup and (7, "与第6行是同一项目，重复") in dup
    assert not out.written and Project.objects.filter(name__in=["重复项目", "代码项目A"]).count() == 0


# --- validation against the database ---------------------------------------------------------


def test_unknown_unit_and_place_are_warnings_known_ones_link(world):
    unit = UnitFactory(name="历下区发展和改革局", short_name="历下发改局", region_id="370102")
    leader = LeaderFactory(name="王区长", region_id="370102")
    rows = [
        prow(4, name="甲", total_investment=D("10"), responsible_unit="历下发改局", sponsor_leader="王区长（区长）", region_text="历下区"),
        prow(5, name="乙", total_investment=D("10"), responsible_unit="不存在的局", sponsor_leader="李某", region_text="火星区"),
    ]
    out = run(world.users.city, rows, region="370102")
    assert out.errors == [], out.errors
    found = {(i.row, i.column): i.message for i in out.warnings}
    assert "无法识别的责任单位" in found[(5, "责任单位")]
    assert "无法识别的包保领导" in found[(5, "包保领导")]
    assert found[(5, "所属区域")] == "无法识别的地名，按默认区域导入"
    a, b = Project.objects.get(name="甲"), Project.objects.get(name="乙")
    assert (a.responsible_unit_id, a.sponsor_leader_id, a.region_id) == (unit.pk, leader.pk, "370102")
    assert (b.responsible_unit_id, b.sponsor_leader_id, b.region_id) == (None, None, "370102")


def test_place_names_resolve_by_scope_and_full_name(world):
    out = run(world.users.city, [prow(4, name="市中区的项目", total_investment=D("1"), region_text="市中区")])
    assert out.errors == [] and Project.objects.get(name="市中区的项目").region_id == "370103"  # Jinan's, not Zaozhuang's
    out = run(world.users.superuser, [prow(4, name="枣庄市中区的项目", total_investment=D("1"), region_text="山东省枣庄市市中区")])
    assert out.errors == [] and Project.objects.get(name="枣庄市中区的项目").region_id == "370402"
    out = run(world.users.superuser, [prow(4, name="含糊", total_investment=D("1"), region_text="市中区")])
    assert messages(out.errors) == ["该地名对应多个区县，请写明所属市（如“济南市市中区”）"]


def test_place_names_are_read_with_the_parsers_region_rule(world):
    """One rule: the importer reads 所属区域 and 建设地点 with normalize.RegionResolver (zones
    included), and only breaks its ties with the user's scope."""
    world.zone.short_name = "起步区"
    world.zone.save()
    rows = [
        prow(4, name="起步区项目", total_investment=D("1"), region_text="济南起步区崔寨街道"),
        prow(5, name="区码项目", total_investment=D("1"), region_text="370103"),
        prow(6, name="地点项目", total_investment=D("1"), location="济南市历城区港沟街道"),
        prow(7, name="简称项目", total_investment=D("1"), region_text="历下"),
    ]
    out = run(world.users.city, rows)
    assert out.errors == [], out.errors
    got = {p.name: (p.region_id, p.zone_id) for p in Project.objects.filter(name__in=[r.values["name"] for r in rows])}
    assert got == {
        "起步区项目": ("370100", world.zone.pk),
        "区码项目": ("370103", None),
        "地点项目": ("370112", None),
        "简称项目": ("370102", None),
    }


def test_scope_county_cannot_import_into_another_county_or_touch_its_projects(world):
    u = world.users.county
    out = run(u, [prow(4, name="越界", total_investment=D("1"), region_text="市中区")])
    assert messages(out.errors) == ["第 4 行：所属区域超出您的管辖范围（“市中区”不在历下区内）"] and out.errors[0].column == "所属区域"
    Project.objects.filter(pk=world.projects.sibling_county.pk).update(project_code="2403-370103-04-01-22222B")
    out = run(u, [prow(4, name="市中区项目", project_code="2403-370103-04-01-22222B", total_investment=D("1"))])
    # (the 项目代码 names 市中区: the row is outside the county's scope before it is matched)
    assert messages(out.errors) == ["第 4 行：所属区域超出您的管辖范围（“市中区”不在历下区内）"]
    out = run(u, [prow(4, name="市中区项目", region_text="", total_investment=D("1"), project_id=world.projects.sibling_county.pk)])
    assert messages(out.errors) == ["该项目已存在，但不在您的管辖范围内，不能通过导入修改"]
    assert Project.objects.get(pk=world.projects.sibling_county.pk).total_investment == D("10000")


def test_owner_by_uscc_links_registers_or_errs(world):
    ent = world.ent
    new_uscc = uscc_for("370102", 987654)
    rows = [
        prow(4, name="甲", total_investment=D("1"), owner_uscc=ent.uscc, owner_name="比亚迪"),
        prow(5, name="乙", total_investment=D("1"), owner_uscc=new_uscc, owner_name="新登记有限公司"),
        prow(6, name="丙", total_investment=D("1"), owner_name=ent.name),
    ]
    out = run(world.users.county, rows)
    assert out.errors == [], out.errors
    assert out.enterprises_created == 1
    assert Project.objects.get(name="甲").owner_id == ent.pk
    assert Project.objects.get(name="丙").owner_id == ent.pk
    new = Enterprise.objects.get(uscc=new_uscc)
    assert (new.name, new.region_id, Project.objects.get(name="乙").owner_id) == ("新登记有限公司", "370102", new.pk)
    assert any("不一致" in w.message for w in out.warnings if w.row == 4)
    # an invalid USCC and an enterprise out of reach are errors
    bad = run(
        world.users.county,
        [
            prow(4, name="丁", total_investment=D("1"), owner_uscc="91370102MA3C5LXX1X"),
            prow(5, name="戊", total_investment=D("1"), owner_uscc=world.other_ent.uscc),
        ],
    )
    assert [(i.row, i.column) for i in bad.errors] == [(4, "统一社会信用代码"), (5, "统一社会信用代码")]
    assert bad.errors[1].message == "建设单位不在您的管辖范围内"


def test_model_rules_apply(world):
    rows = [
        prow(
            4,
            name="日期颠倒",
            total_investment=D("1"),
            planned_start=dt.date(2026, 5, 1),
            planned_completion=dt.date(2025, 1, 1),
        ),
        prow(5, name="名" * 201, total_investment=D("1")),
        prow(6, name="没有总投资"),
        prow(7, name="类别不明", total_investment=D("1"), category="其他类"),
        prow(8, name="代码错", total_investment=D("1"), project_code="2403-999999-04-01-12345A"),
    ]
    out = run(world.users.county, rows)
    got = {(i.row, i.column): i.message for i in out.errors}
    assert got[(4, "计划竣工")] == "计划竣工日期不能早于计划开工日期"
    assert "200" in got[(5, "项目名称")]
    assert got[(6, "总投资（万元）")] == "总投资不能为空"
    assert got[(7, "项目类别")].startswith("项目类别应为")
    assert got[(8, "项目代码")] == "项目代码中的行政区划代码 999999 不存在"
    assert business_rows()["projects"] == 4  # the world's, nothing added


# --- figures of the period -------------------------------------------------------------------


def test_ytd_after_earlier_months_gives_the_month_and_checks_apply(dw):
    u, p = dw.users.county, dw.projects.own_county
    for period, amount in ((dw.p1, "100"), (dw.p2, "50")):
        r = report_save(user=u, project=p, period=period, data={"invested_month": amount})
        report_submit(user=u, report=r)
    out = run(u, [prow(4, name=p.name, invested_ytd=D("400"), invested_month=D("999"))], period=(2026, 3))
    assert out.errors == [], out.errors
    r = MonthlyReport.objects.get(project=p, period=dw.p3)
    assert (r.invested_month, r.invested_ytd, r.invested_to_date, r.status) == (D("250"), D("400"), D("700"), "submitted")
    assert any(w.column == "本月完成投资（万元）" and "按累计数导入" in w.message for w in out.warnings)
    # a YTD below what the earlier months already add up to is an error
    out = run(u, [prow(4, name=p.name, invested_ytd=D("120"))], period=(2026, 4))
    assert messages(out.errors) == ["1-4月累计（120）低于系统中此前各月完成投资之和（400）"]


def test_to_date_sets_the_investment_before_tracking(world):
    out = run(world.users.county, [prow(4, name="续建项目", total_investment=D("9000"), invested_ytd=D("300"), invested_to_date=D("2300"))])
    assert out.errors == [], out.errors
    p = Project.objects.get(name="续建项目")
    assert p.invested_before == D("2000") and p.nature == "continuing"
    assert MonthlyReport.objects.get(project=p).invested_to_date == D("2300")


def test_submitted_or_closed_reports_are_not_overwritten(dw):
    u, p = dw.users.county, dw.projects.own_county
    r = report_save(user=u, project=p, period=dw.p1, data={"invested_month": "10"})
    report_submit(user=u, report=r)
    same = run(u, [prow(4, name=p.name, invested_month=D("10"))], period=(2026, 1))
    assert same.errors == []  # the file states what is already submitted: nothing to do
    other = run(u, [prow(4, name=p.name, invested_month=D("11"))], period=(2026, 1))
    assert messages(other.errors) == ["该项目2026年1月月报待审核，不能通过导入修改（需退回或申请更正）"]
    dw.p2.status = "closed"
    dw.p2.save()
    closed = run(u, [prow(4, name=p.name, invested_month=D("5"))], period=(2026, 2))
    assert messages(closed.errors) == ["2026年2月已关账，数据不能再修改"]


def test_report_check_errors_block_and_warnings_become_flags(world):
    rows = [
        prow(4, name="未开工却完成", total_investment=D("100"), invested_ytd=D("10"), physical_progress_pct=D("100")),
        prow(5, name="超总投资", total_investment=D("100"), invested_ytd=D("150"), actual_start=dt.date(2025, 3, 1)),
    ]
    out = run(world.users.county, rows)
    assert messages(out.errors)[0] == "形象进度为100%但项目尚无实际开工日期"
    # cumulative above the total investment: an error since issue 10 §2 (the total is adjusted first)
    assert "超过项目总投资" in messages(out.errors)[1] and len(out.errors) == 2
    out = run(
        world.users.county, [prow(5, name="超总投资", total_investment=D("200"), invested_ytd=D("150"), actual_start=dt.date(2025, 3, 1))]
    )
    assert out.errors == []
    r = MonthlyReport.objects.get(project__name="超总投资")
    assert list(ReportFlag.objects.filter(report=r).values_list("code", "severity")) == []


def test_missing_period_is_an_error_when_the_file_has_figures(world):
    out = run(world.users.county, [prow(4, name="甲", total_investment=D("1"), invested_ytd=D("1"))], period=None)
    assert "无法确定调度期" in out.errors[0].message


def test_city_level_project_skips_the_county_review_step(world):
    out = run(world.users.city, [prow(4, name="市本级新项目", total_investment=D("10"), invested_ytd=D("1"), region_text="济南市")])
    assert out.errors == [], out.errors
    r = MonthlyReport.objects.get(project__name="市本级新项目")
    assert r.review_levels == ["city"] and r.pending_level == "city"


# --- all or nothing --------------------------------------------------------------------------


def test_any_error_writes_no_business_row_and_records_a_failed_batch(world):
    before = business_rows()
    rows = [prow(4, name="好的", total_investment=D("1"), invested_ytd=D("1")), prow(5, name="坏的")]
    out = run(world.users.county, rows)
    assert messages(out.errors) == ["总投资不能为空"] and (out.created, out.updated, out.written) == (0, 0, False)
    assert business_rows() == before
    b = ImportBatch.objects.get()
    assert b.status == ImportStatus.FAILED and b.error_count == 1 and b.errors[0]["row"] == 5
    assert AuditEvent.objects.get(action="import").result == "failed"


def test_dry_run_writes_nothing_at_all(world):
    before, audits = business_rows(), AuditEvent.objects.count()
    out = run(world.users.county, [prow(4, name="预览", total_investment=D("1"), invested_ytd=D("1"))], dry_run=True)
    assert out.errors == [] and out.created == 1 and out.reports_created == 1 and not out.written
    assert business_rows() == before and ImportBatch.objects.count() == 0 and AuditEvent.objects.count() == audits


def test_an_exception_half_way_leaves_the_database_as_before(world, monkeypatch):
    before = business_rows()
    real = bulk.BulkWriter.flush
    calls = {"n": 0}

    def flaky(self):
        calls["n"] += 1
        real(self)
        if calls["n"] == 3:  # projects and events written, then the process "dies"
            raise RuntimeError("boom")

    monkeypatch.setattr(bulk.BulkWriter, "flush", flaky)
    with pytest.raises(RuntimeError):
        run(world.users.county, [prow(4 + i, name=f"项目{i}", total_investment=D("1"), invested_ytd=D("1")) for i in range(5)])
    assert business_rows() == before and ImportBatch.objects.count() == 0


def test_scope_is_rechecked_inside_the_transaction(world, monkeypatch):
    """reliability.md 14: a project the user may not edit, found after writing, rolls it all back."""
    from keyprojects.projects.models import ProjectQuerySet

    before = business_rows()
    real = ProjectQuerySet.editable_by
    state = {"writing": False}
    real_write = Importer.write

    def write(self, plan):
        state["writing"] = True
        return real_write(self, plan)

    def editable_by(self, user):
        return self.none() if state["writing"] else real(self, user)

    monkeypatch.setattr(Importer, "write", write)
    monkeypatch.setattr(ProjectQuerySet, "editable_by", editable_by)
    out = run(world.users.county, [prow(4, name="越权", total_investment=D("1"))])
    assert messages(out.errors) == ["该项目超出您的管辖范围，导入已撤销"]
    assert business_rows() == before


def test_the_same_file_twice_is_recognised(world):
    rows = [prow(4, name="一次", total_investment=D("1"))]
    first = run(world.users.county, rows, sha256="abc")
    assert first.written
    again = run(world.users.county, rows, sha256="abc")
    assert len(again.errors) == 1 and again.errors[0].message.startswith("该文件已于") and "不能重复导入" in again.errors[0].message
    assert ImportBatch.objects.filter(status="imported").count() == 1


def test_who_may_import(world):
    for u in (world.users.enterprise, world.users.leader, world.users.auditor):
        with pytest.raises(PermissionDenied):
            run(u, [prow(4, name="x", total_investment=D("1"))])


def test_department_user_imports_into_its_unit(world):
    u = world.users.department
    out = run(u, [prow(4, name="部门项目", total_investment=D("1"), responsible_unit="别的单位")])
    assert out.errors == [], out.errors
    p = Project.objects.get(name="部门项目")
    assert (p.responsible_unit_id, p.region_id) == (world.dept.pk, "370100")


def test_query_count_does_not_grow_with_rows(world):
    """The bulk path: set queries and batched writes, never a query per row."""

    def queries(n: int, tag: str) -> int:
        rows = [
            prow(
                4 + i,
                name=f"{tag}{i}",
                total_investment=D("10"),
                annual_plan=D("5"),
                invested_ytd=D("1"),
                responsible_unit="济南市发展和改革委员会",
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            out = run(world.users.city, rows, region="370102")
        assert out.errors == [] and out.created == n
        # the refresh action's fact and warning inserts are split by the backend at its
        # parameter limit (a batch of rows each, never one per row): counted apart
        batched = ('INSERT INTO "analytics_projectperiodfact"', 'INSERT OR IGNORE INTO "dispatch_projectwarning"')
        rows_batches = [q for q in ctx.captured_queries if q["sql"].startswith(batched)]
        assert len(rows_batches) <= 2 + 2 * n // 30
        # (a big load reads, sets and restores SQLite's page cache: PRAGMAs per load, whatever its size)
        pragmas = [q for q in ctx.captured_queries if q["sql"].startswith("PRAGMA cache_size")]
        assert len(pragmas) <= 6
        return len(ctx.captured_queries) - len(rows_batches) - len(pragmas)

    queries(5, "预热")  # the first import opens the period and the dispatch settings
    # (a young table is read whole, an older one by set queries: one query more, never per row)
    assert queries(300, "甲") <= queries(30, "乙") <= queries(300, "丙") + 1


def sqlite_indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        return set(cur.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite bulk loading")
def test_a_bulk_load_into_a_young_table_sets_its_indexes_aside_and_rebuilds_them(world, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_LOAD_MIN_ROWS", 1)
    indexes = sqlite_indexes()
    rows = [prow(4 + i, name=f"批量{i}", total_investment=D("10"), invested_ytd=D("1")) for i in range(60)]
    with CaptureQueriesContext(connection) as ctx:
        out = run(world.users.county, rows)
    assert out.errors == [] and out.created == 60 and out.reports_created == 60
    sql = [q["sql"] for q in ctx.captured_queries]
    assert any(q.startswith("DROP INDEX") for q in sql) and any(q.startswith("CREATE INDEX") for q in sql)
    assert any(q.startswith("PRAGMA cache_size = -") for q in sql)  # a big page cache during the load ...
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        assert cur.fetchone()[0] == -2000  # ... and the connection's own afterwards
    assert sqlite_indexes() == indexes
    assert Project.objects.filter(name__startswith="批量", region_id="370102").count() == 60  # the indexes answer again

    # a failure half-way rolls the dropped indexes back with everything else
    real = bulk.BulkWriter.flush

    def dies(self):
        real(self)
        raise RuntimeError("boom")

    monkeypatch.setattr(bulk.BulkWriter, "flush", dies)
    before = business_rows()
    with pytest.raises(RuntimeError):
        run(world.users.county, [prow(4 + i, name=f"又一批{i}", total_investment=D("1")) for i in range(200)])
    assert sqlite_indexes() == indexes and business_rows() == before


def test_many_rows_with_one_bad_one(world):
    rows = [prow(4 + i, name=f"批量{i}", total_investment=D("10"), invested_ytd=D("1")) for i in range(500)]
    rows[321].values["invested_ytd"] = D("-5")
    out = run(world.users.county, rows)
    assert [(i.row, i.column) for i in out.errors] == [(325, "1-N月累计完成投资（万元）")]
    assert not Project.objects.filter(name__startswith="批量").exists()


@pytest.mark.parametrize("vendor_period", [(2026, 6)])
def test_period_is_opened_when_first_needed(world, vendor_period):
    out = run(world.users.county, [prow(4, name="开期", total_investment=D("10"), invested_month=D("3"))], period=vendor_period)
    assert out.errors == []
    assert MonthlyReport.objects.get(project__name="开期").period == period_get_or_open(year=2026, month=6)


def test_existing_enterprise_fixture_is_used(world):
    EnterpriseFactory(name="同名企业", region_id="370102")
    EnterpriseFactory(name="同名企业", region_id="370102")
    out = run(world.users.county, [prow(4, name="甲", total_investment=D("1"), owner_name="同名企业")])
    assert out.errors == [] and any("多个同名企业" in w.message for w in out.warnings if w.row == 4)
    assert Project.objects.get(name="甲").owner_id is None


def test_stage_from_file_for_new_projects_and_warning_for_existing(world):
    out = run(world.users.county, [prow(4, name="新阶段", total_investment=D("1"), stage_text="completed")])
    assert out.errors == [] and Project.objects.get(name="新阶段").stage == "completed"
    out = run(world.users.county, [prow(4, name="历下区项目", stage_text="construction")])
    assert out.errors == [] and any("阶段变更请在项目页办理" in w.message for w in out.warnings)
    assert Project.objects.get(pk=world.projects.own_county.pk).stage == "reserve"


def test_factories_world_is_untouched_by_failed_imports(world):
    p = ProjectFactory(name="保持", region_id="370102")
    out = run(world.users.county, [prow(4, name="保持", total_investment=D("-1"))])
    assert out.errors and Project.objects.get(pk=p.pk).total_investment == D("10000.0000")


def test_a_draft_is_submitted_and_later_months_move_with_it(dw):
    u, p = dw.users.county, dw.projects.own_county
    r1 = report_save(user=u, project=p, period=dw.p1, data={"invested_month": "100"})
    report_submit(user=u, report=r1)
    report_save(user=u, project=p, period=dw.p2, data={"invested_month": "10"})  # a draft
    r3 = report_save(user=u, project=p, period=dw.p3, data={"invested_month": "5"})
    out = run(u, [prow(4, name=p.name, invested_ytd=D("150"), physical_progress="主体封顶")], period=(2026, 2))
    assert out.errors == [], out.errors
    assert (out.reports_created, out.reports_updated, out.updated) == (0, 1, 1)
    r2 = MonthlyReport.objects.get(project=p, period=dw.p2)
    assert (r2.status, r2.invested_month, r2.invested_ytd, r2.physical_progress, r2.submitted_by) == (
        "submitted",
        D("50"),
        D("150"),
        "主体封顶",
        u,
    )
    r3.refresh_from_db()
    assert (r3.invested_month, r3.invested_ytd, r3.invested_to_date) == (D("5"), D("155"), D("455"))  # 300 before tracking


def test_a_stale_preview_expires(world):
    import datetime as _dt

    from django.utils import timezone

    from keyprojects.dataio.services import _expire_previews

    b = ImportBatch.objects.create(sha256="x", filename="旧.xlsx", uploaded_by=world.users.county, content=b"data")
    ImportBatch.objects.filter(pk=b.pk).update(created_at=timezone.now() - _dt.timedelta(days=2))
    assert _expire_previews() == 1
    b.refresh_from_db()
    assert b.status == "failed" and b.content is None and not b.can_confirm and "已失效" in b.errors[0]["message"]


def test_a_batch_stores_exactly_what_the_orm_would_whatever_is_inlined(world):
    """The writer inlines values every row of a batch shares (SQLite) and binds the rest; the
    stored rows equal those of the ORM (or COPY): shared and varying decimals, dates, flags,
    NULLs, empty and quoted text with '%'."""
    from django.utils import timezone

    now = timezone.now()
    fields = ["name", "region_id", "province_code", "city_code", "stage", "category", "nature", "total_investment",
              "invested_before", "planned_start", "planned_completion", "location", "content", "in_statistics", "zone_id"]  # fmt: skip
    const = {"created_at": now, "updated_at": now, "version": 1, "created_by_id": world.users.county.pk}
    w = bulk.BulkWriter(Project, fields, const=const)
    ids = []
    for i in range(650):  # 300 rows per statement, twice, then the 50 left one by one
        ids.append(
            w.add(
                f"批次{i}", "370102", "370000", "370100", "construction", "industry", "new",
                D("12.3400") if i % 2 else D("5000"), D("0"), dt.date(2024, 3, 1), dt.date(2025, 12, 1) if i % 3 else None,
                "50% 'quoted' %s", "", True, None,
            )
        )  # fmt: skip
    w.flush()
    got = {p.pk: p for p in Project.objects.filter(pk__in=ids)}
    assert len(got) == 650
    for n, pk in enumerate(ids):
        p = got[pk]
        assert p.name == f"批次{n}" and p.region_id == "370102" and p.province_code == "370000"
        assert p.total_investment == (D("12.34") if n % 2 else D("5000"))
        assert p.invested_before == 0 and p.planned_start == dt.date(2024, 3, 1)
        assert p.planned_completion == (dt.date(2025, 12, 1) if n % 3 else None)
        assert p.location == "50% 'quoted' %s" and p.content == "" and p.in_statistics is True and p.zone_id is None
        assert p.version == 1 and p.created_at == now and p.created_by_id == world.users.county.pk
    if connection.vendor == "sqlite":  # the same storage classes as bound values (affinity applied)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT typeof(total_investment), typeof(invested_before), typeof(planned_start), typeof(in_statistics) "
                "FROM projects_project WHERE id IN (%s, %s)",
                [ids[0], ids[1]],
            )
            kinds = set(cur.fetchall())
        assert kinds == {("integer", "integer", "text", "integer"), ("real", "integer", "text", "integer")}
