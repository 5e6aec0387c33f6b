"""reliability.md 6: killing the process half-way through an import leaves no partial batch.

A child process imports a 2,500-row table into a real database file (SQLite: a copy of the test
database; PostgreSQL: the test database itself) and stops dead in the middle of writing, after
the first 2,000 projects went to the database; the test SIGKILLs it there. Not one row of the
import may be visible afterwards, and the next import of the same file succeeds.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .test_import_files import workbook

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
CHILD = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from keyprojects.dataio.services import import_file

    def progress(phase, done, total):
        if phase == "写入" and done > 0:
            print("MIDWRITE", flush=True)
            time.sleep(600)

    data = open(sys.argv[1], "rb").read()
    out = import_file(user=None, data=data, filename="big.xlsx", region="370102", progress=progress if sys.argv[2] == "kill" else None)
    print("DONE", out.created, len(out.errors), flush=True)
    """
)
TABLES = (
    "projects_project",
    "projects_projectyear",
    "projects_projectevent",
    "dispatch_monthlyreport",
    "dispatch_reportstep",
    "dataio_importbatch",
)


def rows(n: int) -> list[list[object]]:
    return [[i + 1, f"历下区批量项目{i + 1}", "", "历下区", "", "续建", "产业项目", 1000 + i, 500, 100, ""] for i in range(n)]


def database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        path = tmp_path / "kill.sqlite3"
        dst = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(dst)  # the migrated test database, committed rows included
        dst.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


def counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        con.create_function("REGEXP", 2, lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}
        finally:
            con.close()
    with connection.cursor() as cur:
        out = {}
        for t in TABLES:
            cur.execute(f'SELECT COUNT(*) FROM "{t}"')
            out[t] = cur.fetchone()[0]
        return out


def child(url: str, path: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), mode], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_kill_mid_write_leaves_nothing(tmp_path):
    url = database_url(tmp_path)
    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook(rows(2500)))
    before = counts(url)

    proc = child(url, path, "kill")
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "MIDWRITE", proc.stderr.read() if proc.stderr else line
        os.kill(proc.pid, signal.SIGKILL)  # half-way: 2,000 projects written, nothing committed
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert counts(url) == before

    proc = child(url, path, "run")  # the database is fine and the same file imports in full
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert out.split() == ["DONE", "2500", "0"]
    after = counts(url)
    assert after["projects_project"] - before["projects_project"] == 2500
    assert after["dispatch_monthlyreport"] - before["dispatch_monthlyreport"] == 2500
    assert after["dataio_importbatch"] - before["dataio_importbatch"] == 1
