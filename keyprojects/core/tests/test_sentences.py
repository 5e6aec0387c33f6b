"""Sentences stored in Chinese, said again in the active language (core.sentences)."""

from __future__ import annotations

import pytest
from django.utils import translation

from keyprojects.core.sentences import DATE, MONTH, NUMBER, WORD, Sentence, say_again

from .test_i18n import compiled  # noqa: F401  (the module fixture)

START = Sentence("计划%(month)s开工，至今未开工", month=MONTH)  # (a source string of the catalogue)
NEED = Sentence("%(kind)s要素缺口%(gap)s%(unit)s，保障时限%(due)s已过", kind=WORD, gap=NUMBER, unit=WORD, due=DATE)
PCT = Sentence("形象进度（%(pct)s%%）低于上期（%(prev)s%%）", pct=NUMBER, prev=NUMBER)
PLAIN = Sentence("项目处于谋划储备阶段却填报了完成投资")
ZERO = Sentence("连续%(months)s个月完成投资为零", count="months", months=NUMBER)


def test_the_stored_text_is_the_template_filled_in():
    assert START.zh(month="2026年03月") == "计划2026年03月开工，至今未开工"
    assert PCT.zh(pct="45.5", prev="50") == "形象进度（45.5%）低于上期（50%）"
    assert PLAIN.zh() == "项目处于谋划储备阶段却填报了完成投资"
    assert ZERO.zh(months=3) == "连续3个月完成投资为零"


def test_a_stored_text_is_read_back_into_its_values():
    assert START.read("计划2026年03月开工，至今未开工") == {"month": "2026年03月"}
    assert NEED.read("土地要素缺口1,120.5亩，保障时限2026-03-10已过") == {
        "kind": "土地",
        "gap": "1,120.5",
        "unit": "亩",
        "due": "2026-03-10",
    }
    assert PCT.read("形象进度（45.5%）低于上期（50%）") == {"pct": "45.5", "prev": "50"}
    assert PLAIN.read("项目处于谋划储备阶段却填报了完成投资") == {}
    # another sentence, or the same with a value that is not of its kind, is not read
    assert START.read("计划明年开工，至今未开工") is None
    assert NEED.read("土地要素缺口很多亩，保障时限2026-03-10已过") is None
    assert PLAIN.read("项目处于谋划储备阶段") is None


def test_a_sentence_names_only_values_of_its_template():
    with pytest.raises(ValueError, match="period"):
        Sentence("计划%(month)s开工", period=MONTH)


def test_said_again_in_the_active_language_and_unchanged_in_chinese(compiled):  # noqa: F811
    texts = ["计划2026年03月开工，至今未开工", "连续3个月完成投资为零", "连续1个月完成投资为零", "形象进度（45.5%）低于上期（50%）"]
    sentences = [START, ZERO, ZERO, PCT]
    with translation.override("zh-hans"):
        assert [s.say(t) for s, t in zip(sentences, texts, strict=True)] == texts
    with translation.override("en"):
        assert [s.say(t) for s, t in zip(sentences, texts, strict=True)] == [
            "Planned to start in Mar 2026, not started yet",  # the month as format_period says it
            "No investment completed for 3 months in a row",  # the plural form chosen by the count
            "No investment completed for 1 month",
            "Physical progress (45.5%) below the previous period (50%)",
        ]
        # a label and a unit of the catalogue are said again with the sentence
        assert NEED.say("土地要素缺口120.5亩，保障时限2026-03-10已过") == "Land need short by 120.5 (mu), deadline 2026-03-10 passed"
        assert START.say("不是这句话") is None


def test_say_again_reads_each_part_and_leaves_what_it_cannot(compiled):  # noqa: F811
    both = "土地要素缺口80亩，保障时限2026-03-10已过；能耗要素缺口3吨标准煤，保障时限2026-03-12已过"
    odd = "土地要素缺口80亩，保障时限2026-03-10已过；另有说明"
    with translation.override("zh-hans"):
        assert say_again(both, [NEED], sep="；") == both
    with translation.override("en"):
        assert say_again(both, [NEED], sep="；") == (
            "Land need short by 80 (mu), deadline 2026-03-10 passed; Energy need short by 3 (tce), deadline 2026-03-12 passed"
        )
        assert say_again(odd, [NEED], sep="；") == "Land need short by 80 (mu), deadline 2026-03-10 passed; 另有说明"
        # a text cut at the column's length: its unreadable last part is shown as cut
        cut = (both + "；土地要素缺口9")[:60]
        assert say_again(cut, [NEED], sep="；", cut_at=60).endswith("passed; …")
        assert say_again("写于以前的说明", [NEED, PLAIN]) == "写于以前的说明"
