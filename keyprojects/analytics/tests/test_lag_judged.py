"""Which projects are judged against 序时进度 and warned (dispatch.rules.lag_measured,
rules.ZERO_RUN_STAGES), found by a trial on the demo data: a 谋划储备 project with an annual plan
and no report was warned 落后序时进度 every month and led the bulletin's lagging list (headed
"已报送月报的项目中"); a 竣工 project reporting nothing invested was warned 连续零投资. The
dashboard, the project list and the bulletin now count the same lagging projects."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from keyprojects.analytics.bulletin import bulletin_data
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dispatch import rules
from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
from keyprojects.dispatch.services import report_save, report_submit
from keyprojects.projects.selectors import project_list
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_states_whose_lag_is_judged():
    judged = {s for s in ("", "not_due", "missing", "returned", "submitted", "approved", "late", "no_activity") if rules.lag_measured(s)}
    assert judged == {"submitted", "approved", "late", "no_activity"}


def submit(dw, project, period, amount):
    su = dw.users.superuser
    report = report_save(user=su, project=project, period=period, data={"invested_month": amount})
    report_submit(user=su, report=report, reasons=EXPLAINED)


def kinds(project, period):
    return set(ProjectWarning.objects.filter(project=project, period=period).values_list("kind", flat=True))


def test_only_reported_projects_are_warned_and_counted_as_lagging(dw, client):
    DispatchConfig.objects.update(behind_points=D(10), zero_months=3)
    reserve = ProjectFactory(name="谋划储备项目", region_id="370102", stage="reserve", plan=(2026, 1000, "province"))
    completed = ProjectFactory(name="已竣工项目", region_id="370102", stage="completed", total_investment=9000, plan=(2026, 10, "province"))
    building = ProjectFactory(
        name="在建零投资项目", region_id="370102", stage="construction", total_investment=9000, plan=(2026, 900, "province")
    )
    for period in (dw.p1, dw.p2, dw.p3):
        submit(dw, completed, period, "0")
        submit(dw, building, period, "0")
    # 历下's own project reports nothing in March: 未报 (carried forward), not judged
    refresh_periods(periods=[dw.p1, dw.p2, dw.p3])

    assert not kinds(reserve, dw.p3) & {"behind_schedule", "low_progress_index", "missing_report"}
    assert "zero_investment" not in kinds(completed, dw.p3)
    assert {"behind_schedule", "zero_investment"} <= kinds(building, dw.p3)
    assert "behind_schedule" in kinds(completed, dw.p3)  # 0 of its 10 reported: judged and behind
    unreported = dw.projects.own_county
    assert "behind_schedule" not in kinds(unreported, dw.p3) and "missing_report" in kinds(unreported, dw.p3)

    # one count of lagging projects: the warnings, the dashboard's figure, the list filter, the bulletin
    warned = set(ProjectWarning.objects.filter(period=dw.p3, kind="behind_schedule").values_list("project_id", flat=True))
    assert {completed.pk, building.pk} <= warned and reserve.pk not in warned
    qs, _f = project_list(user=dw.users.province, params={"period": "2026-03", "lag": "far"})
    assert set(qs.values_list("pk", flat=True)) == warned
    data = bulletin_data(period=dw.p3, root=Region.objects.get(code="370000"))
    assert {p.project_id for p in data.lagging} <= warned and data.lagging_total == len(warned)
    assert f"落后序时进度超过10个百分点的项目{len(warned)}个" in data.summary
    client.force_login(dw.users.province)
    assert client.get("/?period=2026-03").context["board"].totals.lagging == len(warned)
