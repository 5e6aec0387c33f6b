"""Drop test databases left behind by test runs that were killed (used by `make test-postgres`).

config/settings/test.py names each run's database ``test_<db>_<pid>`` (``_gw<n>`` appended per
xdist worker) and the test runner drops it when the run ends; a run killed midway leaves it.
Only databases of this URL's name whose process no longer exists on this host are dropped, and
only when the server is on this host (a pid means nothing elsewhere).
"""

from __future__ import annotations

import os
import re
import sys
from urllib.parse import urlparse

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/keyprojects"
parsed = urlparse(url)
if parsed.hostname not in ("127.0.0.1", "localhost", "::1", None):
    sys.exit(0)
name = parsed.path.lstrip("/") or "keyprojects"
pattern = re.compile(rf"^test_{re.escape(name)}_(\d+)(_gw\d+)?$")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3) as conn:
    for (datname,) in conn.execute("SELECT datname FROM pg_database").fetchall():
        match = pattern.match(datname)
        if match and not alive(int(match[1])):
            conn.execute(f'DROP DATABASE IF EXISTS "{datname}" WITH (FORCE)')
            print(f"dropped stale test database {datname}")
