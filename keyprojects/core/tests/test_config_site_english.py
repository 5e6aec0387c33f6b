"""The business configuration site (/config/) in English: no Chinese on the index, the change
lists, the change forms and the histories of every model there, except the data — the stored
Chinese names and descriptions being edited (``name`` beside ``name_en``), region and unit names —
and a catalogue row (诉求类别, 审批事项, 产业链, 阶段服务事项; a 分办规则's category) titled and
chosen by its English name (core/localized_admin.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from keyprojects.accounts.admin_site import config_site
from keyprojects.approvals.models import ApprovalItem
from keyprojects.attraction.models import IndustryChain, ServiceItem
from keyprojects.core.models import CalendarOverride
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio.models import HeaderSynonym
from keyprojects.dispatch.models import DispatchConfig
from keyprojects.engagement.models import RequestCategory, RoutingRule
from keyprojects.partnership.models import PartnershipConfig

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")

#: Where a page shows data, not words of the UI: scripts, the values of inputs and text areas,
#: the stored-name and description columns of a list, a choice of region, the recent actions
#: (each row's name as it was logged).
DATA = [
    re.compile(r"<script.*?</script>", re.S),
    re.compile(r'\svalue="[^"]*"'),
    re.compile(r"<textarea[^>]*>.*?</textarea>", re.S),
    re.compile(r'<(td|th) class="field-(name|description|department_name|region|unit|header|note|chain_leader)"[^>]*>.*?</\1>', re.S),
    re.compile(r'<select name="region".*?</select>', re.S),
    re.compile(r'<ul class="actionlist">.*?</ul>', re.S),
]
#: The header synonym's help text quotes a header as a Chinese file writes it.
EXAMPLES = ["投资盘子（亿元）"]


def _chinese_left(html: str, data: list[str]) -> list[str]:
    for pattern in DATA:
        html = pattern.sub("", html)
    for text in sorted([*data, *EXAMPLES], key=len, reverse=True):
        html = html.replace(text, "")
    return [line.strip()[:200] for line in html.splitlines() if CJK.search(line)]


def _rows(world):
    DispatchConfig.get()
    PartnershipConfig.objects.create(pk=1, alert_days=30)
    factor = RequestCategory.objects.get(code="factor")
    rule = RoutingRule.objects.create(category=factor, region_id="370100", unit=world.dept)
    IndustryChain.objects.create(name="新能源汽车", name_en="New energy vehicles")
    HeaderSynonym.objects.create(header="投资盘子（亿元）", field="total_investment")
    CalendarOverride.objects.create(day=dt.date(2031, 1, 2), kind="holiday", name="元旦")
    return rule


def _pages() -> list[str]:
    urls = ["/config/"]
    for model in config_site._registry:
        base = f"/config/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [f"/config/{model._meta.app_label}/", base, f"{base}add/"]
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            urls += [f"{base}{row.pk}/change/", f"{base}{row.pk}/history/"]
    return urls


def test_config_site_has_no_chinese_but_data_in_english(compiled, client, world):  # noqa: F811
    rule = _rows(world)
    data = [str(rule.region), str(rule.unit), "元旦"]
    client.force_login(world.users.province)
    _switch_to_english(client)
    seen, left = 0, {}
    for url in _pages():
        response = client.get(url)
        if response.status_code == 403:  # no adding the one-row settings, nor snapshots
            continue
        assert response.status_code == 200, url
        seen += 1
        found = _chinese_left(response.content.decode(), data)
        if found:
            left[url] = found
    assert seen >= 30 and not left, left


def test_catalogue_rows_are_titled_and_chosen_in_english(compiled, client, world):  # noqa: F811
    rule = _rows(world)
    factor = RequestCategory.objects.get(code="factor")
    item = ServiceItem.objects.order_by("pk").first()
    approval = ApprovalItem.objects.order_by("pk").first()
    client.force_login(world.users.province)
    _switch_to_english(client)
    page = client.get(f"/config/engagement/requestcategory/{factor.pk}/change/").content.decode()
    assert "<title>Factor support | Change Request category" in page and "<h2>Factor support</h2>" in page
    assert re.search(r'<div class="breadcrumbs">.*&rsaquo; Factor support\s*</div>', page, re.S)
    page = client.get(f"/config/engagement/requestcategory/{factor.pk}/history/").content.decode()
    assert "<h1>Change history: Factor support</h1>" in page and ">Factor support</a>" in page
    page = client.get(f"/config/attraction/serviceitem/{item.pk}/change/").content.decode()
    assert f"<h2>{item.get_stage_display()} · {item.name_en}</h2>" in page
    page = client.get(f"/config/approvals/approvalitem/{approval.pk}/change/").content.decode()
    assert f"<h2>{approval.name_en}</h2>" in page
    page = client.get("/config/engagement/routingrule/").content.decode()
    assert f'<th class="field-category_name"><a href="/config/engagement/routingrule/{rule.pk}/change/">Factor support</a></th>' in page
    assert f'<a href="?category__id__exact={factor.pk}">Factor support</a>' in page
    page = client.get(f"/config/engagement/routingrule/{rule.pk}/change/").content.decode()
    assert f'<option value="{factor.pk}" selected>Factor support</option>' in page
    assert f"<h2>Factor support · {rule.region} → {rule.unit}</h2>" in page
    page = client.get("/config/dataio/headersynonym/add/").content.decode()
    assert '<option value="total_investment">Total investment (10k CNY) (total_investment)</option>' in page
    # The rows themselves keep their Chinese (what the logs, exports and the API say).
    assert str(factor) == "要素保障" and str(HeaderSynonym.objects.get()) == "投资盘子（亿元） → 总投资（万元）（total_investment）"


def test_catalogue_rows_stay_chinese_in_chinese(compiled, client, world):  # noqa: F811
    rule = _rows(world)
    factor = RequestCategory.objects.get(code="factor")
    client.force_login(world.users.province)
    page = client.get(f"/config/engagement/requestcategory/{factor.pk}/change/").content.decode()
    assert "<h2>要素保障</h2>" in page and "Factor support</h2>" not in page
    page = client.get(f"/config/engagement/routingrule/{rule.pk}/change/").content.decode()
    assert f'<option value="{factor.pk}" selected>要素保障</option>' in page
    page = client.get("/config/dataio/headersynonym/add/").content.decode()
    assert '<option value="total_investment">总投资（万元）（total_investment）</option>' in page
