"""Every project field the services let a user set can come from a file: 是否纳统, 经度, 纬度
(once silently dropped by the importer's attribute map), on new and on existing projects,
with a clear error for a coordinate out of range."""

from __future__ import annotations

from decimal import Decimal

from keyprojects.dataio.importer import ATTR_FIELD
from keyprojects.dataio.services import import_file
from keyprojects.dataio.tests.test_import_files import workbook
from keyprojects.projects.models import Project
from keyprojects.projects.services import PROJECT_FIELDS

D = Decimal
HEADERS = ["序号", "项目名称", "所属区域", "建设性质", "项目类别", "总投资（万元）", "是否纳统", "经度", "纬度"]


def test_every_writable_project_field_has_an_import_mapping():
    """The importer's attname map covers the services' whitelist (a new field needs a mapping)."""
    assert set(PROJECT_FIELDS) <= set(ATTR_FIELD.values())


def test_in_statistics_and_coordinates_are_imported(world):
    rows = [
        [1, "历下区纳统项目", "历下区", "新开工", "产业项目", 52000, "已纳统", 117.120098, 36.651216],
        [2, "历下区未纳统项目", "历下区", "续建", "城建项目", 8000, "否", "117.0", "36.5°"],
    ]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS), filename="纳统.xlsx")
    assert out.errors == [] and out.written, out.errors
    a = Project.objects.get(name="历下区纳统项目")
    b = Project.objects.get(name="历下区未纳统项目")
    assert (a.in_statistics, a.longitude, a.latitude) == (True, D("117.120098"), D("36.651216"))
    assert (b.in_statistics, b.longitude, b.latitude) == (False, D("117.000000"), D("36.500000"))


def test_an_existing_project_gets_its_flag_and_coordinates(world):
    p = world.projects.own_county
    rows = [[1, p.name, "历下区", "", "", p.total_investment, "是", 117.1, 36.6]]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS), filename="更新.xlsx")
    assert out.errors == [] and out.updated == 1, out.errors
    p.refresh_from_db()
    assert (p.in_statistics, p.longitude, p.latitude) == (True, D("117.1"), D("36.6"))


def test_a_coordinate_out_of_range_is_a_cell_error_and_nothing_is_written(world):
    before = Project.objects.count()
    rows = [[1, "历下区坐标错误项目", "历下区", "新开工", "产业项目", 5000, "是", 217.1, "北纬36度"]]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS), filename="坐标.xlsx")
    assert not out.written and Project.objects.count() == before
    assert {(e.column, e.message[:2]) for e in out.errors} == {("经度", "经度"), ("纬度", "纬度")}
