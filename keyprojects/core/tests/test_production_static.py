"""Under ``config.settings.prod`` from a clean tree: collectstatic works (the vendor bundles' source
maps are there) and leaves files nginx (another user) can read, the login page renders with hashed
static names, whitenoise serves them, and the probes answer over plain http (issue 12 §1, §4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

PROBE = textwrap.dedent(
    """
    import json, re, django
    django.setup()
    from django.test import Client
    c = Client()
    https = {"HTTP_HOST": "kp.example.gov.cn", "HTTP_X_FORWARDED_PROTO": "https"}
    login = c.get("/accounts/login/", **https)
    html = login.content.decode()
    statics = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)))
    served = {u: c.get(u, **https).status_code for u in statics}
    out = {
        "login": login.status_code,
        "statics": served,
        "plain_http_login": c.get("/accounts/login/", HTTP_HOST="kp.example.gov.cn").status_code,
        "healthz": c.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code,
        "readyz": c.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code,
        "readyz_body": json.loads(c.get("/readyz", HTTP_HOST="127.0.0.1:8000").content),
    }
    print(json.dumps(out))
    """
)


def prod_env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "test-only-" + "k" * 50,
        "ALLOWED_HOSTS": "kp.example.gov.cn",
        **extra,
    }


def private_paths(root: Path) -> list[str]:
    """Files not 0644 and directories (root included) not 0755 under ``root``."""
    wrong = [] if root.stat().st_mode & 0o777 == 0o755 else ["."]
    for path in root.rglob("*"):
        if path.stat().st_mode & 0o777 != (0o755 if path.is_dir() else 0o644):
            wrong.append(f"{path.relative_to(root)} {path.stat().st_mode & 0o777:o}")
    return sorted(wrong)


def test_collectstatic_then_serve_under_production_settings(tmp_path):
    env = prod_env(KEYPROJECTS_STATIC_ROOT=str(tmp_path / "static"), DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")
    cmd = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    # A hardened root shell (umask 077): nginx, another user, must still read every file.
    collect = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, umask=0o077)
    assert collect.returncode == 0, collect.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert private_paths(tmp_path / "static") == []
    assert (tmp_path / "static" / "vendor" / "bootstrap.min.css.gz").exists()  # nginx's gzip_static copy, readable too
    # What an earlier collectstatic left private (0600/0700) is opened up by the next one, which
    # copies nothing unchanged.
    (tmp_path / "static" / "vendor" / "bootstrap.min.css").chmod(0o600)
    (tmp_path / "static" / "admin").chmod(0o700)
    collect = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, umask=0o077)
    assert collect.returncode == 0, collect.stderr[-3000:]
    assert private_paths(tmp_path / "static") == []

    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**env, "LOG_FORMAT": "json"}, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # LOG_FORMAT=json: every log line is one JSON object; the request line names path, status, duration.
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.strip()]
    login_line = next(x for x in lines if x["logger"] == "keyprojects.request" and x["path"] == "/accounts/login/")
    assert login_line["status"] == 200 and login_line["time"].endswith("+08:00") and len(login_line["request_id"]) == 32
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["login"] == 200
    assert any("/static/vendor/bootstrap.min." in u for u in out["statics"]), out["statics"]
    assert out["statics"] and set(out["statics"].values()) == {200}, out["statics"]
    assert out["plain_http_login"] == 301  # the app itself insists on https ...
    assert out["healthz"] == 200  # ... but not for the probes
    # The database file exists but was never migrated: not ready.
    assert out["readyz"] == 503 and out["readyz_body"]["checks"]["migrations"].endswith("pending")


def test_readyz_503_when_the_database_is_unreachable(tmp_path):
    env = prod_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/none?connect_timeout=2")
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    status, body = run.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"]["database"].startswith("unreachable")
