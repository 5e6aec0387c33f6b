"""The dashboard's words in English: the gap cards (Land gap) and the number of projects (37 projects)."""

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


def test_the_number_of_projects_is_said_with_its_noun(compiled):  # noqa: F811
    figures = SimpleNamespace(projects=2986, annual_plan=D(1), invested_ytd=D(1))
    board = SimpleNamespace(totals=SimpleNamespace(figures=figures, total_investment=D(1), url="/"))
    with translation.override("en"):
        kpi = kpis_of(board)[0]  # type: ignore[arg-type]
        assert (kpi["value"], kpi["unit"]) == ("2,986", "projects")
        figures.projects = 1
        assert kpis_of(board)[0]["unit"] == "project"  # type: ignore[arg-type]
    with translation.override("zh-hans"):
        assert kpis_of(board)[0]["unit"] == "个"  # type: ignore[arg-type]
