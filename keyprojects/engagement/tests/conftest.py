"""Fixtures of the engagement tests: the shared ``world`` with routing rules (Jinan's 要素保障
requests go to 济南市发改委, the province's 审批服务 to Qingdao's 工信局 for the test)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from keyprojects.engagement.models import RequestCategory, RoutingRule
from keyprojects.engagement.services import request_create

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=SH)


@pytest.fixture
def eng(world):
    from keyprojects.engagement.catalogue import ensure_categories

    ensure_categories()  # (after a transactional test the migration's rows are gone)
    factor = RequestCategory.objects.get(code="factor")
    RoutingRule.objects.create(category=factor, region_id="370100", unit=world.dept)
    world.factor = factor
    world.approval_cat = RequestCategory.objects.get(code="approval")
    return world


def raise_request(w, *, user=None, enterprise=None, category="factor", now=None, **data):
    user = user or w.users.enterprise
    enterprise = enterprise or w.ent
    values = {"category": category, "title": "用地指标不足", "description": "二期用地指标缺口50亩，请协调。", **data}
    return request_create(user=user, enterprise=enterprise, data=values, now=now)
