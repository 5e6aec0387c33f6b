"""Numbers as users see them in the Chinese UI: a comma every three digits, never the 4 stored
places (the UI tour found 183600.00 亩/万元 in 四张清单, 合作协议 and 要素保障 tables, and
进度指数0.0000 in warnings)."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def test_floatformat_g_groups_thousands_in_chinese_and_english():
    t = Template('{{ v|floatformat:"2g" }}|{{ v|floatformat:"-4g" }}|{{ v }}')
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            assert t.render(Context({"v": Decimal("183600.0000")})) == "183,600.00|183,600|183600.0000"


def test_a_warning_shows_the_progress_index_with_two_places_cut_below_the_floor():
    from keyprojects.analytics.refresh import _shown_index

    assert str(_shown_index(Decimal("0.0000"))) == "0.00"
    assert str(_shown_index(Decimal("0.8412"))) == "0.84"
    assert str(_shown_index(Decimal("0.8999"))) == "0.89"  # below a 0.90 floor, never shown as 0.90


def test_a_commitment_target_in_wan_shows_two_places_other_measures_up_to_four():
    t = Template("{{ v|measured:m }}")
    assert t.render(Context({"v": Decimal("12345.5000"), "m": "万元"})) == "12,345.50"
    assert t.render(Context({"v": Decimal("183600.0000"), "m": "亩"})) == "183,600"
    assert t.render(Context({"v": Decimal("12.2500"), "m": "人"})) == "12.2500"


def test_a_percentage_shows_two_places_everywhere():
    """形象进度 on the fill page showed 15.9% in one place and 35.00% in another: ``pct`` is the one format."""
    t = Template("{{ v|pct }}")
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            assert [t.render(Context({"v": v})) for v in (Decimal("15.9"), Decimal("35.00"), 100, None)] == ["15.90", "35.00", "100.00", ""]
