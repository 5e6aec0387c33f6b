"""CSP without inline scripts (reliability.md 26): no template carries inline script, event
handler attributes or inline styles, so the strict policy never blocks our own pages."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A data block (<script type="application/json">, as json_script writes) is not executed: allowed.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=[\"']application/json[\"']))[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style[\s>]", re.I)


def test_no_inline_script_or_style_in_templates():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for name, rx in (("inline <script>", INLINE_SCRIPT), ("on* handler", HANDLER), ("style=", STYLE_ATTR), ("<style>", STYLE_TAG)):
            if rx.search(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {name}")
    assert not offenders, offenders
