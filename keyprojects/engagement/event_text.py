"""The sentences of a request's history (``RequestEvent.note``, ``actor_name``), once.

``services`` writes them in Chinese whatever the language of whoever acted — what is stored,
exported and shown in the Chinese UI; :func:`note_shown` and :func:`actor_shown` say a stored text
again in the active language from the text itself (a source's or rating's label, a date, a number
of days; units' names and people's words stay as written), so that the history needs no query.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from keyprojects.core.sentences import DATE, NUMBER, WORD, Sentence, say_again

from .choices import EventKind

# 提出诉求: the request's source (a Source label, as the Chinese catalogue writes it)
SOURCE = Sentence("%(source)s", source=WORD)
# 分办: by the rules, by hand, or after a unit declined it
BY_RULES = Sentence(gettext_noop("按分办规则"))
BY_HAND = Sentence(gettext_noop("人工分办"))
DECLINED_BY = Sentence(gettext_noop("%(unit)s认为非本部门职责"))
# 改派: from which unit, with the reason
REROUTED_FROM = Sentence(gettext_noop("由%(unit)s改派：%(reason)s"))
# 非本部门职责: which unit should handle it, with the reason
NOT_OURS = Sentence(gettext_noop("%(unit)s：非本部门职责，应由%(target)s办理。%(reason)s"))
# 申请延期
EXTENSION_ASKED = Sentence("延期%(days)s个工作日：%(reason)s", count="days", days=NUMBER)
# 批准延期 / 不予延期, with or without the decision's note
EXTENDED = Sentence(gettext_noop("办理时限延至%(due)s"), due=DATE)
EXTENDED_NOTE = Sentence(gettext_noop("办理时限延至%(due)s。%(note)s"), due=DATE)
NOT_EXTENDED = Sentence(gettext_noop("不予延期"))
NOT_EXTENDED_NOTE = Sentence(gettext_noop("不予延期。%(note)s"))
# 评价: the rating (a Rating label), with or without the reason
RATED = Sentence("%(rating)s", rating=WORD)
RATED_REASON = Sentence(gettext_noop("%(rating)s：%(reason)s"), rating=WORD)
# 办结 after a second 不满意
NO_SECOND_REOPEN = Sentence(gettext_noop("已重办一次，不再重办"))

#: ``actor_name`` of the steps taken by the routing rules (no user)
RULES_ACTOR = gettext_noop("分办规则")


def _plural_msgids() -> None:  # pragma: no cover - never called: makemessages reads the plural entries here
    ngettext("延期%(days)s个工作日：%(reason)s", "延期%(days)s个工作日：%(reason)s", 0)


# kind → the sentences its note may be (the first that reads wins)
SENTENCES: dict[str, tuple[Sentence, ...]] = {
    EventKind.CREATED: (SOURCE,),
    EventKind.ROUTED: (BY_RULES, BY_HAND, DECLINED_BY),
    EventKind.REROUTED: (REROUTED_FROM,),
    EventKind.DECLINED: (NOT_OURS,),
    EventKind.EXTENSION_ASKED: (EXTENSION_ASKED,),
    EventKind.EXTENSION_APPROVED: (EXTENDED, EXTENDED_NOTE),
    EventKind.EXTENSION_REJECTED: (NOT_EXTENDED, NOT_EXTENDED_NOTE),
    EventKind.RATED: (RATED_REASON, RATED),
    EventKind.CLOSED: (NO_SECOND_REOPEN,),
}


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def note_shown(kind: str, note: str) -> str:
    """A history step's note as users read it: as stored in the Chinese UI; in another language
    said again by its kind's sentences. People's words (an 受理 note, a reply, a reopening reason)
    and notes that read as none of them stay as stored."""
    if _zh() or not note:
        return note
    return say_again(note, SENTENCES.get(kind, ()))


def actor_shown(actor_name: str, *, by_user: bool) -> str:
    """A step's ``actor_name``: a person's name as written; the routing rules' in the active language."""
    if not by_user and actor_name == RULES_ACTOR:
        return gettext(RULES_ACTOR)
    return actor_name
