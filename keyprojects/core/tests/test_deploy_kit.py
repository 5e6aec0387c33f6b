"""The deployment kit stays true to the code (issue 12 §2): every environment variable the
settings, the audit key store and the gunicorn config read is listed in deploy/.env.example."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READERS = [
    *sorted((ROOT / "config" / "settings").glob("*.py")),
    ROOT / "deploy" / "gunicorn.conf.py",
    ROOT / "keyprojects" / "audit" / "keys.py",
]
PATTERNS = [
    re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""_require\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""^ENV_KEY\s*=\s*["']([A-Z][A-Z0-9_]+)["']""", re.M),
]
NOT_CONFIGURATION = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_env_example_lists_every_variable_the_code_reads():
    read = {name for path in READERS if path.exists() for p in PATTERNS for name in p.findall(path.read_text(encoding="utf-8"))}
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "TRUSTED_PROXIES", "LOG_FORMAT"} <= read
    example = (ROOT / "deploy" / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert read - NOT_CONFIGURATION - listed == set(), "add these to deploy/.env.example"


def test_nginx_site_sends_the_headers_the_app_relies_on():
    site = (ROOT / "deploy" / "nginx" / "keyprojects.conf").read_text(encoding="utf-8")
    headers = ("X-Forwarded-Proto $scheme", "X-Forwarded-For $proxy_add_x_forwarded_for", "Host $http_host", "X-Request-ID $request_id")
    for header in headers:
        assert f"proxy_set_header {header};" in site
    assert settings.STATIC_URL == "/static/" and "location /static/" in site


def test_nginx_site_drops_requests_for_other_hosts():
    """A catch-all default_server on every port the site listens on answers a Host that is not
    ours with nothing (444), and on 443 refuses the TLS handshake (no certificate shown)."""
    site = (ROOT / "deploy" / "nginx" / "keyprojects.conf").read_text(encoding="utf-8")
    catch_all = site[site.index("server {") : site.index("}", site.index("server {"))]
    for port in ("80", "[::]:80", "443 ssl http2", "[::]:443 ssl http2"):
        assert f"listen {port} default_server;" in catch_all, port
    assert "return 444;" in catch_all and "ssl_reject_handshake on;" in catch_all
    listened = set(re.findall(r"^\s*listen\s+([^\s;]+)", site, re.M))
    assert listened == {"80", "[::]:80", "443", "[::]:443"}  # no port without its catch-all
