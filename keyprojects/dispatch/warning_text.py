"""The sentences of the warnings (预警, ``ProjectWarning.message``), once.

The refresh action (``analytics.refresh``) and the approvals' rules (``approvals.warnings``) write
them in Chinese — what is stored, exported and shown in the Chinese UI; :func:`shown` says a
stored message again in the active language from the message itself (its figures, months and the
kind's words; names stay as written — but an approval item's and its department's, configured
vocabulary with an English name, ``core.localized.said_again``), so that a list says every row
without a query per row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_noop, ngettext, pgettext

from keyprojects.core.errors import Message
from keyprojects.core.errors import shown as message_shown
from keyprojects.core.localized import said_again
from keyprojects.core.sentences import DATE, MONTH, NUMBER, WORD, Sentence, Slot, say_again, say_within

from . import rules
from .choices import WarningKind

MISSING_REPORT = Sentence(gettext_noop("%(period)s月报未报送"), period=MONTH)
LATE_REPORT = Sentence(gettext_noop("%(period)s月报迟报"), period=MONTH)
LOW_PROGRESS_INDEX = Sentence(gettext_noop("进度指数%(index)s，低于%(floor)s"), index=NUMBER, floor=NUMBER)
START_OVERDUE = Sentence(gettext_noop("计划%(month)s开工，至今未开工"), month=MONTH)
ZERO_INVESTMENT = Sentence("连续%(months)s个月完成投资为零", count="months", months=NUMBER)
# the 审批事项 catalogue's names and departments (a unit's name stays as written)
_department = said_again("approvals.ApprovalItem", "department_name")
ITEM = Slot(show=said_again("approvals.ApprovalItem"))
DEPARTMENT = Slot(show=_department)
# one per approval past its limit (the message joins them with SEPARATOR)
APPROVAL_OVERDUE = Sentence(
    gettext_noop("%(name)s已办理%(days)s个工作日，超过法定时限%(limit)s个工作日（%(department)s）"),
    name=ITEM,
    days=NUMBER,
    limit=NUMBER,
    department=DEPARTMENT,
)
# one per need past its 保障时限, with or without its owner unit (joined with SEPARATOR)
NEED_OVERDUE = Sentence(gettext_noop("%(kind)s要素缺口%(gap)s%(unit)s，保障时限%(due)s已过"), kind=WORD, gap=NUMBER, unit=WORD, due=DATE)
NEED_OVERDUE_OWNED = Sentence(
    gettext_noop("%(kind)s要素缺口%(gap)s%(unit)s，保障时限%(due)s已过（%(owner)s）"), kind=WORD, gap=NUMBER, unit=WORD, due=DATE
)
SEPARATOR = "；"
MAX_LENGTH = 300  # ProjectWarning.message: longer messages are cut there when stored


def _plural_msgids() -> None:  # pragma: no cover - never called: makemessages reads the plural entries here
    ngettext("连续%(months)s个月完成投资为零", "连续%(months)s个月完成投资为零", 0)


# kind → (its sentences, whether a message joins several of them)
SENTENCES: dict[str, tuple[tuple[Sentence, ...], bool]] = {
    WarningKind.MISSING_REPORT: ((MISSING_REPORT,), False),
    WarningKind.LATE_REPORT: ((LATE_REPORT,), False),
    WarningKind.LOW_PROGRESS_INDEX: ((LOW_PROGRESS_INDEX,), False),
    WarningKind.START_OVERDUE: ((START_OVERDUE,), False),
    WarningKind.ZERO_INVESTMENT: ((ZERO_INVESTMENT,), False),
    WarningKind.FLAGGED_FIGURES: (rules.WARNING_SENTENCES, False),  # the report's first warning flag
    WarningKind.APPROVAL_OVERDUE: ((APPROVAL_OVERDUE,), True),
    WarningKind.NEED_OVERDUE: ((NEED_OVERDUE_OWNED, NEED_OVERDUE), True),
}


def shown(kind: str, message: str, value: Decimal | None) -> str:
    """A warning's message as users read it: as stored in the Chinese UI; in another language
    said again — 落后序时进度 from its figure (``value``: ``analytics.metrics.schedule_phrase``),
    the others from their stored message. A message that reads as none of its kind's sentences
    (written before they existed) stays as stored."""
    from django.utils import translation

    if (translation.get_language() or "").startswith("zh"):
        return message
    if kind == WarningKind.BEHIND_SCHEDULE and value is not None:
        from keyprojects.analytics import metrics

        return metrics.schedule_phrase(Decimal(value).quantize(Decimal("0.01")))
    sentences, joined = SENTENCES.get(kind, ((), False))
    if not sentences:
        return message
    return say_again(message, sentences, sep=SEPARATOR if joined else None, cut_at=MAX_LENGTH)


def owner_shown(owner: str) -> str:
    """A warning's 责任单位 (``ProjectWarning.owner``: who must act, joined by 、 as stored) as
    users read it: a department of the 审批事项 catalogue in the active language, units' names as
    written."""
    if not owner or (get_language() or "").startswith("zh"):
        return owner
    return pgettext("list separator", "、").join(_department(name) for name in owner.split("、"))


# --- the checks' messages (ReportFlag.message, the checks shown while filling) ---------------

# What the history (ReportStep.opinion) writes after a check's message: the filler's reason on
# submitting, the reviewer's on acknowledging (dispatch.services), joined by SEPARATOR.
EXPLAINED = gettext_noop("——说明：")
ACCEPTED = gettext_noop("——理由：")


def check_shown(message: str) -> str:
    """A check's message (``rules.CHECK_SENTENCES``) as users read it: as stored in the Chinese UI,
    said again in another language; one that reads as none of them stays as stored."""
    return say_again(message, rules.CHECK_SENTENCES)


# The opinion the importer writes on the submission it makes (dataio.importer.write): a word of
# the system, not a person's, so said in the page's language.
IMPORTED = gettext_noop("导入")


def opinion_shown(opinion: str) -> str:
    """A history entry's opinion with the checks' messages it quotes said again (in Chinese: as
    stored); the filler's and reviewer's words stay as written; the importer's 导入 is said in
    the page's language."""
    if opinion == IMPORTED:
        return gettext(IMPORTED)
    return say_within(opinion, rules.CHECK_SENTENCES, after={EXPLAINED: gettext(EXPLAINED), ACCEPTED: gettext(ACCEPTED)}, sep=SEPARATOR)


# A submission refused by its checks (services.report_submit): the lead, then the messages.
CHECKS_FAILED = gettext_noop("数据校验未通过：")
REASONS_REQUIRED = gettext_noop("以下校验提示须填写说明后才能提交：")
# The same refusal as one message (the form's and the API's): the checks said in the page's language.
REASONS_REQUIRED_FOR = gettext_noop("以下校验提示须填写说明后才能提交：%(checks)s")


def reasons_required(messages: list[str]) -> Message:
    """The refusal of a submission whose warnings ``messages`` (as stored, Chinese) still need a
    reason: Chinese as a ``str`` (what the API answers), said again in the active language by
    ``core.errors.shown`` (the checks too: ``check_shown``)."""
    checks = lazy(lambda: pgettext("sentence separator", "；").join(check_shown(m) for m in messages), str)()
    return Message(REASONS_REQUIRED_FOR, checks=checks)


def refusal_shown(message: str, extra: dict[str, Any]) -> str:
    """A refused submission's message (``ValidationFailed.message`` with its ``extra``) as users
    read it: as stored in the Chinese UI; in another language said again from ``extra["checks"]``
    (the errors, or the warnings still needing a reason). Any other message stays as it is."""
    checks = extra.get("checks")
    if (get_language() or "").startswith("zh") or not checks:
        return message
    required = set(extra.get("reasons_required") or [])
    if required:
        lead, listed = REASONS_REQUIRED, [c for c in checks if c["code"] in required]
    else:
        lead, listed = CHECKS_FAILED, [c for c in checks if c["severity"] == "error"]
    return f"{gettext(lead).strip()} " + pgettext("sentence separator", "；").join(check_shown(c["message"]) for c in listed)


def _checks_shown(joined: str) -> str:
    """Checks' messages joined by SEPARATOR, each said again (joined by the active language's separator)."""
    return say_again(joined, rules.CHECK_SENTENCES, sep=SEPARATOR)


# An acknowledgement refused (services.report_acknowledge): a warning left without a reason.
ACK_REASONS_REQUIRED = Sentence(gettext_noop("确认校验提示须逐条填写理由：%(checks)s"), checks=Slot(r".+", _checks_shown))


def error_shown(message: str) -> str:
    """A review service's refusal (``ApplicationError.message``) as users read it: as written in
    the Chinese UI; in another language an acknowledgement refused for want of reasons said again
    from its checks, a :class:`~keyprojects.core.errors.Message` or a message written as a source
    string of the catalogue translated, any other as written."""
    said = ACK_REASONS_REQUIRED.say(message)
    if said is not None:
        return said
    return message_shown(message)
