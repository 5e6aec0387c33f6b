"""A consultation refused by its service in the English UI (held in the future) reads in English
at its field, in Chinese as before; the service's message keeps the Chinese text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

from .test_consultations import need  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
URL = "/approvals/consultations/new/"


def test_a_consultation_in_the_future_is_refused_in_english(compiled, client, world, need):  # noqa: F811
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = {"held_on": tomorrow, "convener": "济南市副市长", "need": need.pk, "decision": "提请省级调剂", "owner_unit": world.dept.pk}
    client.force_login(world.users.city)
    zh = client.post(URL, data).content.decode()
    assert "会商日期不能晚于今天" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.post(URL, data).content.decode()
    assert "The consultation date cannot be later than today" in en and "会商日期不能晚于今天" not in en


def test_an_approval_item_with_inconsistent_dates_is_refused_in_english(compiled, client, world):  # noqa: F811
    """The item's own checks (ProjectApproval.clean) are source strings of the catalogue: the
    form says them in the page's language."""
    from keyprojects.approvals.models import ApprovalItem, ProjectApproval
    from keyprojects.approvals.services import approval_items_set

    approval_items_set(user=world.users.county, project=world.projects.own_county, item_ids=[ApprovalItem.objects.get(code="eia").pk])
    item = ProjectApproval.objects.get(project=world.projects.own_county)
    data = {
        "version": item.version,
        "status": "done",
        "applied_on": "2025-09-22",
        "accepted_on": "2025-09-20",
        "completed_on": "",
        "note": "",
    }
    client.force_login(world.users.county)
    zh = client.post(f"/approvals/{item.pk}/edit/", data).content.decode()
    assert "受理日期不能早于申报日期" in zh and "已办结的事项须填写办结日期" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.post(f"/approvals/{item.pk}/edit/", data).content.decode()
    assert "The acceptance date cannot be earlier than the application date" in en
    assert "A completed item needs its completion date" in en and "受理日期不能早于申报日期" not in en
