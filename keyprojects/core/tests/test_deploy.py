"""Production settings pass Django's deployment checklist (reliability.md 26) and refuse to start
without their secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean(tmp_path):
    env = {
        "SECRET_KEY": "x" * 20 + "-Kp9#long-random-secret-for-the-test-only-" + "y" * 10,
        "ALLOWED_HOSTS": "kp.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
    }
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_refuses_to_start(tmp_path):
    result = run({"ALLOWED_HOSTS": "kp.example.gov.cn", "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3"}, "check")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_csp_header_has_no_unsafe_inline(client):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
