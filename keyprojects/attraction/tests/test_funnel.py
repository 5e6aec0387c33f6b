"""The funnel and 履约 figures agree with the leads (counted by hand here), on every surface: the
selector, the API, the export; and the 招商 indicators of rankings / 双考核 read the same rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from keyprojects.analytics import metrics
from keyprojects.attraction import selectors
from keyprojects.attraction.exports import export_pipeline
from keyprojects.attraction.models import FundArrival, Lead
from keyprojects.attraction.services import fund_arrival_add, fund_decide, fund_void_request, lead_advance, lead_drop, lead_land, lead_sign
from keyprojects.projects.services import project_transition

pytestmark = pytest.mark.django_db
D1, D2 = dt.date(2026, 1, 5), dt.date(2026, 2, 1)


def _to(user, lead, stage, *, ent, amount="100", land_on=D2, project=None):
    if stage == "info":
        return lead
    base = lead.obtained_on
    lead = lead_advance(user=user, lead=lead, expected_version=lead.version, on_date=base + dt.timedelta(days=5))
    if stage == "dropped":
        return lead_drop(user=user, lead=lead, expected_version=lead.version, reason="投资方转投他地", on_date=base + dt.timedelta(days=7))
    if stage == "negotiation":
        return lead
    lead = lead_sign(
        user=user, lead=lead, expected_version=lead.version, enterprise=ent, signed_on=base + dt.timedelta(days=15), amount=amount
    )
    if stage == "signed":
        return lead
    return lead_land(user=user, lead=lead, expected_version=lead.version, landed_on=land_on, project=project, annual_plan="50")


@pytest.fixture
def leads(world, lead_of):
    from keyprojects.core.testing import EnterpriseFactory

    u = world.users
    sib_ent = EnterpriseFactory(name="市中区项目公司", region_id="370103")
    made = {
        "l_info": _to(u.county, lead_of(obtained_on=D1, source="expo"), "info", ent=world.ent),
        "l_neg": _to(u.county, lead_of(obtained_on=D1), "negotiation", ent=world.ent),
        "l_drop": _to(u.county, lead_of(obtained_on=D1, source="fund"), "dropped", ent=world.ent),
        "l_signed": _to(u.county, lead_of(obtained_on=D1), "signed", ent=world.ent, amount="100"),
        "l_landed": _to(u.county, lead_of(obtained_on=D1, source="chain"), "landed", ent=world.ent, amount="200"),
        "s_landed": _to(u.sibling, lead_of(user=u.sibling, obtained_on=D1), "landed", ent=sib_ent, amount="300",
                        project=world.projects.sibling_county),
        "s_signed": _to(u.sibling, lead_of(user=u.sibling, obtained_on=dt.date(2026, 2, 3)), "signed", ent=sib_ent, amount="50"),
    }  # fmt: skip
    # four eyes: lixia enters, lixia's second account (or the city) confirms; only confirmed 到资 counts
    for lead, on, amount in ((made["l_signed"], dt.date(2026, 1, 25), "40"), (made["l_landed"], dt.date(2026, 2, 5), "200")):
        entry = fund_arrival_add(user=u.county, lead=lead, arrived_on=on, arrived_amount=amount)
        fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)
    # never counted: an entry waiting for confirmation, one returned, one voided
    fund_arrival_add(user=u.county, lead=made["l_signed"], arrived_on=dt.date(2026, 1, 26), arrived_amount="60")
    returned = fund_arrival_add(user=u.county, lead=made["l_landed"], arrived_on=dt.date(2026, 2, 6), arrived_amount="70")
    fund_decide(user=u.city, entry=returned, expected_version=returned.version, accept=False, note="银行回单金额不符")
    voided = fund_arrival_add(user=u.sibling, lead=made["s_landed"], arrived_on=dt.date(2026, 1, 20), arrived_amount="80")
    voided = fund_decide(user=u.sibling_clerk, entry=voided, expected_version=voided.version, accept=True)
    voided = fund_void_request(user=u.sibling, entry=voided, expected_version=voided.version, reason="重复登记")
    fund_decide(user=u.city, entry=voided, expected_version=voided.version, accept=True)
    p = Lead.objects.get(pk=made["l_landed"].pk).project
    project_transition(user=u.county, project=p, to_stage="construction", on_date=dt.date(2026, 3, 1))
    return made


def by_hand(leads, key):
    """The funnel counted directly from the lead records."""
    groups = {}
    for lead in leads:
        groups.setdefault(key(lead), []).append(lead)
    out = {}
    for k, ls in groups.items():
        signed = [x for x in ls if x.agreement_id]
        confirmed = {x.pk: [f for f in FundArrival.objects.filter(lead=x) if f.confirmed_by_id and f.status == "confirmed"] for x in signed}
        arrived = sum((f.arrived_amount for x in signed for f in confirmed[x.pk]), D(0))
        signed_amount = sum((x.agreement.amount for x in signed), D(0))
        out[k] = {
            "leads": len(ls),
            "signed": len(signed),
            "landed": sum(1 for x in signed if x.project_id),
            "started": sum(1 for x in signed if x.project_id and x.project.actual_start),
            "funded": sum(1 for x in signed if confirmed[x.pk]),
            "signed_amount": signed_amount,
            "arrived_amount": arrived,
            "conversion_rate": metrics.lead_conversion_rate(len(signed), len(ls)),
            "funds_rate": metrics.funds_arrival_rate(arrived, signed_amount),
        }
    return out


def _as_dict(row):
    return {k: getattr(row, k) for k in ("leads", "signed", "landed", "started", "funded", "signed_amount", "arrived_amount",
                                         "conversion_rate", "funds_rate")}  # fmt: skip


def test_funnel_figures_agree_with_the_leads(world, leads):
    qs = Lead.objects.visible_to(world.users.city)
    every = list(qs.select_related("agreement", "project"))
    assert len(every) == 7
    for by, key in (("region", lambda x: x.region_id), ("source", lambda x: x.source), ("period", lambda x: f"{x.obtained_on:%Y-%m}")):
        total, rows = selectors.funnel(qs, by=by)
        expected = by_hand(every, key)
        assert {r.key: _as_dict(r) for r in rows} == expected
        assert _as_dict(total) == by_hand(every, lambda x: None)[None]
    total, _rows = selectors.funnel(qs)
    assert (total.leads, total.negotiated, total.signed, total.landed, total.started, total.funded) == (7, 6, 4, 2, 1, 2)
    assert total.signed_amount == D("650") and total.arrived_amount == D("240")
    assert total.funds_rate == D("0.3692") and total.start_rate == D("0.2500") and total.landing_rate == D("0.5000")


def test_the_county_sees_only_its_own_funnel(world, leads):
    total, _ = selectors.funnel(Lead.objects.visible_to(world.users.county))
    assert total.leads == 5 and total.signed == 2


def test_api_and_export_give_the_same_figures(world, leads):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.users.city)
    body = c.get("/api/v1/leads/funnel/", {"by": "region"}).json()
    total, rows = selectors.funnel(Lead.objects.visible_to(world.users.city), by="region")
    assert body["total"]["signed"] == total.signed and body["total"]["funds_rate"] == str(total.funds_rate)
    assert {r["key"]: r["landed"] for r in body["rows"]} == {r.key: r.landed for r in rows}
    content, n = export_pipeline(Lead.objects.visible_to(world.users.city), by="region")
    assert n == 7
    ws = load_workbook(io.BytesIO(content))["转化漏斗"]
    last = list(ws.iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and last[1] == 7 and last[3] == 4 and last[13] == 650


def test_figures_as_of_a_period_end(world, leads):
    total, _ = selectors.funnel(Lead.objects.all(), as_of=dt.date(2026, 1, 31))
    assert (total.signed, total.landed, total.funded) == (3, 0, 1)  # s_signed (Feb) not yet; landings in February
    assert total.arrived_amount == D("40")


def test_rankings_and_assessment_read_the_unit_funnels(world, leads):
    from keyprojects.analytics.assessment import _basis
    from keyprojects.analytics.rankings import UnitFigures
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.regions.models import Region

    jinan = Region.objects.get(code="370100")
    feb = ReportingPeriod(year=2026, month=2)
    units = selectors.unit_funnel(period=feb, kind="region", root=jinan)
    assert set(units) == {"370102", "370103"}
    assert (units["370102"].signed, units["370102"].landed, units["370103"].signed, units["370103"].landed) == (2, 1, 2, 1)
    u = UnitFigures(key="370102", name="历下区", figures=None, leads=units["370102"])  # type: ignore[arg-type]
    assert u.value("lead_landing_rate") == D("0.5000")
    assert u.value("lead_funds_rate") == metrics.funds_arrival_rate(D("240"), D("300"))
    basis = _basis("lead_landing_rate", u, [], [], 2)
    assert basis["numerator"] == 1 and basis["denominator"] == 2 and basis["projects"] == [leads["l_landed"].project_id]
    assert UnitFigures(key="x", name="x", figures=None).value("lead_start_rate") is None  # type: ignore[arg-type]
    depts = selectors.unit_funnel(period=feb, kind="department", root=jinan)
    assert depts == {}
