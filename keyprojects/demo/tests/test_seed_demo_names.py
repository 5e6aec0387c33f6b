"""Project names of the demo: the place word is said once (济南市中区…, never 济南济南市中区…)."""

from __future__ import annotations

import random
from types import SimpleNamespace

from keyprojects.demo.builder import DemoBuilder


class _AlwaysPrefix(random.Random):
    """Every template is the place one and the 15% "add the city" draw always hits."""

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return seq[0]

    def random(self) -> float:
        return 0.0


def _builder() -> DemoBuilder:
    b = DemoBuilder.__new__(DemoBuilder)
    b.rng = _AlwaysPrefix()
    b.region_name = {"370100": "济南市", "370103": "市中区", "370102": "历下区"}
    b.city_of = {"370100": "370100", "370103": "370100", "370102": "370100"}
    b.used_names = set()
    b.year = 2026
    return b


def test_the_city_is_not_added_twice_to_a_place_that_has_it():
    b = _builder()
    draft = SimpleNamespace(division="85", region="370103", owner=None)
    name = b._name(draft)  # type: ignore[arg-type]
    assert "济南济南" not in name and name.startswith("济南市中区"), name
    assert b._name(SimpleNamespace(division="85", region="370102", owner=None)).startswith("济南历下")  # type: ignore[arg-type]
