"""The project list's count in English says "1 project" and "2 projects" (a plural form of the
catalogue, not "1 projects"), in the summary and the totals row; the Chinese page is unchanged."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

from .test_views_list import variety  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")


def summary_and_totals(html: str) -> tuple[str, str]:
    summary = re.search(r'data-testid="summary">(.*?)</p>', html, re.S).group(1)
    totals = re.search(r'data-testid="totals-row">\s*<td colspan="7">(.*?)</td>', html, re.S).group(1)
    return " ".join(summary.split()), totals


def test_one_project_and_two_projects_in_english(compiled, client, world, variety):  # noqa: F811
    client.force_login(world.users.city)
    _switch_to_english(client)
    summary, totals = summary_and_totals(client.get("/projects/?q=钢铁").content.decode())
    assert summary.startswith("<strong>1</strong> project,") and totals == "Total (1 project)"
    summary, totals = summary_and_totals(client.get("/projects/?category=industry").content.decode())
    assert summary.startswith("<strong>4</strong> projects,") and totals == "Total (4 projects)"
    assert not CJK.search(summary.split(",")[0]) and not CJK.search(totals)


def test_the_chinese_count_is_unchanged(compiled, client, world, variety):  # noqa: F811
    client.force_login(world.users.city)
    summary, totals = summary_and_totals(client.get("/projects/?q=钢铁").content.decode())
    assert summary.startswith("共 <strong>1</strong> 个项目，") and totals == "合计（1个项目）"


def test_a_large_count_has_thousands_separators(compiled, client, world, variety, monkeypatch):  # noqa: F811
    """A province's list counts tens of thousands of projects: 12,345, not 12345, in both languages."""
    from keyprojects.projects import views

    real = views.project_list_totals

    def totals(**kwargs):
        return {**real(**kwargs), "n": 12345}

    monkeypatch.setattr(views, "project_list_totals", totals)
    client.force_login(world.users.city)
    summary, totals_row = summary_and_totals(client.get("/projects/").content.decode())
    assert summary.startswith("共 <strong>12,345</strong> 个项目，") and totals_row == "合计（12,345个项目）"
    _switch_to_english(client)
    summary, totals_row = summary_and_totals(client.get("/projects/").content.decode())
    assert summary.startswith("<strong>12,345</strong> projects,") and totals_row == "Total (12,345 projects)"
