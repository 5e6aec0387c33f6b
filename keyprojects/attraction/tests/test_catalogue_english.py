"""产业链 and the stages' 服务事项 are configured vocabulary: the 招商 pages name them in the UI's
language (their English, the Chinese when none is set), the API adds the English beside the
Chinese, a refusal listing required items says them in the page's language, the export stays
Chinese (a 清单)."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from keyprojects.attraction.filters import LeadFilter
from keyprojects.attraction.forms import LeadForm
from keyprojects.attraction.models import IndustryChain, ServiceItem
from keyprojects.attraction.services import lead_advance
from keyprojects.core.errors import TransitionNotAllowed
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chained(world, lead_of):
    world.chain = IndustryChain.objects.create(name="生物医药", name_en="Biomedicine", order=1)
    world.plain = IndustryChain.objects.create(name="新材料", order=2)  # no English yet
    world.lead = lead_of(chain=world.chain)
    world.plain_lead = lead_of(chain=world.plain, name="石墨烯项目")
    return world


def test_the_lead_pages_name_chains_and_service_items_in_the_pages_language(compiled, client, chained):  # noqa: F811
    client.force_login(chained.users.county)
    lead = chained.lead
    urls = ["/attraction/", f"/attraction/{lead.pk}/", f"/attraction/{lead.pk}/edit/", "/attraction/funnel/?by=chain"]
    zh = {url: client.get(url).content.decode() for url in urls}
    for url, page in zh.items():
        assert "生物医药" in page and "Biomedicine" not in page, url
    assert "线索登记建档" in zh[f"/attraction/{lead.pk}/"]
    _switch_to_english(client)
    en = {url: client.get(url).content.decode() for url in urls}
    for url, page in en.items():
        assert "Biomedicine" in page and "生物医药" not in page, url  # rows, filter and form choices, funnel groups
        assert "新材料" in page or url == f"/attraction/{lead.pk}/", url  # no English: the Chinese
    detail = en[f"/attraction/{lead.pk}/"]
    assert "Register and file the lead" in detail and "线索登记建档" not in detail
    assert "<td>Biomedicine</td>" in en["/attraction/"]


def test_forms_and_filters_label_chains_in_the_active_language(chained):
    with translation.override("en"):
        form = LeadForm(user=chained.users.county)
        assert [str(label) for _v, label in form.fields["chain"].choices][1:] == ["Biomedicine", "新材料"]
        assert "Biomedicine" in [str(label) for _v, label in LeadFilter({}).form.fields["chain"].choices]
    with translation.override("zh-hans"):
        assert "生物医药" in [str(label) for _v, label in LeadForm(user=chained.users.county).fields["chain"].choices]


def test_required_items_are_named_in_the_language_the_refusal_is_read_in(compiled, client, chained):  # noqa: F811
    ServiceItem.objects.filter(stage="info", name="线索登记建档").update(required=True)
    lead = chained.lead
    client.force_login(chained.users.county)
    _switch_to_english(client)
    r = client.post(f"/attraction/{lead.pk}/step/advance/", {"version": lead.version, "on_date": timezone.localdate().isoformat()})
    assert r.status_code == 409
    page = r.content.decode()
    assert "Required service items of this stage are not done yet: Register and file the lead" in page and "线索登记建档" not in page
    with pytest.raises(TransitionNotAllowed) as caught:
        lead_advance(user=chained.users.county, lead=lead, expected_version=lead.version)
    assert caught.value.as_dict()["message"] == "本阶段还有必办服务事项未完成：线索登记建档"  # the API's Chinese


def test_the_api_adds_the_chains_english_name(chained, api_as):
    c = api_as(chained.users.county)
    rows = {r["id"]: r for r in c.get("/api/v1/leads/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]}
    assert (rows[chained.lead.pk]["chain_name"], rows[chained.lead.pk]["chain_name_en"]) == ("生物医药", "Biomedicine")
    assert (rows[chained.plain_lead.pk]["chain_name"], rows[chained.plain_lead.pk]["chain_name_en"]) == ("新材料", "")
    unchained = c.get(f"/api/v1/leads/{chained.lead.pk}/").json()
    assert set(unchained) >= {"chain", "chain_name", "chain_name_en"}


def test_the_export_stays_chinese_in_any_language(compiled, client, chained):  # noqa: F811
    client.force_login(chained.users.county)
    _switch_to_english(client)
    sheet = load_workbook(io.BytesIO(client.get("/attraction/export.xlsx").content)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "生物医药" in values and "Biomedicine" not in values
