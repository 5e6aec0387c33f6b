"""Test settings: the same stack, faster hashing, a fresh database per run."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Two runs against one PostgreSQL server (two developers, CI beside a developer) must not meet:
# the test database is named after this process and dropped by the test runner when it ends.
# (SQLite tests use an in-memory database.)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    import os as _os

    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_os.getpid()}"}  # noqa: F405
else:
    # The in-memory test database is one shared cache: there a reader's table lock makes a writer
    # on another connection fail at once ("database table is locked"; no busy timeout applies),
    # unlike the file database of production, where writers wait. A background job's thread (its
    # own connection) then lost its last write to a page polling the job on the live server's
    # connection, and the job never ended (a flaky browser and job test). Readers that take no
    # table locks restore production's behaviour for the tests that run threads.
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA read_uncommitted=1;"  # noqa: F405

# Audit keys and anchors of a test run live in a throw-away directory (a fixture in conftest.py
# gives each test its own anchor file); nothing goes to syslog.
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="kp-audit-"))
atexit.register(shutil.rmtree, _AUDIT_DIR, ignore_errors=True)  # each process removes its own
KEYPROJECTS_AUDIT_KEY_FILE = _AUDIT_DIR / "audit-keys.json"
KEYPROJECTS_AUDIT_ANCHOR_FILE = _AUDIT_DIR / "audit-anchors.jsonl"
KEYPROJECTS_AUDIT_ANCHOR_SYSLOG = False

# The second factor is off in tests except in its own (keyprojects/accounts/tests/test_otp.py).
KEYPROJECTS_OTP_REQUIRED = False

# Background jobs (core/jobs.py) run inline in tests: a test's transaction is invisible to another
# thread. The tests of the background path (and the browser tests) turn them on.
JOBS_BACKGROUND = False
