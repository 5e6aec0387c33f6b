"""Sentences stored in Chinese and shown in the active language.

Some texts are written once, in Chinese, into the database — a warning's 说明, a check's message —
and stay Chinese there (exports, the bulletin, the Chinese UI). Such a sentence is declared once as
a :class:`Sentence` whose template is the catalogue's source string (``%(name)s`` values; marked
with ``gettext_noop`` where it is declared, so that ``make messages`` finds it):

* :meth:`Sentence.zh` writes the stored text (the template filled in: no language switch);
* :meth:`Sentence.say` reads a stored text back into its values and says it again in the active
  language — no query, so a list can say every row. A value that is itself a source string (a
  choice's label, a unit: :data:`WORD`) or a month (:data:`MONTH`) is said again too; names
  (:data:`TEXT`) stay as written.

:func:`say_again` does this for a text that may be any of a few sentences, or several of them
joined by a separator; what reads as none of them stays as stored. :func:`say_within` says the
sentences met inside a free text (a history entry quoting them beside people's words).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import get_language, gettext, ngettext, pgettext

_VALUE = re.compile(r"%\((\w+)\)s|%%")
_MONTH = re.compile(r"(\d{4})年(\d{1,2})月")
ELLIPSIS = "…"


def _month(text: str) -> str:
    from .money import Period, format_period

    m = _MONTH.fullmatch(text)
    return format_period(Period(int(m.group(1)), int(m.group(2)))) if m else text


@dataclass(frozen=True, slots=True)
class Slot:
    """How a value sits in the stored text (a regular expression) and how it is said again."""

    pattern: str = r".*?"
    show: Callable[[str], str] | None = None


TEXT = Slot()  # a name (of a project, unit, approval): shown as written
NUMBER = Slot(r"-?[0-9][0-9,]*(?:\.[0-9]+)?")  # a figure as written (thousands separators allowed)
DATE = Slot(r"\d{4}-\d{2}-\d{2}")  # an ISO date: the same in every language
WORD = Slot(r".+?", gettext)  # a source string of the catalogue (a choice's label, a unit): translated
MONTH = Slot(r"\d{4}年\d{1,2}月", _month)  # a reporting month (2026年3月, 2026年03月): as format_period says it


class Sentence:
    """One stored sentence: ``template`` is its Chinese source string. ``count`` names the value
    that chooses the plural form (the English catalogue then has a plural entry: declare the
    template with ``ngettext`` for makemessages); ``slots`` say how other values are read and said
    (default :data:`TEXT`)."""

    def __init__(self, template: str, *, count: str | None = None, **slots: Slot) -> None:
        names = [m.group(1) for m in _VALUE.finditer(template) if m.group(1)]
        unknown = set(slots) - set(names) | ({count} - set(names) if count else set())
        if unknown:
            raise ValueError(f"{template!r} has no value {', '.join(sorted(unknown))}")
        self.template = template
        self.count = count
        self.slots = {name: slots.get(name, TEXT) for name in names}

    def __repr__(self) -> str:
        return f"Sentence({self.template!r})"

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        parts: list[str] = []
        at = 0
        for m in _VALUE.finditer(self.template):
            parts.append(re.escape(self.template[at : m.start()]))
            parts.append(f"(?P<{m.group(1)}>{self.slots[m.group(1)].pattern})" if m.group(1) else "%")
            at = m.end()
        parts.append(re.escape(self.template[at:]))
        return re.compile("".join(parts), re.DOTALL)

    def zh(self, **values: object) -> str:
        """The stored (Chinese) text with ``values``."""
        return self.template % values if self.slots or "%" in self.template else self.template

    def read(self, text: str) -> dict[str, str] | None:
        """The values of ``text`` (as written), or None when it is not this sentence."""
        m = self._pattern.fullmatch(text)
        return m.groupdict() if m else None

    def say(self, text: str) -> str | None:
        """``text`` said again in the active language (in Chinese: as stored), or None when it is
        not this sentence."""
        values = self.read(text)
        if values is None:
            return None
        if (get_language() or "").startswith("zh"):
            return text
        if self.count:
            words = ngettext(self.template, self.template, int(values[self.count].replace(",", "")))
        else:
            words = gettext(self.template)
        if not self.slots and "%" not in self.template:
            return words
        return words % {name: (slot.show(values[name]) if slot.show else values[name]) for name, slot in self.slots.items()}


def say_again(text: str, sentences: Sequence[Sentence], *, sep: str | None = None, cut_at: int | None = None) -> str:
    """``text`` said again in the active language by the first of ``sentences`` it reads as; with
    ``sep``, each part of it between separators (joined again by the active language's separator).
    What reads as none of them stays as stored — except the last of several parts of a text
    ``cut_at`` characters long (a column's length: the rest was cut off when stored): "…"."""
    parts = text.split(sep) if sep else [text]
    said: list[str] = []
    for i, part in enumerate(parts):
        shown = next((s for s in (sentence.say(part) for sentence in sentences) if s is not None), None)
        if shown is None and cut_at and len(text) >= cut_at and said and i == len(parts) - 1:
            shown = ELLIPSIS
        said.append(part if shown is None else shown)
    if len(said) == 1:
        return said[0]
    # Translators: between sentences joined in one text (a warning naming several approvals)
    return pgettext("sentence separator", "；").join(said)


def say_within(text: str, sentences: Sequence[Sentence], *, after: Mapping[str, str] | None = None, sep: str | None = None) -> str:
    """Every one of ``sentences`` met inside the free ``text`` said again in the active language
    (in Chinese: ``text`` as stored); ``after`` (stored words → their words now) says the words
    right after such a sentence, ``sep`` the separator right before one (not the first) — the
    rest, people's words, stays as written. For sentences that do not end with a :data:`TEXT`
    value (it would match nothing)."""
    if (get_language() or "").startswith("zh"):
        return text
    out: list[str] = []
    at = 0
    while True:
        found = [(m.start(), -m.end(), i, m) for i, s in enumerate(sentences) if (m := s._pattern.search(text, at)) and m.end() > m.start()]
        if not found:
            break
        _start, _end, i, m = min(found, key=lambda f: f[:3])
        before = text[at : m.start()]
        if sep and out and before.endswith(sep):
            before = before[: -len(sep)] + pgettext("sentence separator", "；")
        out.append(before)
        out.append(sentences[i].say(m.group(0)) or m.group(0))
        at = m.end()
        for stored, said in (after or {}).items():
            if text.startswith(stored, at):
                out.append(said)
                at += len(stored)
                break
    out.append(text[at:])
    return "".join(out)
