"""The dashboard's words in English: the gap cards (Land gap) and the number of projects (Projects
2,986 in total, not "Projects 2,986 projects")."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

from django.utils import translation

from keyprojects.analytics.views import kpis_of
from keyprojects.approvals.tests.test_gaps import gw  # noqa: F401  (the fixture)
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)


def test_the_gap_cards_read_land_gap(compiled, gw, client):  # noqa: F811
    client.force_login(gw.users.city)
    page = client.get("/").content.decode()
    assert 'data-testid="factor-gaps"' in page and "土地缺口" in page
    _switch_to_english(client)
    page = client.get("/").content.decode()
    for word in ("Land", "Funds", "Environment", "Energy"):
        assert f"{word}Gap" not in page
    assert "Land gap" in page


def test_the_number_of_projects_does_not_repeat_its_noun(compiled):  # noqa: F811
    """The tile is labelled 项目数 / Projects: its unit is 个 in Chinese, "in total" in English
    (it read "Projects 2,986 projects")."""
    figures = SimpleNamespace(projects=2986, annual_plan=D(1), invested_ytd=D(1))
    board = SimpleNamespace(totals=SimpleNamespace(figures=figures, total_investment=D(1), url="/"))
    with translation.override("en"):
        kpi = kpis_of(board)[0]  # type: ignore[arg-type]
        assert (kpi["label"], kpi["value"], kpi["unit"]) == ("Projects", "2,986", "in total")
        figures.projects = 1
        assert kpis_of(board)[0]["unit"] == "in total"  # type: ignore[arg-type]
    with translation.override("zh-hans"):
        kpi = kpis_of(board)[0]  # type: ignore[arg-type]
        assert (kpi["label"], kpi["unit"]) == ("项目数", "个")
