"""关账 from the page, in the background (``core.jobs``): the same ``period_close`` as the
command and the API, started after the same checks (permission, not closed, checklist, typed
confirmation) so that a refusal is shown on the form at once; one close of a month at a time."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from keyprojects.core.jobs import JobRunning, job_busy_message, job_current, job_start
from keyprojects.core.models import Job
from keyprojects.core.sentences import MONTH, Sentence, say_again

from .models import ReportingPeriod
from .selectors_close import ITEMS, OPEN_ITEMS
from .services import CLOSE_PHASES, period_close, period_close_check

CLOSE_JOB = "period_close"
#: A close job's title (``Job.title``): stored in Chinese, said again in the page's language.
CLOSE_TITLE = Sentence(gettext_noop("%(region)s%(period)s关账"), period=MONTH)


def close_title_shown(title: str) -> str:
    """A close job's stored title in the active language (any other text as stored)."""
    return say_again(title, [CLOSE_TITLE])


def close_job_start(*, user: Any, period: ReportingPeriod, confirm: str = "", request: Any = None, background: bool | None = None) -> Job:
    """Check as ``period_close`` does (raises its errors), then run it as a background job keyed
    by the month: a second close of the month while one runs raises ``JobRunning``."""
    refuse_while_closing(period)
    period, region, _checklist = period_close_check(user=user, period=period, confirm=confirm)
    user_pk = user.pk

    def target(progress: Any) -> dict[str, Any]:
        from keyprojects.accounts.models import User

        closer = User.objects.get(pk=user_pk)
        closure = period_close(user=closer, period=period, confirm=confirm, request=request, progress=progress)
        total = closure.checklist.get("total", {})
        return {
            "closure": closure.pk,
            "region": closure.region_id,
            "region_name": closure.region.name,
            "open_items": closure.open_items,
            "open": _stored(total),
        }

    return job_start(
        kind=CLOSE_JOB,
        key=period.label,
        title=CLOSE_TITLE.zh(region=region.name, period=str(period)),
        user=user,
        phases=CLOSE_PHASES,
        target=target,
        background=background,
    )


def close_job_current(period: ReportingPeriod) -> Job | None:
    return job_current(CLOSE_JOB, period.label)


def refuse_while_closing(period: ReportingPeriod) -> None:
    """Raise ``JobRunning`` (409) while a close of ``period`` started from the page runs: the
    page, the API and the command ask it before they close."""
    running = job_current(CLOSE_JOB, period.label)
    if running is not None:
        raise JobRunning(job_busy_message(running, title=lazy(close_title_shown, str)(running.title)))


def _stored(total: dict[str, Any]) -> list[list[str]]:
    with translation.override("zh-hans"):  # the result is stored in Chinese, whoever started the job
        return open_items(total)


def open_items(total: dict[str, Any]) -> list[list[str]]:
    """[label, count] of what was open at the close (``total``: the stored checklist's total), in
    the active language: the job's result (Chinese) and the result page (the page's language)."""
    return [[str(ITEMS[k]), _count(k, total)] for k in OPEN_ITEMS if total.get(k)]


def _count(item: str, total: dict[str, Any]) -> str:
    """The count shown after the item's label; 未报 names its drafts (they never count)."""
    if item == "missing" and total.get("drafts"):
        return gettext("%(n)s（其中草稿未提交 %(drafts)s）") % {"n": total[item], "drafts": total["drafts"]}
    return str(total[item])
