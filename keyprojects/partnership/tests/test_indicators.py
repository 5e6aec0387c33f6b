"""政府承诺履约率 as an indicator of 比武打擂 and 双考核双评价 schemes (ADR 0014): the values per
region, department and zone are ``selectors.Tally``'s, the basis lists the commitments behind them.

The ranking world of analytics/test_rankings (``rw``: Jinan's counties 历下, 市中, 槐荫, 天桥;
Qingdao 市南) with government commitments, judged on February's last day (2026-02-28):

  历下 370102  c1 land      due 01-20  已履行 (recorded by 发改委, confirmed by Jinan) 01-25  发改委
               c2 approval  due 02-10  部分履行, confirmed 01-28                       发改委
               c3 subsidy   due 02-20  open → 逾期未履行                               自然资源局
               c4 gov_other due 06-30  open → 未到期 (not due)                          发改委
               (the enterprise's investment, 未履行, is not the government's)
               → due 3, kept 1: 33.33 %
  市中 370103  c5 land      due 02-15  已履行, confirmed 01-30                         起步区 (zone)
               c6 approval  due 05-31  已履行 early, 01-30 (settled: due)              起步区
               → due 2, kept 2: 100.00 %
  槐荫 370104  c7 subsidy   due 02-28  open, due that very day (due, not yet overdue)  发改委
               → due 1, kept 0: 0.00 %
  天桥 370105  no agreement → not applicable
  济南市本级   c8 subsidy   due 01-31  未履行, confirmed 02-05                         发改委
               (no county's; counts for 济南 in the province's ranking)
  青岛 市南    c9 approval  due 02-01  已履行, confirmed 02-02                         青岛工信局

In January (01-31) c3 and c7 are not due yet; c2, c5 and c6 count as due because they were
settled by then (a status is judged on the period's last day, as on the 履约率 page for that
day): 历下 1/2, 市中 2/2, 槐荫 none.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.analytics.assessment import assessment_compute, normalise_indicators
from keyprojects.analytics.models import AssessmentScheme
from keyprojects.analytics.rankings import INDICATORS, ranking
from keyprojects.analytics.services_assessment import assessment_snapshot, scheme_save
from keyprojects.analytics.tests.test_rankings import refresh, rw  # noqa: F401  (the fixture)
from keyprojects.core.testing import UnitFactory
from keyprojects.dispatch.services import period_close
from keyprojects.partnership.choices import CommitmentStatus
from keyprojects.partnership.figures import unit_fulfilment_figures
from keyprojects.partnership.models import Commitment
from keyprojects.partnership.selectors import fulfilment_by_department, fulfilment_by_region
from keyprojects.partnership.services import agreement_create, commitment_claim, commitment_confirm
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db
DAY = dt.date
FEB_END = DAY(2026, 2, 28)


def _agreement(w, region, title, *commitments, actor=None):
    return agreement_create(
        actor=actor or w.users.city,
        enterprise=w.ent,
        region=Region.objects.get(code=region),
        title=title,
        signed_on=DAY(2026, 1, 5),
        amount="1000",
        signatory_name="人民政府",
        commitments=[
            {"party": party, "kind": kind, "description": kind, "due_on": due, **({"owner_unit": unit} if unit else {})}
            for party, kind, due, unit in commitments
        ],
    )


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _settle(agreement, kind, status, on):
    """Settle a commitment as if recorded and confirmed on ``on``."""
    c = agreement.commitments.get(kind=kind)
    Commitment.objects.filter(pk=c.pk).update(status=status, evidence_text="佐证", claimed_at=_at(on, 9), confirmed_at=_at(on))
    return c


@pytest.fixture
def fw(rw):  # noqa: F811
    w = rw
    w.land_bureau = UnitFactory(name="济南市自然资源和规划局", region_id="370100")
    gov = "government"
    lixia = _agreement(
        w,
        "370102",
        "历下区合作协议",
        (gov, "land", DAY(2026, 1, 20), w.dept),
        (gov, "approval", DAY(2026, 2, 10), w.dept),
        (gov, "subsidy", DAY(2026, 2, 20), w.land_bureau),
        (gov, "gov_other", DAY(2026, 6, 30), w.dept),
        ("enterprise", "investment", DAY(2026, 1, 31), None),
    )
    w.c1 = lixia.commitments.get(kind="land")
    w.c1 = commitment_claim(
        actor=w.users.department, commitment=w.c1, expected_version=w.c1.version, result="fulfilled", evidence_text="已交地"
    )
    w.c1 = commitment_confirm(actor=w.users.city, commitment=w.c1, expected_version=w.c1.version, accept=True)
    Commitment.objects.filter(pk=w.c1.pk).update(claimed_at=_at(DAY(2026, 1, 22)), confirmed_at=_at(DAY(2026, 1, 25)))
    w.c2 = _settle(lixia, "approval", CommitmentStatus.PARTIAL, DAY(2026, 1, 28))
    w.c3 = lixia.commitments.get(kind="subsidy")
    w.c4 = lixia.commitments.get(kind="gov_other")
    _settle(lixia, "investment", CommitmentStatus.BROKEN, DAY(2026, 1, 28))
    shizhong = _agreement(
        w, "370103", "市中区合作协议", (gov, "land", DAY(2026, 2, 15), w.zone), (gov, "approval", DAY(2026, 5, 31), w.zone)
    )
    w.c5 = _settle(shizhong, "land", CommitmentStatus.FULFILLED, DAY(2026, 1, 30))
    w.c6 = _settle(shizhong, "approval", CommitmentStatus.FULFILLED, DAY(2026, 1, 30))
    w.c7 = _agreement(w, "370104", "槐荫区合作协议", (gov, "subsidy", FEB_END, w.dept)).commitments.get()
    w.c8 = _settle(
        _agreement(w, "370100", "济南市本级协议", (gov, "subsidy", DAY(2026, 1, 31), w.dept)),
        "subsidy",
        CommitmentStatus.BROKEN,
        DAY(2026, 2, 5),
    )
    qingdao = _agreement(w, "370202", "青岛市南区协议", (gov, "approval", DAY(2026, 2, 1), w.other_dept), actor=w.users.other_city)
    w.c9 = _settle(qingdao, "approval", CommitmentStatus.FULFILLED, DAY(2026, 2, 2))
    return w


def _rows(r):
    return [(row.unit.key, row.display, row.rank, row.movement) for row in r.rows]


def test_the_indicator_is_offered_like_the_others(fw):
    assert INDICATORS["fulfilment_rate"].label == "政府承诺履约率"
    assert INDICATORS["fulfilment_rate"].kind == "rate" and not INDICATORS["fulfilment_rate"].lower_better
    [item] = normalise_indicators([{"indicator": "fulfilment_rate", "weight": 100, "rule": "linear", "floor": 0, "target": 100}])
    assert item == {"indicator": "fulfilment_rate", "weight": "100", "rule": "linear", "floor": "0", "target": "100"}


def test_counties_of_a_city(fw):
    feb = ranking(period=fw.p2, kind="region", root=fw.jinan, indicator="fulfilment_rate")
    # 市中 100 %, 历下 33.33 %, 槐荫 0 % (due that day), 天桥 has no commitment due: last, no value
    assert _rows(feb) == [
        ("370103", D("100.00"), 1, 0),
        ("370102", D("33.33"), 2, 0),
        ("370104", D("0.00"), 3, None),
        ("370105", None, 4, None),
    ]
    lixia = feb.rows[1].unit.fulfilment.tally
    assert (lixia.due, lixia.kept, lixia.partial, lixia.overdue, lixia.not_due) == (3, 1, 1, 1, 1)
    assert sorted(lixia.due_ids) == sorted([fw.c1.pk, fw.c2.pk, fw.c3.pk]) and lixia.kept_ids == [fw.c1.pk]
    assert feb.rows[2].unit.fulfilment.tally.overdue == 0  # due on the period's last day: due, not overdue

    jan = ranking(period=fw.p1, kind="region", root=fw.jinan, indicator="fulfilment_rate")
    assert _rows(jan) == [
        ("370103", D("100.00"), 1, None),
        ("370102", D("50.00"), 2, None),
        ("370104", None, 3, None),
        ("370105", None, 3, None),
    ]

    # the same figures as the 履约率 page of a Jinan user on that day (one definition)
    page, _total = fulfilment_by_region(fw.users.city, as_of=FEB_END, party="government")
    page_rates = {t.key: t.rate for t in page}
    assert {row.unit.key: row.value for row in feb.rows if row.value is not None} == {k: v for k, v in page_rates.items() if k != "370100"}


def test_cities_of_the_province(fw):
    feb = ranking(period=fw.p2, kind="region", root=fw.province, indicator="fulfilment_rate")
    # 济南: c1 c2 c3 c5 c6 c7 c8 due, c1 c5 c6 kept → 3/7; 青岛 1/1. In January 青岛 owed nothing
    # due yet (c9, due 02-01, was confirmed 02-02): no movement for it, 济南 drops from 1st
    assert _rows(feb)[:2] == [("370200", D("100.00"), 1, None), ("370100", D("42.86"), 2, -1)]
    assert all(row.value is None for row in feb.rows[2:])


def test_departments_and_zones(fw):
    depts = ranking(period=fw.p2, kind="department", root=fw.jinan, indicator="fulfilment_rate")
    # 发改委: c1 kept, c2 partial, c7 due, c8 broken (c4 not due) → 1/4; 自然资源局: c3 overdue → 0/1
    assert [(r.unit.key, r.display, r.rank) for r in depts.rows] == [
        (str(fw.dept.pk), D("25.00"), 1),
        (str(fw.land_bureau.pk), D("0.00"), 2),
    ]
    # a department that owes commitments but leads no project is ranked too
    assert depts.rows[1].unit.name == "济南市自然资源和规划局" and depts.rows[1].unit.figures.projects == 0
    zones = ranking(period=fw.p2, kind="zone", root=fw.jinan, indicator="fulfilment_rate")
    assert [(r.unit.key, r.display) for r in zones.rows] == [(str(fw.zone.pk), D("100.00"))]
    # the 履约率 page's department table gives the same rates (zones are owner units there too)
    page, _total = fulfilment_by_department(fw.users.city, as_of=FEB_END)
    assert {t.key: t.rate_percent for t in page} == {
        str(fw.dept.pk): D("25.00"),
        str(fw.land_bureau.pk): D("0.00"),
        str(fw.zone.pk): D("100.00"),
    }


def test_scoped_by_the_user(fw):
    everyone = ranking(period=fw.p2, kind="department", root=fw.province, indicator="fulfilment_rate")
    assert {r.unit.key: r.display for r in everyone.rows}[str(fw.other_dept.pk)] == D("100.00")
    jinan = ranking(period=fw.p2, kind="department", root=fw.province, indicator="fulfilment_rate", user=fw.users.city)
    assert str(fw.other_dept.pk) not in {r.unit.key for r in jinan.rows}  # Qingdao's commitment is not Jinan's to see
    assert unit_fulfilment_figures(period=fw.p2, kind="region", root=fw.province, user=fw.users.other_city).keys() == {"370200"}


def test_a_later_confirmation_leaves_a_past_month_as_it_was(fw):
    """c3 (历下, due 02-20, 逾期未履行 in February) is recorded and confirmed today with the services:
    February's and March's rankings and February's scheme result stay as they were; the running
    month counts it as kept, as does the 履约率 page for today and not for February's last day."""
    from keyprojects.dispatch.services import period_get_or_open

    scheme = scheme_save(
        user=fw.users.province, scheme=AssessmentScheme(name="县区履约考核", unit_kind="region", region_id="370100", indicators=SCHEME)
    )
    today = timezone.localdate()
    running = period_get_or_open(year=today.year, month=today.month)
    assert (running.year, running.month) > (2026, 3)
    refresh(fw.p3, running)  # the counties' rows of those months

    def lixia(period):
        rows = ranking(period=period, kind="region", root=fw.jinan, indicator="fulfilment_rate").rows
        [row] = [r for r in rows if r.unit.key == "370102"]
        t = row.unit.fulfilment.tally
        return row.display, t.due, t.kept, t.overdue, t.claimed

    def page(day):
        rows, _total = fulfilment_by_region(fw.users.city, as_of=day, party="government")
        t = {r.key: r for r in rows}["370102"]
        return t.rate_percent, t.due, t.kept, t.overdue, t.claimed

    before = {p.pk: _rows(ranking(period=p, kind="region", root=fw.jinan, indicator="fulfilment_rate")) for p in (fw.p2, fw.p3)}
    result = assessment_compute(scheme=scheme, period=fw.p2)
    # February: c1 kept, c2 partial, c3 overdue; today c4 (due 06-30) is overdue too
    assert lixia(fw.p2) == lixia(fw.p3) == (D("33.33"), 3, 1, 1, 0)
    assert lixia(running) == (D("25.00"), 4, 1, 2, 0)

    c3 = commitment_claim(
        actor=fw.users.county, commitment=fw.c3, expected_version=fw.c3.version, result="fulfilled", evidence_text="已拨付"
    )
    assert lixia(fw.p2) == (D("33.33"), 3, 1, 1, 0)  # recorded today: not 待确认 in February
    assert lixia(running) == (D("25.00"), 4, 1, 1, 1)
    commitment_confirm(actor=fw.users.city, commitment=c3, expected_version=c3.version, accept=True)

    for p in (fw.p2, fw.p3):
        assert _rows(ranking(period=p, kind="region", root=fw.jinan, indicator="fulfilment_rate")) == before[p.pk]
    assert lixia(fw.p2) == lixia(fw.p3) == (D("33.33"), 3, 1, 1, 0)
    assert assessment_compute(scheme=scheme, period=fw.p2) == result
    assert lixia(running) == (D("50.00"), 4, 2, 1, 0)
    # the 履约率 page agrees with the ranking of the month it is asked for
    assert page(FEB_END) == (D("33.33"), 3, 1, 1, 0)
    assert page(today) == (D("50.00"), 4, 2, 1, 0)


def test_not_due_yet_is_not_applicable(fw):
    Commitment.objects.exclude(pk=fw.c4.pk).delete()
    [row] = ranking(period=fw.p2, kind="department", root=fw.jinan, indicator="fulfilment_rate").rows[:1]
    figures = unit_fulfilment_figures(period=fw.p2, kind="department", root=fw.jinan)[str(fw.dept.pk)]
    assert (figures.tally.due, figures.tally.not_due, figures.value("fulfilment_rate")) == (0, 1, None)
    assert row.unit.key == str(fw.dept.pk) and row.value is None  # neither 0 nor 100


SCHEME = [
    {"indicator": "fulfilment_rate", "weight": 50, "rule": "linear", "floor": 0, "target": 100},
    {"indicator": "completion_rate", "weight": 50, "rule": "linear", "floor": 0, "target": 50},
]


def test_scheme_scores_explains_and_exports_it(fw, client):
    scheme = scheme_save(
        user=fw.users.province, scheme=AssessmentScheme(name="县区履约考核", unit_kind="region", region_id="370100", indicators=SCHEME)
    )
    result = assessment_compute(scheme=scheme, period=fw.p2)
    # 市中 (50×100 + 50×100)/100 = 100.00; 槐荫 (50×0 + 50×100)/100 = 50.00;
    # 历下 (50×33.33 + 50×50)/100 = 41.665 → 41.67; 天桥 neither applies: no score, last
    assert [(u["key"], u["score"], u["rank"]) for u in result["units"]] == [
        ("370103", "100.00", 1),
        ("370104", "50.00", 2),
        ("370102", "41.67", 3),
        ("370105", None, 4),
    ]
    lixia = {line["indicator"]: line for line in result["units"][2]["indicators"]}["fulfilment_rate"]
    assert (lixia["value"], lixia["points"], lixia["rank"], lixia["ranked"]) == ("33.33", "33.33", 2, 3)
    assert lixia["basis"] == {
        "numerator": 1,
        "denominator": 3,
        "commitments": sorted([fw.c1.pk, fw.c2.pk, fw.c3.pk]),
        "kept_commitments": [fw.c1.pk],
        "partial": 1,
        "broken": 0,
        "overdue": 1,
        "claimed": 0,
        "projects": [],
        "counted": [],
    }
    tianqiao = {line["indicator"]: line for line in result["units"][3]["indicators"]}["fulfilment_rate"]
    assert (tianqiao["value"], tianqiao["applicable"], tianqiao["basis"]["denominator"]) == (None, False, 0)

    # stored for the closed month, shown and exported with the commitments behind the figure
    period_close(user=fw.users.city, period=fw.p2, confirm="确认关账")
    snapshot, created = assessment_snapshot(user=fw.users.city, scheme=scheme, period=fw.p2)
    assert created and snapshot.result == result
    client.force_login(fw.users.city)
    page = client.get(reverse("analytics:assessment_result", kwargs={"pk": scheme.pk, "period": "2026-02"}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "政府承诺履约率" in html and "已履行 1 / 应履约 3" in html and "（部分履行 1，未履行 0，逾期未履行 1，待确认 0）" in html
    assert f'data-commitment="{fw.c1.pk}"' in html and "历下区合作协议 · 供地" in html
    assert reverse("partnership:detail", args=[fw.c1.agreement_id]) in html

    resp = client.get(reverse("analytics:assessment_xlsx", kwargs={"pk": scheme.pk, "period": "2026-02"}))
    assert resp.status_code == 200
    lines = list(load_workbook(io.BytesIO(resp.content))["得分说明"].iter_rows(min_row=4, values_only=True))
    by = {(r[0], r[1]): r for r in lines}
    row = by[("历下区", "政府承诺履约率")]
    assert row[2:8] == (33.33, "%", 2, 3, 50, 33.33)
    assert row[8].startswith("已履行 1 / 应履约 3（部分履行 1，未履行 0，逾期未履行 1，待确认 0）：历下区合作协议 · 供地（已履行）、")
    assert by[("天桥区", "政府承诺履约率")][2] == "不适用"


def test_ranking_page_and_export(fw, client):
    client.force_login(fw.users.city)
    page = client.get(reverse("analytics:rankings"), {"period": "2026-02", "indicator": "fulfilment_rate"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "按政府承诺履约率排名" in html and "已履行 1 / 应履约 3" in html and "已履行 2 / 应履约 2" in html
    assert "已履行 0 / 应履约 0" not in html  # 天桥 owes nothing: only 不适用
    resp = client.get(reverse("analytics:rankings_xlsx", kwargs={"period": "2026-02"}), {"kind": "region", "indicator": "fulfilment_rate"})
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=4, values_only=True))
    assert [r[:3] for r in rows] == [(1, "市中区", 100), (2, "历下区", 33.33), (3, "槐荫区", 0), (4, "天桥区", "不适用")]
