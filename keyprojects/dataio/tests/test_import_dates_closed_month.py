"""An import that moves a registered project's 实际开工/竣工日期 into a month closed for its region
is refused with a row error at the date's column, nothing written (the rule of
``projects.services.project_update``); a new project's dates are not checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keyprojects.dataio.services import import_file
from keyprojects.dataio.tests.test_import_files import workbook
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.projects.models import Project

HEADERS = ["序号", "项目名称", "所属区域", "总投资（万元）", "实际开工日期", "实际竣工日期"]


def _import(dw: Any, rows: list[list[Any]]) -> Any:
    return import_file(user=dw.users.county, data=workbook(rows, headers=HEADERS, title=""), filename="日期.xlsx")


def test_a_start_moved_into_a_closed_month_is_a_row_error(dw: Any) -> None:
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)  # Jinan closed January
    p = dw.projects.own_county
    before = Project.objects.filter(pk=p.pk).values().get()
    count = Project.objects.count()
    rows = [
        [1, p.name, "历下区", p.total_investment, "2026-01-10", ""],
        [2, "历下区新登记项目", "历下区", 5000, "2026-01-05", ""],  # new: not checked
    ]
    out = _import(dw, rows)
    assert not out.written
    assert [(e.row, e.column, e.message) for e in out.errors] == [
        (4, "实际开工日期", "2026年1月已关账，数据不能再修改：实际开工日期不能早于2026-02-01")
    ]
    assert Project.objects.filter(pk=p.pk).values().get() == before and Project.objects.count() == count  # all or nothing
    # after the closed month: written, the new project too
    rows[0][4] = "2026-02-01"
    out = _import(dw, rows)
    assert out.errors == [] and out.written, out.errors
    assert Project.objects.get(pk=p.pk).actual_start == dt.date(2026, 2, 1)
    assert Project.objects.get(name="历下区新登记项目").actual_start == dt.date(2026, 1, 5)


def test_an_old_completion_in_a_closed_month_cannot_be_moved(dw: Any) -> None:
    PeriodClosure.objects.create(period=dw.p1, region_id="370000", closed_by=dw.users.province)  # the province closed January
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 3, 1), actual_completion=dt.date(2026, 1, 20))
    out = _import(dw, [[1, p.name, "历下区", p.total_investment, "2025-03-01", "2026-03-20"]])
    assert not out.written
    assert [(e.column, e.message) for e in out.errors] == [
        ("实际竣工日期", "2026年1月已关账，数据不能再修改：原实际竣工日期（2026-01-20）不晚于该月，不能修改或清空")
    ]
    assert Project.objects.get(pk=p.pk).actual_completion == dt.date(2026, 1, 20)
    # the same dates as the registry's: nothing moves, nothing refused
    out = _import(dw, [[1, p.name, "历下区", p.total_investment, "2025-03-01", "2026-01-20"]])
    assert out.errors == [], out.errors
