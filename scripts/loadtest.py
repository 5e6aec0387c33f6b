"""Reporting-deadline load test (reliability.md 25): `make loadtest`.

For each database — a fresh SQLite file in a temporary directory, then a PostgreSQL database
``keyprojects_loadtest_<pid>`` (created, and dropped at the end) when the server of ``PG_URL`` is reachable —
this script

1. migrates and seeds a minimal world (one county, one project under construction on this
   year's county list per client, one county user with an API token per client) through the
   factories and services, not the demo seed, so it takes seconds;
2. serves the app the production way: gunicorn with several sync workers,
   ``config.settings.prod``, on 127.0.0.1 only;
3. lets every client thread save its project's report (all at once, behind a barrier; some
   clients retry the save), then submit it at the same instant (a second barrier), with some
   clients sending a duplicate submit at that instant and others retrying after the answer;
4. stops gunicorn and counts in the database: reports with status ``submitted`` and audit
   events ``submit`` (and walks the audit hash chain).

Expected: every client's submit succeeds exactly once (2xx), duplicates and retries get 409
``already_submitted``, no 5xx, no "database is locked", stored = submitted = audit. The last line
is ``submitted=N stored=N audit=N errors=0`` (sums over the databases); the exit code is 1 when
anything was lost or failed. Only the standard library talks HTTP; everything is bounded by
timeouts.

Usage: python scripts/loadtest.py [--clients 120] [--workers 4] [--port P] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/keyprojects")
PG_DB = f"keyprojects_loadtest_{os.getpid()}"  # unique per run: two runs on one server do not meet
COUNTY = "370102"  # 历下区
REQUEST_TIMEOUT = 60.0  # seconds per HTTP request
PHASE_TIMEOUT = 300.0  # seconds for all client threads
BUSY_MARKERS = ("database is locked", "database table is locked")


# ---- child phases (run with Django set up against one database) -----------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def phase_prepare(clients: int) -> dict[str, Any]:
    """Migrate a fresh database and seed the county, its projects, users and tokens."""
    _django()
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from keyprojects.accounts.models import User
    from keyprojects.accounts.services import token_issue
    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.services import period_get_or_open
    from keyprojects.projects.models import ProjectYear

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    period = period_get_or_open(year=year, month=month)  # the month whose deadline it is
    projects = []
    for i in range(clients):
        p = ProjectFactory(
            name=f"压测项目{i + 1:03d}",
            region_id=COUNTY,
            stage="construction",
            total_investment=Decimal("10000"),
            plan=(today.year, 1200, "county"),
        )
        if year != today.year:
            ProjectYear.objects.create(project=p, year=year, annual_plan=Decimal("1200"), on_county_list=True)
        projects.append(p)
    users = []
    for i in range(clients):
        u = User(username=f"loadtest_county_{i + 1:03d}", role="county", region_id=COUNTY)
        u.set_unusable_password()  # API tokens only; no slow password hashing
        users.append(u)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="loadtest_county_").order_by("username"))
    keys = [token_issue(user=u, name="loadtest")[1] for u in users]  # hashed, expiring API tokens
    return {
        "period": period.label,
        "period_id": period.pk,
        "clients": [{"token": key, "project": p.pk} for key, p in zip(keys, projects, strict=True)],
    }


def phase_count(period_id: int) -> dict[str, Any]:
    """Count what the database holds after the run."""
    _django()
    from django.db import connection

    from keyprojects.audit.models import AuditEvent
    from keyprojects.audit.selectors import verify_chain
    from keyprojects.dispatch.models import MonthlyReport

    reports = MonthlyReport.objects.filter(period_id=period_id)
    return {
        "vendor": connection.vendor,
        "rows": reports.count(),
        "stored": reports.filter(status="submitted").count(),
        "audit": AuditEvent.objects.filter(action="submit").count(),
        "chain_problems": sum(1 for _ in verify_chain()),
    }


def run_phase(name: str, env: dict[str, str], *args: str, timeout: float = 300) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, *args]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise RuntimeError(f"phase {name} failed with exit code {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi",
        "-w", str(workers), "-b", f"{HOST}:{port}",
        "--timeout", "60", "--graceful-timeout", "10", "--backlog", "2048",
        "--error-logfile", "-", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as fh:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# ---- the clients -------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # save, save_retry, submit, submit_dup, submit_retry
    project: int
    status: int  # 0: no HTTP answer
    code: str
    seconds: float
    detail: str = ""


@dataclass
class Run:
    port: int
    period: str
    outcomes: list[Outcome] = field(default_factory=list)
    report_ids: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, kind: str, project: int, token: str, method: str, path: str, body: dict[str, Any]) -> Outcome:
        t0 = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            payload = json.dumps(body).encode()
            headers = {
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Connection": "close",
            }
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read().decode("utf-8", "replace")
            conn.close()
            try:
                data = json.loads(raw)
            except ValueError:
                data = {}
            code = data.get("code", "") if isinstance(data, dict) else ""
            out = Outcome(kind, project, resp.status, code, time.monotonic() - t0, raw[:300])
            if resp.status in (200, 201) and kind.startswith("save"):
                with self.lock:
                    self.report_ids[project] = int(data["id"])
        except Exception as exc:  # noqa: BLE001 - any failure to get an answer is counted as an error
            out = Outcome(kind, project, 0, "", time.monotonic() - t0, f"{type(exc).__name__}: {exc}")
        with self.lock:
            self.outcomes.append(out)
        return out


def run_clients(port: int, seed: dict[str, Any], *, dup_every: int, retry_every: int) -> tuple[Run, float]:
    run = Run(port=port, period=seed["period"])
    clients = seed["clients"]
    dups = [c for i, c in enumerate(clients) if i % dup_every == 0]
    save_barrier = threading.Barrier(len(clients))
    submit_barrier = threading.Barrier(len(clients) + len(dups))
    rng = random.Random(20260105)
    amounts = [f"{rng.randint(10, 900)}.{rng.randint(0, 9999):04d}" for _ in clients]

    def submit(kind: str, c: dict[str, Any]) -> None:
        rid = run.report_ids.get(c["project"])
        if rid is None:  # the save failed and is already counted
            return
        run.call(kind, c["project"], c["token"], "POST", f"/api/v1/reports/{rid}/submit/", {})

    def client(i: int, c: dict[str, Any]) -> None:
        body = {
            "project": c["project"],
            "period": run.period,
            "invested_month": amounts[i],
            "physical_progress": "主体结构施工",
            "workers": 40 + i % 60,
        }
        save_barrier.wait(timeout=PHASE_TIMEOUT)
        run.call("save", c["project"], c["token"], "POST", "/api/v1/reports/", body)
        if i % retry_every == 1:  # the answer "got lost": the user presses save again
            run.call("save_retry", c["project"], c["token"], "POST", "/api/v1/reports/", body)
        submit_barrier.wait(timeout=PHASE_TIMEOUT)  # the deadline: everybody submits now
        submit("submit", c)
        if i % retry_every == 2:  # a retry after the answer came
            submit("submit_retry", c)

    def duplicate(c: dict[str, Any]) -> None:
        submit_barrier.wait(timeout=PHASE_TIMEOUT)  # a second tab, at the same instant
        submit("submit_dup", c)

    def guarded(fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except threading.BrokenBarrierError:
            with run.lock:
                run.outcomes.append(Outcome("barrier", 0, 0, "", 0.0, "barrier broken (a thread timed out)"))

    threads = [threading.Thread(target=guarded, args=(client, i, c), daemon=True) for i, c in enumerate(clients)]
    threads += [threading.Thread(target=guarded, args=(duplicate, c), daemon=True) for c in dups]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    deadline = t0 + PHASE_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        save_barrier.abort()
        submit_barrier.abort()
        run.outcomes.append(Outcome("timeout", 0, 0, "", PHASE_TIMEOUT, "client threads still running at the deadline"))
    return run, time.monotonic() - t0


def judge(run: Run, n_clients: int) -> tuple[int, int, list[Outcome], dict[str, int]]:
    """(successful submits, expected duplicates, errors, tally by kind/status/code)."""
    with run.lock:
        outcomes = list(run.outcomes)
    errors: list[Outcome] = []
    tally: dict[str, int] = {}
    ok_submits: dict[int, int] = {}
    duplicates = 0
    for o in outcomes:
        key = f"{o.kind}:{o.status}{':' + o.code if o.code else ''}"
        tally[key] = tally.get(key, 0) + 1
        if o.status >= 500 or o.status == 0 or any(m in o.detail.lower() for m in BUSY_MARKERS):
            errors.append(o)
        elif (o.kind, o.status) in (("save", 201), ("save_retry", 200)):
            pass  # a new draft; a retried save updates that same draft
        elif o.kind.startswith("submit") and o.status == 200:
            ok_submits[o.project] = ok_submits.get(o.project, 0) + 1
        elif o.kind.startswith("submit") and o.status == 409 and o.code == "already_submitted":
            duplicates += 1
        else:
            errors.append(o)
    for project, n in ok_submits.items():
        if n != 1:
            errors.append(Outcome("submit", project, 0, "", 0.0, f"{n} successful submits for one report"))
    missing = n_clients - len(ok_submits)
    if missing:
        errors.append(Outcome("submit", 0, 0, "", 0.0, f"{missing} client(s) never got a successful submit"))
    return sum(ok_submits.values()), duplicates, errors, tally


def latency(outcomes: list[Outcome], prefix: str) -> str:
    xs = sorted(o.seconds for o in outcomes if o.kind.startswith(prefix) and o.status)
    if not xs:
        return "-"
    p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
    return f"p50 {statistics.median(xs) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {xs[-1] * 1000:.0f} ms"


# ---- one database ------------------------------------------------------------------------------


def run_database(label: str, url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "loadtest-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": url,
        "SECURE_SSL_REDIRECT": "0",
        "KEYPROJECTS_VAR_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
    }
    t0 = time.monotonic()
    seed = run_phase("prepare", env, "--clients", str(args.clients))
    prepared = time.monotonic() - t0
    port = args.port or free_port()
    log = workdir / f"gunicorn-{label}.log"
    proc = start_gunicorn(env, port, args.workers, log)
    try:
        wait_healthy(port, proc)
        run, seconds = run_clients(port, seed, dup_every=args.dup_every, retry_every=args.retry_every)
    finally:
        stop_gunicorn(proc)
    submitted, duplicates, errors, tally = judge(run, len(seed["clients"]))
    counted = run_phase("count", env, "--period-id", str(seed["period_id"]))
    log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    server_errors = sum(log_text.lower().count(m) for m in BUSY_MARKERS) + log_text.count("Traceback")
    n_errors = len(errors) + server_errors + counted["chain_problems"] + (counted["rows"] != len(seed["clients"]))
    threads = len(seed["clients"]) + len(range(0, len(seed["clients"]), args.dup_every))
    print(
        f"{label}: clients={len(seed['clients'])} threads={threads} workers={args.workers} "
        f"submitted={submitted} duplicates_refused={duplicates} stored={counted['stored']} audit={counted['audit']} "
        f"rows={counted['rows']} errors={n_errors} | seed {prepared:.1f}s, requests {seconds:.1f}s; "
        f"save {latency(run.outcomes, 'save')}; submit {latency(run.outcomes, 'submit')}",
        flush=True,
    )
    if args.verbose or n_errors:
        print(f"  outcomes: {json.dumps(dict(sorted(tally.items())), ensure_ascii=False)}")
    for o in errors[:10]:
        print(f"  error: {o.kind} project={o.project} status={o.status} code={o.code} {o.detail[:200]}")
    if server_errors:
        print(f"  error: {server_errors} tracebacks or lock errors in {log}")
    if counted["chain_problems"]:
        print(f"  error: the audit hash chain has {counted['chain_problems']} problem(s)")
    return {"submitted": submitted, "stored": counted["stored"], "audit": counted["audit"], "errors": n_errors}


def pg_admin(sql: str) -> None:
    import psycopg

    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    ap.add_argument("--phase", choices=["prepare", "count"], help=argparse.SUPPRESS)
    ap.add_argument("--period-id", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--clients", type=int, default=int(os.environ.get("LOADTEST_CLIENTS", "120")), help="concurrent county users")
    ap.add_argument("--port", type=int, default=int(os.environ.get("LOADTEST_PORT", "0")), help="gunicorn port (default: a free one)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("LOADTEST_WORKERS", "4")), help="gunicorn workers")
    ap.add_argument("--dup-every", type=int, default=7, help="every n-th client also sends a simultaneous duplicate submit")
    ap.add_argument("--retry-every", type=int, default=10, help="every n-th client retries its save, another its submit")
    ap.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory and the PostgreSQL database")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if args.phase == "prepare":
        print(json.dumps(phase_prepare(args.clients)))
        return 0
    if args.phase == "count":
        print(json.dumps(phase_count(args.period_id)))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="kp-loadtest-"))
    totals = {"submitted": 0, "stored": 0, "audit": 0, "errors": 0}
    started = time.monotonic()
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if db == "sqlite":
                url = f"sqlite:///{workdir / 'loadtest.sqlite3'}"
            elif db == "postgres":
                check = subprocess.run(
                    [sys.executable, str(ROOT / "scripts" / "pg_reachable.py"), PG_URL], capture_output=True, check=False
                )
                if check.returncode != 0:
                    print(f"postgres: not reachable at {PG_URL}: skipped")
                    continue
                url = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB
            else:
                ap.error(f"unknown database {db!r}")
            try:
                if db == "postgres":
                    pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
                    pg_admin(f'CREATE DATABASE "{PG_DB}"')
                result = run_database(db, url, workdir, args)
            except Exception as exc:  # noqa: BLE001 - report, count as an error, go on with the next database
                print(f"{db}: failed: {exc}")
                result = {"submitted": 0, "stored": 0, "audit": 0, "errors": 1}
            finally:
                if db == "postgres" and not args.keep:
                    try:
                        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
                    except Exception as exc:  # noqa: BLE001
                        print(f"postgres: could not drop {PG_DB}: {exc}")
            for k in totals:
                totals[k] += result[k]
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"total time {time.monotonic() - started:.1f}s")
    print(f"submitted={totals['submitted']} stored={totals['stored']} audit={totals['audit']} errors={totals['errors']}")
    ok = totals["errors"] == 0 and totals["stored"] == totals["submitted"] == totals["audit"] and totals["submitted"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
