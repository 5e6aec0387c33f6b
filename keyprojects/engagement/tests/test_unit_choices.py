"""The unit choice lists of 政企服务 and 会商会办 hold the units that can act where the user (or
the request) is — its own, those below it and the city's and province's — never another city's:
a Jinan meeting or consultation offered all 600-odd units of the province, Qingdao's included."""

from __future__ import annotations

import re

import pytest

from keyprojects.accounts import policy
from keyprojects.core.testing import UnitFactory
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


def _options(body: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, name
    return set(re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)))


@pytest.fixture
def units(world):
    return {
        "province": UnitFactory(name="山东省发展和改革委员会", region_id="370000"),
        "county": UnitFactory(name="历下区住房和城乡建设局", region_id="370102"),
        "other_county": UnitFactory(name="市南区住房和城乡建设局", region_id="370202"),
    }


def test_units_near_a_county_a_city_and_the_province(world, units):
    names = lambda region: set(policy.units_near(Region.objects.get(code=region)).values_list("name", flat=True))  # noqa: E731
    county = names("370102")
    assert {"历下区住房和城乡建设局", "济南市发展和改革委员会", "山东省发展和改革委员会"} <= county
    assert not county & {"青岛市工业和信息化局", "市南区住房和城乡建设局"}
    city = names("370100")
    assert {"历下区住房和城乡建设局", "济南新旧动能转换起步区", "山东省发展和改革委员会"} <= city
    assert not city & {"青岛市工业和信息化局", "市南区住房和城乡建设局"}
    assert {"青岛市工业和信息化局", "市南区住房和城乡建设局"} <= names("370000")


def test_a_city_meeting_and_consultation_offer_the_city_units(client, world, units):
    client.force_login(world.users.city)
    present = _options(client.get("/engagement/meetings/new/").content.decode(), "units_present")
    assert {"济南市发展和改革委员会", "历下区住房和城乡建设局", "山东省发展和改革委员会"} <= present
    assert "青岛市工业和信息化局" not in present and "市南区住房和城乡建设局" not in present
    body = client.get("/approvals/consultations/new/").content.decode()
    for name in ("units_present", "owner_unit"):
        offered = _options(body, name)
        assert "济南市发展和改革委员会" in offered and "青岛市工业和信息化局" not in offered, name
    client.force_login(world.users.province)
    assert "青岛市工业和信息化局" in _options(client.get("/engagement/meetings/new/").content.decode(), "units_present")
