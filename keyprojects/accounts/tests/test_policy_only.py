"""Permissions live in accounts/policy (the package) only: nobody else compares a role with a literal."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = {
    Path("keyprojects/accounts/policy/__init__.py"),
    Path("keyprojects/accounts/policy/apps.py"),
    Path("keyprojects/accounts/choices.py"),
}
PATTERNS = [
    re.compile(r"""\.role\s*(==|!=)\s*["']"""),  # user.role == "county"
    re.compile(r"""["']\s*(==|!=)\s*[\w.]*\.role\b"""),  # "county" == user.role
    re.compile(r"""\brole\s+(not\s+)?in\s+[(\[{]\s*["']"""),  # role in ("province", "city")
    re.compile(
        r"""["']role["']\s*(,\s*["'][^"']*["'])?\)\s*((==|!=)\s*["']|(not\s+)?in\s+[(\[{]\s*["'])"""
    ),  # getattr(user, "role", "") in ("a",)
]


def offenders() -> list[str]:
    found = []
    files = [*ROOT.glob("keyprojects/**/*.py"), *ROOT.glob("templates/**/*.html"), *ROOT.glob("config/**/*.py")]
    for path in files:
        rel = path.relative_to(ROOT)
        if rel in ALLOWED or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in PATTERNS):
                found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_role_literal_comparisons_outside_the_policy():
    assert offenders() == [], "ask keyprojects.accounts.policy instead:\n" + "\n".join(offenders())


def test_the_check_finds_what_it_looks_for(tmp_path):
    samples = [
        'if user.role == "county":',
        "if 'city' != request.user.role:",
        'if user.role in ("province", "city"):',
        '{% if user.role == "auditor" %}',
        'getattr(user, "role", "") in ("sysadmin",)',
        'return role not in ["leader"]',
    ]
    for s in samples:
        assert any(p.search(s) for p in PATTERNS), s
    for s in [
        "user.role = role",
        "level=user.role",
        "role in REGION_ROLES",
        'list_filter = ("role", "is_active")',
        'getattr(user, "role", "") in roles',
    ]:
        assert not any(p.search(s) for p in PATTERNS), s
