"""Kinds and statuses of the “双50” 培育名单 (ADR 0020)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from keyprojects.core.sentences import NUMBER, Sentence


class ListKind(models.TextChoices):
    """What a 培育名单 screens for. Other industries follow the same model: add a value here."""

    BACKBONE = "backbone", _("骨干企业")  # 50 backbone manufacturers (制造业骨干企业)
    INNOVATIVE_GROWTH = "innovative_growth", _("创新成长型企业")  # 50 innovative growth enterprises


class EntryStatus(models.TextChoices):
    """Where an enterprise stands on a list. Transitions only in ``services``:
    nominated → admitted | rejected; admitted → removed (动态调出, proposed and confirmed by two people)."""

    NOMINATED = "nominated", _("已推荐")  # put forward by region staff, waiting for a second person's decision
    ADMITTED = "admitted", _("已入选")  # on the list (counts against its capacity)
    REJECTED = "rejected", _("未入选")  # not admitted (with the decider's note)
    REMOVED = "removed", _("已调出")  # taken off the list later (动态调整), with reason and date


#: The default number of places on a list (“双50”).
DEFAULT_CAPACITY = 50

#: The reason written on an enterprise nominated again from last year's list (动态筛选): stored in
#: Chinese, said again in the page's language (``CultivationEntry.shown_reason``).
CARRIED_OVER = Sentence(gettext_noop("%(year)s年度已入选，动态调整复核"), year=NUMBER)
