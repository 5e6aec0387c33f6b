"""Full-width punctuation between a template's translated strings and values is itself
translated (``{% translate "（" context "punctuation" %}``): the English pages read
"(Reason: …)", "Region: …", the Chinese ones exactly as before."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

PUNCT = "（）：，；、"
TOKEN = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^<>]*>", re.S)
BLOCK_OPEN = re.compile(r"\{%\s*(blocktrans|blocktranslate)\b")
BLOCK_CLOSE = re.compile(r"\{%\s*end(blocktrans|blocktranslate)\s*%\}")
# a run of template text between tags, values and HTML tags with punctuation but no Chinese words
BARE = re.compile(r"^[^\u3400-\u9fff]*[" + PUNCT + r"][^\u3400-\u9fff]*$", re.S)


def bare_punctuation(text: str) -> list[str]:
    """The runs of ``text`` (a template) whose full-width punctuation no translation covers."""
    found, at, in_block, in_script = [], 0, False, False
    for m in TOKEN.finditer(text):
        run = text[at : m.start()]
        if run and not in_block and not in_script and BARE.match(run):
            found.append(text[max(0, at - 40) : m.start() + 40])
        tok = m.group(0)
        if BLOCK_OPEN.match(tok):
            in_block = True
        elif BLOCK_CLOSE.match(tok):
            in_block = False
        elif tok.lower().startswith("<script"):
            in_script = True
        elif tok.lower().startswith("</script"):
            in_script = False
        at = m.end()
    return found


def test_no_template_leaves_full_width_punctuation_untranslated():
    left = {}
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "{% load i18n" in text and (runs := bare_punctuation(text)):
            left[str(path)] = runs
    assert not left, left


def test_the_punctuation_reads_ascii_in_english_and_as_before_in_chinese(compiled):  # noqa: F811
    t = Template(
        '{% load i18n %}{{ m }}{% translate "（" context "punctuation" %}{% translate "说明：" %}{{ r }}'
        '{% translate "）" context "punctuation" %}{% translate "：" context "punctuation" %}x'
    )
    with translation.override("zh-hans"):
        assert t.render(Context({"m": "提示", "r": "原因"})) == "提示（说明：原因）：x"
    with translation.override("en"):
        assert t.render(Context({"m": "Check", "r": "原因"})) == "Check (Reason: 原因): x"
