"""The lead's own checks (Lead.clean) read in the page's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.attraction.tests.test_phone import form
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.django_db


def test_a_future_date_obtained_is_refused_in_the_pages_language(compiled, world, client):  # noqa: F811
    client.force_login(world.users.county)
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(reverse("attraction:create"), form(obtained_on=later)).content.decode()
    assert "获取日期不能晚于今天" in page
    _switch_to_english(client)
    page = client.post(reverse("attraction:create"), form(obtained_on=later, investor_origin="in_province")).content.decode()
    assert "The date obtained cannot be later than today" in page and "unified social credit code" in page
    assert "获取日期不能晚于今天" not in page and "省内投资方" not in page


def test_a_voiding_correction_reads_in_the_pages_language(compiled, world, client, lead_of):  # noqa: F811
    """The 冲销原因 a confirmed correction writes on the entry it replaces is stored in Chinese
    (更正为500.00万元：多录一个0); the lead page says it in English, the person's reason as written."""
    from keyprojects.attraction.models import FundArrival
    from keyprojects.attraction.services import fund_arrival_add, fund_decide, lead_advance, lead_sign

    u = world.users
    today = timezone.localdate()
    lead = lead_of()
    lead = lead_advance(user=u.county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=20))
    lead = lead_sign(user=u.county, lead=lead, expected_version=lead.version, enterprise=world.ent,
                     signed_on=today - dt.timedelta(days=10), amount="48000", title="投资协议")  # fmt: skip
    entry = fund_arrival_add(user=u.county, lead=lead, arrived_on=today, arrived_amount="5000")
    fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)
    fix = fund_arrival_add(user=u.county, lead=lead, arrived_on=today, arrived_amount="500", replaces=entry, reason="多录一个0")
    fund_decide(user=u.county_clerk, entry=fix, expected_version=fix.version, accept=True)
    entry.refresh_from_db()
    assert entry.status == "voided" and entry.void_reason == "更正为500.00万元：多录一个0"  # stored as written
    client.force_login(u.county)
    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert page.count("更正为500.00万元：多录一个0") == 2  # the 冲销原因 and the history
    _switch_to_english(client)
    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert page.count("Corrected to 500.00 (10k CNY): 多录一个0") == 2 and "更正为" not in page
    assert FundArrival.objects.get(pk=entry.pk).void_reason == "更正为500.00万元：多录一个0"  # unchanged


def test_the_leaders_destinations_read_in_the_pages_language(compiled):  # noqa: F811
    from django.utils import translation

    from keyprojects.attraction.selectors import LeaderCount

    row = LeaderCount(leader_id=1, name="刘鑫芳", title="市长", destinations={"上海": 1, "广东深圳": 6, "北京": 2})
    with translation.override("zh-hans"):
        assert row.destination_text == "广东深圳（6次）、北京（2次）、上海"
    with translation.override("en"):
        assert row.destination_text == "广东深圳 (6 times), 北京 (2 times), 上海"


def test_a_confirmed_funds_entry_reads_as_confirmed_in_english(compiled, world, client, lead_of):  # noqa: F811
    """The 到资 entry's state and history say what happened ("Confirmed"), neither the dispatch
    flag's "Acknowledged" nor the buttons' "Confirm" / "Return"."""
    import re

    from keyprojects.attraction.services import fund_arrival_add, fund_decide, lead_advance, lead_sign

    u = world.users
    today = timezone.localdate()
    lead = lead_of()
    lead = lead_advance(user=u.county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=20))
    lead = lead_sign(user=u.county, lead=lead, expected_version=lead.version, enterprise=world.ent,
                     signed_on=today - dt.timedelta(days=10), amount="48000", title="投资协议")  # fmt: skip
    entry = fund_arrival_add(user=u.county, lead=lead, arrived_on=today, arrived_amount="5000")
    fund_decide(user=u.county_clerk, entry=entry, expected_version=entry.version, accept=True)
    returned = fund_arrival_add(user=u.county, lead=lead, arrived_on=today, arrived_amount="10")
    fund_decide(user=u.county_clerk, entry=returned, expected_version=returned.version, accept=False, note="无凭证")
    client.force_login(u.county)
    _switch_to_english(client)
    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    status = re.search(rf'data-testid="fund-status-{entry.pk}">([^<]*)<', page)
    assert status and status.group(1) == "Confirmed"
    assert " · Confirmed · " in page and " · Returned · " in page
    assert " · Confirm · " not in page and " · Return · " not in page and "Acknowledged" not in page
