"""Production defaults of issue 11: API schema/docs behind a login, no-store on authenticated
answers, HSTS from the environment, private SQLite and media files, bidi/control characters
refused in user-entered text."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from rest_framework.test import APIClient

from keyprojects.accounts.services import token_issue
from keyprojects.core.errors import ValidationFailed
from keyprojects.core.validators import validate_multiline_text, validate_single_line_text
from keyprojects.projects.services import project_update

ROOT = Path(__file__).resolve().parents[3]
RLO = "\u202e"


# --- schema and docs -------------------------------------------------------------------------


def test_schema_and_docs_need_a_login_when_required(client, world, settings):
    settings.KEYPROJECTS_API_DOCS_LOGIN_REQUIRED = True
    assert APIClient().get("/api/schema/").status_code == 401
    for url in ("/api/docs/", "/api/redoc/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r.url
    _token, key = token_issue(user=world.users.county)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/schema/").status_code == 200
    client.force_login(world.users.county)
    assert client.get("/api/docs/").status_code == 200


def test_schema_public_when_not_required(client, db, settings):
    settings.KEYPROJECTS_API_DOCS_LOGIN_REQUIRED = False
    assert client.get("/api/schema/").status_code == 200


# --- caching ---------------------------------------------------------------------------------


def test_no_store_on_authenticated_html_and_api(client, world):
    assert "no-store" not in client.get("/healthz").get("Cache-Control", "")
    client.force_login(world.users.county)
    r = client.get("/")
    assert r.status_code in (200, 302) and "no-store" in r["Cache-Control"]
    r = client.get(f"/projects/{world.projects.own_county.pk}/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    _token, key = token_issue(user=world.users.county)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    r = api.get("/api/v1/projects/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


# --- production settings ---------------------------------------------------------------------


def _prod(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # (set while the browser tests run)
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "x" * 60 + "-Prod-Key-2026!",
        "ALLOWED_HOSTS": "kp.example.gov.cn",
        "DATABASE_URL": "sqlite:////tmp/kp-prod-check.sqlite3",
        **env,
    }
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120)


CHECK = "import django,sys; django.setup(); from django.core.management import call_command; " + (
    "call_command('check', deploy=True, fail_level='WARNING')"
)
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "s.KEYPROJECTS_API_DOCS_LOGIN_REQUIRED, s.KEYPROJECTS_OTP_REQUIRED)"
)


def test_production_defaults_and_hsts_from_the_environment():
    r = _prod(SHOW)
    assert r.stdout.split() == ["31536000", "True", "True", "True", "True"], r.stderr
    assert _prod(CHECK).returncode == 0
    env = {"SECURE_HSTS_SECONDS": "600", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0", "SECURE_HSTS_PRELOAD": "0"}
    r = _prod(SHOW, **env)
    assert r.stdout.split() == ["600", "False", "False", "True", "True"], r.stderr
    r = _prod(CHECK, **env)
    assert r.returncode == 0, r.stderr


# --- private files ---------------------------------------------------------------------------


def test_sqlite_file_is_created_private(tmp_path, django_db_blocker):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from config.settings.base import database_config

    path = tmp_path / "kp.sqlite3"
    cfg = database_config(f"sqlite:///{path}")
    cfg.setdefault("TIME_ZONE", None)
    conn = DatabaseWrapper({**cfg, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False})
    with django_db_blocker.unblock():
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE TABLE t (x int)")
                cur.execute("INSERT INTO t VALUES (1)")
        finally:
            conn.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0


def test_media_files_are_private(tmp_path, settings):
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("photos/2026/a.jpg", ContentFile(b"x"))
    assert stat.S_IMODE(os.stat(storage.path(name)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "media" / "photos").st_mode) == 0o700


# --- bidi and control characters -------------------------------------------------------------


UNSAFE = ["\u202a", "\u202b", "\u202c", "\u202d", RLO, "\u2066", "\u2067", "\u2068", "\u2069", "\x00", "\x1b", "\x7f"]


@pytest.mark.parametrize("ch", UNSAFE)
def test_validators_refuse_bidi_and_control_characters(ch):
    with pytest.raises(ValidationError, match=f"U\\+{ord(ch):04X}"):
        validate_single_line_text(f"项目{ch}名称")
    with pytest.raises(ValidationError):
        validate_multiline_text(f"第一行\n第二{ch}行")


def test_line_breaks_only_in_multiline_texts():
    validate_multiline_text("第一行\r\n第二行\t完")
    validate_single_line_text("济南市·历下区 (A-1) 项目")
    with pytest.raises(ValidationError):
        validate_single_line_text("两行\n名称")


def test_services_refuse_a_bidi_name(world):
    p = world.projects.own_county
    with pytest.raises(ValidationFailed) as exc:
        project_update(user=world.users.city, project=p, expected_version=p.version, data={"name": f"gpj.{RLO}exe"})
    assert "name" in exc.value.extra["fields"]
    p.refresh_from_db()
    assert RLO not in p.name


def test_api_answers_400_naming_the_field(world):
    api = APIClient()
    api.force_authenticate(world.users.city)
    p = world.projects.own_county
    r = api.patch(f"/api/v1/projects/{p.pk}/", {"name": f"项目{RLO}txt.exe", "version": p.version}, format="json")
    assert r.status_code == 400, r.content
    body = r.json()
    assert "name" in str(body["extra"]) and "U+202E" in str(body)


def test_forms_show_the_message_at_the_field(client, world):
    from keyprojects.accounts.services import account_create

    with pytest.raises(ValidationFailed) as exc:
        account_create(actor=world.users.sysadmin, username="zhang", last_name=f"张{RLO}")
    assert "last_name" in exc.value.extra["fields"]
    client.force_login(world.users.sysadmin)
    r = client.post("/accounts/manage/new/", {"username": "wang", "first_name": "五\x07"})
    assert r.status_code == 200 and "U+0007" in r.content.decode()


def test_an_import_refuses_bidi_and_control_characters_per_cell():
    from keyprojects.dataio.parsing import parse_file

    rows = [
        "项目名称,总投资（万元）,形象进度",
        f"项目甲{RLO}txt.exe,100,主体完工",
        "项目乙,200,基础施工\x1b",
        '项目丙,300,"正常推进\n下月封顶"',
    ]
    (res,) = parse_file("\r\n".join(rows).encode("utf-8"), filename="a.csv")
    found = {(e.row, e.message) for e in res.errors}
    assert (2, "不能包含控制字符或双向文本控制符（U+202E）") in found, found
    assert any(r == 3 and "U+001B" in m for r, m in found), found
    assert not any(r == 4 for r, _m in found), found


def test_swagger_page_runs_under_the_csp(client, world):
    """UI tour: /api/docs/ (the top bar's API link) was blank: the browser refused its inline
    start-up script (script-src 'self'). No inline script or style; the script comes from ?script."""
    import re

    client.force_login(world.users.county)
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts), scripts
    src = re.findall(r'<script src="([^"]*script[^"]*)"', html)[-1].replace("&amp;", "&")
    r = client.get(src)
    assert r.status_code == 200 and "javascript" in r["Content-Type"] and "SwaggerUIBundle" in r.content.decode()
