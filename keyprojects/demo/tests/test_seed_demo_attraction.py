"""The demo's 招商引资 (issue 16): leads in every stage, a leader with many trips, landed leads
whose projects report monthly, confidentiality between 历下区 and 市中区; the pages render."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keyprojects.accounts.models import User
from keyprojects.attraction.choices import PIPELINE
from keyprojects.attraction.models import FundArrival, Lead, LeadEvent
from keyprojects.attraction.selectors import funds_to_confirm, leader_counts, stalled_q
from keyprojects.core.validators import is_valid_phone
from keyprojects.demo.attraction import CHAIN_DIVISIONS, CHAINS
from keyprojects.demo.common import PLATFORM_SUFFIXES
from keyprojects.engagement.models import EnterpriseRequest
from keyprojects.enterprises.models import EnterpriseContact
from keyprojects.partnership.models import EnterpriseLiaison
from keyprojects.projects.models import Project

#: Every telephone field and the model it is on: the demo writes only numbers the forms accept.
PHONES = (
    (Project, "contact_phone"), (Lead, "contact_phone"), (EnterpriseRequest, "contact_phone"), (EnterpriseContact, "phone"),
    (EnterpriseLiaison, "phone"), (User, "phone"),
)  # fmt: skip


@pytest.mark.django_db
def test_demo_attraction():
    call_command("seed_demo", stdout=io.StringIO(), projects=300, seed=13, year=2026, month=11, months=3, verbosity=0, interactive=False)
    lixia = User.objects.get(username="lixia")
    stages = set(Lead.objects.values_list("stage", flat=True))
    assert set(PIPELINE) | {"dropped"} <= stages
    assert Lead.objects.filter(stalled_q()).exists()
    for model, field in PHONES:
        bad = [v for v in model.objects.values_list(field, flat=True).distinct() if not is_valid_phone(v)]
        assert bad == [], (model.__name__, field, bad[:5])
    assert Lead.objects.exclude(contact_phone="").exists() and EnterpriseContact.objects.exclude(phone="").exists()
    top = leader_counts(lixia)[0]
    assert top.trips == 32 and len(top.destinations) >= 4 and top.leads_found >= 1
    reporting = Lead.objects.filter(project__reports__isnull=False).distinct()
    assert reporting.exists()
    assert all(lead.agreement is not None and lead.project in lead.agreement.projects.all() for lead in reporting)
    assert not Lead.objects.visible_to(lixia).filter(region_id="370103").exists()
    assert Lead.objects.visible_to(User.objects.get(username="jinan")).filter(region_id="370103").exists()
    for username in ("jinan", "lixia", "jinan_fgw", "leader", "province"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name in ("attraction:list", "attraction:funnel", "attraction:leaders", "attraction:activities"):
            assert client.get(reverse(name)).status_code == 200, (username, name)
        lead = Lead.objects.visible_to(User.objects.get(username=username)).first()
        if lead is not None:
            assert client.get(reverse("attraction:detail", args=[lead.pk])).status_code == 200
    client = Client()
    client.force_login(User.objects.get(username="byd"))
    assert client.get(reverse("attraction:list")).status_code == 403
    _funds_are_four_eyes(lixia)
    _investors_are_enterprises_of_the_industry()
    # every step is dated from the demo's data date (November 2026 here), the feedback included
    as_of = dt.date(2026, 11, 30)
    assert not LeadEvent.objects.filter(on_date__gt=min(as_of, timezone.localdate())).exists()
    assert LeadEvent.objects.filter(to_stage="feedback").exists()


def _funds_are_four_eyes(lixia):
    """The demo's 到资: confirmed by someone other than the enterer, some waiting (for lixia and
    for lixia_sh), one confirmed entry corrected (the original voided), and the lists show it."""
    entries = FundArrival.objects.all()
    assert entries.filter(status="confirmed").exists()
    assert not entries.filter(confirmed_by=F("recorded_by")).exists()
    assert all(e.confirmed_by_id for e in entries.filter(status__in=["confirmed", "voided"]))
    clerk = User.objects.get(username="lixia_sh")
    assert funds_to_confirm(lixia).exists() and funds_to_confirm(clerk).exists()
    voided = entries.get(status="voided")
    assert voided.corrections.get().status == "confirmed" and voided.voided_by_id == clerk.pk
    client = Client()
    client.force_login(lixia)
    page = client.get(reverse("attraction:list")).content.decode()
    assert 'data-testid="funds-to-confirm"' in page
    waiting = funds_to_confirm(lixia).first()
    page = client.get(reverse("attraction:detail", args=[waiting.lead_id])).content.decode()
    assert f'data-testid="fund-confirm-{waiting.pk}"' in page


#: How a public body's name ends (an organ, a committee, an office, a government, a public
#: institution): never a 招商引资 investor.
PUBLIC_BODY_ENDINGS = ("局", "委", "委员会", "办", "办公室", "政府", "中心", "管委会", "医院", "学校", "院")


def _not_public(name: str, uscc: str = "") -> bool:
    """An enterprise's name and code: not a public body, not a local government's own company
    (城投、交通、水务、能源、文旅), and when its code is known, registered as a business (9…)."""
    return not name.endswith(PUBLIC_BODY_ENDINGS + tuple(PLATFORM_SUFFIXES)) and (not uscc or uscc.startswith("9"))


def _investors_are_enterprises_of_the_industry():
    """Every lead's investor (投资方) is an enterprise, none a public body (the demo's landed leads
    once named 历下区's 教育和体育局 and its 城投 as investors), and whoever signed for it is a
    business of the lead's industry: the investor's project company, or the investor itself."""
    leads = list(Lead.objects.select_related("agreement__enterprise", "project__owner", "chain"))
    assert len(leads) >= 10 and any(lead.agreement_id for lead in leads)
    for lead in leads:
        assert lead.investor_name and _not_public(lead.investor_name, lead.investor_uscc), (lead.name, lead.investor_name)
        assert lead.industry_section, lead.name
        if lead.chain_id:  # a lead on an industry chain is of one of its industries
            assert lead.industry_division in CHAIN_DIVISIONS[[name for name, *_ in CHAINS].index(lead.chain.name)], lead.name
        if lead.agreement_id:
            signer = lead.agreement.enterprise
            assert _not_public(signer.name, signer.uscc), (lead.name, signer.name)
            assert signer.industry_section == lead.industry_section, (lead.name, signer.name)
            if not lead.project_id:  # the investor's project company: of the lead's very 行业大类
                assert signer.industry_division == lead.industry_division and signer.region_id == lead.region_id, lead.name
        if lead.project_id:  # a landed lead: its investor owns the project
            assert lead.project.owner.name == lead.investor_name and lead.project.owner.industry_section == lead.industry_section
