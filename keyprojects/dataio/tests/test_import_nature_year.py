"""A list's 建设性质 is the nature of that list's year (ADR 0004): importing last year's list sets
last year's nature and leaves this year's — and the project's own, which is this year's — as they
are; importing this year's list sets the project's nature and this year's row together."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from keyprojects.core.testing import ProjectFactory
from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project, ProjectYear

from .test_import_files import workbook

NAME = "历下区新材料产业园二期项目"


def list_of(year: int, rows: list[list[Any]], *, nature: bool = True) -> bytes:
    said = ["建设性质"] if nature else []
    headers = ["序号", "项目名称", "所属区域", *said, "项目类别", "总投资（万元）", f"{year}年度计划投资（万元）"]
    return workbook(rows, title=f"{year}年历下区重点项目名单", headers=headers, sheet="清单")


def natures(project: Project) -> dict[int, str]:
    return dict(ProjectYear.objects.filter(project=project).values_list("year", "nature"))


@pytest.mark.django_db
def test_last_years_list_sets_last_years_nature_only(world: Any) -> None:
    this = timezone.localdate().year
    last = this - 1
    p = ProjectFactory(name=NAME, region_id="370102", nature="continuing", stage="construction", total_investment=D(52000))
    ProjectYear.objects.create(project=p, year=this, annual_plan=D(9000), on_county_list=True, nature="continuing")
    rows = [
        [1, NAME, "历下区", "新开工", "产业项目", 52000, 12000],
        [2, "历下区第一中学扩建", "历下区", "新开工", "社会民生项目", 15000, 6000],
    ]
    out = import_file(user=world.users.county, data=list_of(last, rows), filename=f"{last}年历下区重点项目名单.xlsx")
    assert not out.errors and out.created == 1, out.errors[:3]
    p.refresh_from_db()
    assert p.nature == "continuing"  # the project's (this year's) is not last year's
    assert natures(p) == {last: "new", this: "continuing"}
    assert ProjectYear.objects.get(project=p, year=last).annual_plan == D(12000)
    # a project first known from last year's list takes that list's nature until this year's says
    school = Project.objects.get(name="历下区第一中学扩建")
    assert school.nature == "new" and natures(school) == {last: "new"}

    # this year's list: the project's nature and this year's row, together; last year's stays
    rows = [[1, NAME, "历下区", "竣工投产", "产业项目", 52000, 9000]]
    out = import_file(user=world.users.county, data=list_of(this, rows), filename=f"{this}年历下区重点项目名单.xlsx")
    assert not out.errors and out.updated == 1, out.errors[:3]
    p.refresh_from_db()
    assert p.nature == "completing" and natures(p) == {last: "new", this: "completing"}

    # last year's list again, without a 建设性质 column: its year keeps the nature it has
    rows = [[1, NAME, "历下区", "产业项目", 52000, 12500]]
    out = import_file(user=world.users.county, data=list_of(last, rows, nature=False), filename=f"{last}年名单.xlsx")
    assert not out.errors and out.updated == 1, out.errors[:3]
    p.refresh_from_db()
    assert p.nature == "completing" and natures(p) == {last: "new", this: "completing"}
    assert ProjectYear.objects.get(project=p, year=last).annual_plan == D(12500)


@pytest.mark.django_db
def test_a_list_stating_only_natures_writes_its_years_nature(world: Any) -> None:
    """Last year's list with no plan column (names and natures): the registry's project gets its
    row of that year with the nature, not a new nature of its own."""
    this = timezone.localdate().year
    last = this - 1
    p = ProjectFactory(name=NAME, region_id="370102", nature="continuing", stage="construction", total_investment=D(52000))
    headers = ["序号", "项目名称", "所属区域", "建设性质", "项目类别", "总投资（万元）"]
    data = workbook([[1, NAME, "历下区", "新开工", "产业项目", 52000]], title=f"{last}年历下区重点项目名单", headers=headers, sheet="清单")
    out = import_file(user=world.users.county, data=data, filename="名单.xlsx")
    assert not out.errors, out.errors[:3]
    p.refresh_from_db()
    assert p.nature == "continuing" and natures(p) == {last: "new"}
