"""Long operations started from a page, run in the background with their progress in the database.

A page calls :func:`job_start` with a ``target(progress)``; the job row (:class:`core.Job`: who,
when, phase, done/total, percent, result or error) is committed first, then a thread runs the
target. ``progress(phase, done, total)`` is the protocol the importer and the close already
report through (``core/progress.py`` draws it on a terminal); here :class:`JobReporter` writes it
to the job row **outside the target's transaction**, through a second database connection in
autocommit, so that a page polling the row sees it while the work is still uncommitted:

* PostgreSQL: the second connection's UPDATE commits at once; every worker process sees it.
* SQLite: one writer at a time — the work's transaction holds the write lock (``BEGIN
  IMMEDIATE``), so the second connection does not wait for it (``timeout`` 0) and skips the
  write; the live figures are then kept in this process (:func:`job_live`) and the row catches up
  when the lock is free. Another process sees the phase last written and the end.

One running job per (kind, key) (a partial unique index): a second start raises
:class:`JobRunning`. A job whose process died (a restart) is left "running" with no thread;
:func:`job_current` marks it failed after :data:`STALE_AFTER` without a write. The target's own
transaction means such a job changed nothing.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from .errors import ApplicationError, Message
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
WRITE_EVERY = 0.5  # seconds between two progress writes within one phase

_live: dict[int, dict[str, Any]] = {}
_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


class JobRunning(ApplicationError):
    code = "job_running"
    status = 409
    default_message = gettext_noop("该任务正在进行，请等待完成后再试")


def percent_of(phases: Sequence[tuple[str, int]], phase: str, done: int, total: int) -> int:
    """The whole job's percentage: the weights of the phases before ``phase`` plus ``phase``'s
    share done (an unknown phase counts as the last)."""
    weights = dict(phases)
    whole = sum(weights.values()) or 1
    before = 0
    for name, w in phases:
        if name == phase:
            break
        before += w
    share = weights.get(phase, 0) * (min(done, total) / total if total else 0)
    return max(0, min(99, int((before + share) * 100 / whole)))


class JobReporter:
    """``progress(phase, done, total)`` → the job row, through its own autocommit connection."""

    def __init__(self, job_id: int, phases: Sequence[tuple[str, int]]):
        self.job_id = job_id
        self.phases = list(phases)
        self.seen: list[tuple[str, int, int]] = []
        self.conn: Any = None
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        pct = percent_of(self.phases, phase, done, total)
        state = {"phase": phase, "done": int(done), "total": int(total), "percent": pct}
        with _lock:
            _live[self.job_id] = state
        self.seen.append((phase, int(done), int(total)))
        now = time.monotonic()
        if phase != self.phase or now - self.last >= WRITE_EVERY or (total and done >= total):
            self.phase, self.last = phase, now
            self.write(state)

    def write(self, state: dict[str, Any]) -> bool:
        try:
            if self.conn is None:
                self.conn = _side_connection()
            q = self.conn.ops.quote_name
            with self.conn.cursor() as c:
                c.execute(
                    f"UPDATE {q(Job._meta.db_table)} SET {q('phase')} = %s, {q('done')} = %s, {q('total')} = %s, "
                    f"{q('percent')} = %s, {q('updated_at')} = %s WHERE {q('id')} = %s AND {q('status')} = %s",
                    [
                        state["phase"][:32],
                        state["done"],
                        state["total"],
                        state["percent"],
                        self.conn.ops.adapt_datetimefield_value(timezone.now()),
                        self.job_id,
                        JobStatus.RUNNING.value,
                    ],
                )
            return True
        except DatabaseError as exc:  # SQLite: the work holds the write lock; kept in _live
            logger.debug("job %s progress not written: %s", self.job_id, exc)
            return False

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(DatabaseError):
                self.conn.close()
            self.conn = None


def _side_connection() -> Any:
    """A second connection to the default database, in autocommit; on SQLite it never waits for
    the write lock (``timeout`` 0: a write that would wait is skipped)."""
    cfg = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        cfg.setdefault("OPTIONS", {})["timeout"] = 0
    conn = load_backend(cfg["ENGINE"]).DatabaseWrapper(cfg, DEFAULT_DB_ALIAS)
    conn.ensure_connection()
    return conn


def job_start(
    *,
    kind: str,
    key: str,
    title: str,
    user: Any,
    phases: Sequence[tuple[str, int]],
    target: Callable[[JobReporter], dict[str, Any]],
    busy_message: str = "",
    background: bool | None = None,
) -> Job:
    """Record the job and run ``target(progress)`` in a thread (``background=False``, or the
    setting ``JOBS_BACKGROUND = False`` as in tests: here, before returning). ``target`` returns the result (JSON) or raises; an
    :class:`ApplicationError`'s message is the job's error."""
    job_current(kind, key)  # a dead job of this key is marked failed first
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, key=key, title=title[:200], started_by=user if getattr(user, "pk", None) else None, phase=phases[0][0]
            )
    except IntegrityError:
        running = Job.objects.filter(kind=kind, key=key, status=JobStatus.RUNNING).select_related("started_by").first()
        raise JobRunning(busy_message or job_busy_message(running)) from None
    if background is None:
        background = getattr(settings, "JOBS_BACKGROUND", True)
    if background:
        thread = threading.Thread(target=_run_thread, args=(job.pk, target, phases), name=f"job-{job.pk}", daemon=True)
        with _lock:
            _threads[job.pk] = thread
        transaction.on_commit(thread.start)
    else:
        job_run(job.pk, target, phases)
        job.refresh_from_db()
    return job


def job_busy_message(job: Job | None, *, title: Any = None) -> str:
    """Why a second start is refused: ``job`` (running) named by ``title`` (default: its stored
    title; a lazy text says it in the page's language), who started it and when."""
    if job is None:
        return JobRunning.default_message
    who = (job.started_by.get_full_name() or job.started_by.username) if job.started_by else gettext_lazy("系统")
    return Message(
        gettext_noop("%(title)s正在进行（%(who)s于%(at)s开始），请等待完成后再试"),
        title=job.title if title is None else title,
        who=who,
        at=f"{timezone.localtime(job.started_at):%H:%M:%S}",
    )


def _run_thread(job_id: int, target: Callable[..., dict[str, Any]], phases: Sequence[tuple[str, int]]) -> None:
    try:
        job_run(job_id, target, phases)
    finally:
        with _lock:
            _threads.pop(job_id, None)
        connection.close()  # this thread's own connection


def job_run(job_id: int, target: Callable[..., dict[str, Any]], phases: Sequence[tuple[str, int]]) -> None:
    """Run ``target`` and record how it ended (the job row is written outside its transaction)."""
    reporter = JobReporter(job_id, phases)
    result: dict[str, Any] = {}
    error = ""
    try:
        result = target(reporter) or {}
    except ApplicationError as exc:
        error = exc.message
    except Exception as exc:  # any failure: the target's transaction rolled back
        logger.exception("job %s failed", job_id)
        error = f"后台任务出错，数据未作任何修改（{type(exc).__name__}）。请稍后重试，或联系系统管理员查看日志。"
    finally:
        reporter.close()
    last = _live.get(job_id, {})
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED if error else JobStatus.DONE,
        phase=(last.get("phase") or "")[:32],
        done=last.get("done", 0),
        total=last.get("total", 0),
        percent=last.get("percent", 0) if error else 100,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        error=error,
        result=result,
    )
    with _lock:
        _live.pop(job_id, None)


def job_live(job: Job) -> Job:
    """``job`` with the live figures of this process laid over the row (SQLite: see module)."""
    state = _live.get(job.pk) if job.running else None
    if state:
        for k, v in state.items():
            setattr(job, k, v)
    return job


def job_current(kind: str, key: str) -> Job | None:
    """The running job of (kind, key), or None. A job with no write for :data:`STALE_AFTER` and
    no thread in this process is marked failed (its process died; its transaction rolled back)."""
    job = Job.objects.filter(kind=kind, key=key, status=JobStatus.RUNNING).select_related("started_by").first()
    if job is None:
        return None
    if job.pk not in _threads and job.updated_at < timezone.now() - STALE_AFTER:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error="后台任务已中断（服务曾重启），数据未作任何修改，请重新操作。",
        )
        return None
    return job_live(job)
