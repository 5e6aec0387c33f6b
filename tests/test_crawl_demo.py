"""Every page works on real data (issue 9 item 7) and no GET writes (issue 11 item 4).

Over a small ``seed_demo`` database, log in as every demo role and follow every same-site link
it can reach: breadth first over the ``href``s of each HTML page, the htmx ``hx-get`` URLs and
the GET forms (submitted with their defaults and with each option of their selects). Each URL
pattern (resolved view name and query keys) is visited a bounded number of times. No answer may
be a 5xx, and the GETs may not write: no model but the audit log and sessions gains or loses a
row, and no INSERT/UPDATE/DELETE reaches any other table.
"""

from __future__ import annotations

import io
import re
import traceback
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve

# The logins `make demo` prints (README), one per role (and 历下区's second county account).
DEMO_ROLES = ("province", "jinan", "lixia", "lixia_sh", "jinan_fgw", "byd", "leader", "sysadmin", "secadmin", "auditor", "admin")
# Small and fixed: with this seed 历下区 (lixia) has a returned, a submitted and an unreported
# project in the data month, so its 我的任务 has something to fill and to review.
SEED = {"projects": 300, "months": 3, "seed": 13, "year": 2026, "month": 11}
# Pages each role must have reached (by view name), so that a crawl that stops early fails.
EVERYONE = {"projects:home", "projects:list", "dispatch:tasks", "dispatch:warnings", "dispatch:problems", "projects:leaders"}
READERS = EVERYONE | {
    "projects:detail", "dispatch:report", "dispatch:review", "dispatch:board", "analytics:rankings", "analytics:bulletin",
    "analytics:bulletin_docx", "projects:leader_detail", "enterprises:list", "enterprises:detail", "dataio:exports",
    "dataio:dispatch_table", "projects:export",
}  # fmt: skip
FILLERS = READERS | {"dispatch:fill", "dispatch:grid", "projects:edit"}
# The “泉城好品” pages over the demo's open round and published pilot (ADR 0019); the byd login
# can apply to the open round and sees its own pilot application.
BRANDS = {"brands:rounds", "brands:round", "brands:results"}
BRAND_READERS = BRANDS | {"brands:application", "brands:export"}
MUST_REACH = {
    "province": FILLERS | BRAND_READERS,
    "jinan": FILLERS | BRAND_READERS,
    "lixia": EVERYONE
    | BRANDS
    | {"dispatch:fill", "dispatch:report", "dispatch:grid", "dispatch:board", "projects:detail"}
    | {"dataio:template"},
    "lixia_sh": EVERYONE | BRANDS | {"dispatch:fill", "dispatch:report", "dispatch:review", "projects:detail"},
    "jinan_fgw": EVERYONE | BRAND_READERS | {"dispatch:fill", "dispatch:report", "projects:detail"},
    "byd": EVERYONE
    | BRANDS
    | {"brands:apply", "brands:application", "dispatch:fill", "dispatch:report", "projects:detail"}
    | {"enterprises:detail"},
    # the leader neither fills nor reviews: no menu or crumb leads to 我的任务 or 审核 (dead ends)
    "leader": (READERS - {"dispatch:tasks", "dispatch:review"}) | BRAND_READERS,
    "sysadmin": {"projects:home"},
    "secadmin": {"projects:home"},
    "auditor": {"audit:list", "audit:export"},
    "admin": FILLERS | {"audit:list"},
}
PER_PATTERN = 2  # visits per (view name, query keys)
PER_NAME = 2  # visits per view name
PER_SLOW = 1  # visits per download (xlsx, docx, JSON package) and edit form: slow, few new links
SLOW = re.compile(r"(\.(xlsx|docx|csv|json)$|export|oc4ids|:edit$|:create$)")
MAX_PAGES = 400  # per role: a runaway crawl fails instead of hanging
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/")
# Tables GETs may write: the audit log records views and exports, sessions record the visit.
MAY_WRITE = {"audit.auditevent", "sessions.session"}
WRITE_SQL = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)


class _Links(HTMLParser):
    """The same-site GET targets of a page: ``href``, ``hx-get``, and GET forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._form: dict[str, Any] | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("a", "area") and a.get("href"):
            self.urls.append(a["href"])
        if a.get("hx-get") and tag != "form" and tag != "input":
            self.urls.append(a["hx-get"])
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("action") or a.get("hx-get") or ""
            self._form = {"action": action, "fields": [], "selects": []} if method == "get" and not a.get("hx-post") else None
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = (a["name"], [], [])
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            if self._form is not None:
                name, options, selected = self._select
                self._form["fields"].append((name, (selected or options or [""])[0]))
                self._form["selects"].append((name, options))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def targets(self) -> Iterator[str]:
        yield from self.urls
        for form in self.forms:
            fields = [(k, v) for k, v in form["fields"] if v != ""]
            yield f"{form['action']}?{urlencode(fields)}" if fields else form["action"]
            for name, options in form["selects"]:
                for option in options:
                    varied = [(k, option if k == name else v) for k, v in form["fields"]]
                    varied = [(k, v) for k, v in varied if v != ""]
                    yield f"{form['action']}?{urlencode(varied)}" if varied else form["action"]


@dataclass
class Crawl:
    role: str
    visited: list[tuple[str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # 4xx answers to links a page offered
    names: Counter[str] = field(default_factory=Counter)


def _pattern(path: str, query: str) -> str | None:
    """The budget key of a URL: its view name and its query keys (ids and values normalised away)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)})
    return f"{match.view_name}?{'&'.join(keys)}"


def _normalise(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("http", "https", "") or (url.netloc and url.netloc != "testserver"):
        return None
    if url.path.startswith(SKIP_PREFIXES):
        return None
    return f"{url.path}?{url.query}" if url.query else url.path


def crawl(client: Client, role: str) -> Crawl:
    result = Crawl(role)
    seen: set[str] = set()
    budget: Counter[str] = Counter()
    queue: deque[str] = deque(["/"])
    referrer: dict[str, str] = {}
    seen.add("/")

    def guard(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        m = WRITE_SQL.match(sql)
        if m:
            table = m.group(1).lower()
            if table not in ALLOWED_TABLES:
                result.writes.append(f"{current[0]}: {sql[:160]}")
        return execute(sql, params, many, context)

    current = [""]
    with connection.execute_wrapper(guard):
        while queue and len(result.visited) < MAX_PAGES:
            url = queue.popleft()
            current[0] = url
            try:
                response = client.get(url)
            except Exception as exc:  # noqa: BLE001 - every crash is reported, the crawl goes on
                frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/keyprojects/" in f.filename]
                where = f"{frames[-1].filename.split('/keyprojects/')[-1]}:{frames[-1].lineno}" if frames else ""
                result.errors.append(f"{url} → {type(exc).__name__}: {str(exc)[:200]} ({where})")
                result.visited.append((url, 500))
                continue
            result.visited.append((url, response.status_code))
            if response.status_code >= 400:
                result.refused.append(f"{response.status_code} {url} (linked from {referrer.get(url)})")
            if response.status_code >= 500:
                result.errors.append(f"{url} → {response.status_code}")
                continue
            path, _, query = url.partition("?")
            name = _pattern(path, query)
            if name:
                result.names[name.split("?")[0]] += 1
            targets: list[str] = []
            if response.status_code in (301, 302, 303, 307, 308):
                targets = [response["Location"]]
            elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                parser = _Links()
                parser.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
                targets = list(parser.targets())
            for href in targets:
                target = _normalise(url, href)
                if target is None or target in seen:
                    continue
                seen.add(target)
                t_path, _, t_query = target.partition("?")
                key = _pattern(t_path, t_query)
                if key is None:
                    continue
                name_key = key.split("?")[0]
                per_name = PER_SLOW if SLOW.search(t_path) or SLOW.search(name_key) else PER_NAME
                if budget[key] >= PER_PATTERN or budget[name_key] >= per_name:
                    continue
                budget[key] += 1
                budget[name_key] += 1
                referrer[target] = url
                queue.append(target)
    return result


ALLOWED_TABLES = {apps.get_model(label)._meta.db_table for label in MAY_WRITE}


def row_counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in MAY_WRITE and not m._meta.proxy and m._meta.managed
    }


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A small demo world (SEED: 300 projects, 3 months of reports), seeded once for the module
    and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO(), verbosity=0, **SEED)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_db, db) -> None:
    return None


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_every_page_answers_and_no_get_writes(seeded, role):
    from keyprojects.accounts.models import User

    user = User.objects.get(username=role)
    client = Client()
    client.force_login(user)
    before = row_counts()
    result = crawl(client, role)
    after = row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    statuses = Counter(code for _, code in result.visited)
    assert len(result.visited) > 3, f"{role}: the crawl found almost nothing: {result.visited}"
    assert not result.errors, f"{role}: {len(result.errors)} pages failed:\n" + "\n".join(result.errors)
    assert not result.refused, f"{role}: pages offer links it may not open:\n" + "\n".join(result.refused)
    assert not changed, f"{role}: GETs changed row counts {changed}"
    assert not result.writes, f"{role}: GETs wrote:\n" + "\n".join(result.writes[:20])
    assert len(result.visited) < MAX_PAGES, f"{role}: the crawl did not converge ({statuses})"
    missed = MUST_REACH[role] - set(result.names)
    assert not missed, f"{role}: the crawl never reached {sorted(missed)} (reached {sorted(result.names)})"


# Every page that takes a month, asked for months nobody opened: one the seed left out, the
# current month, and months far outside the configured range. {p} is a project of the region.
PERIOD_PAGES = (
    "/dispatch/?period={label}",
    "/dispatch/{label}/projects/{p}/",
    "/dispatch/{label}/projects/999999/",
    "/dispatch/{label}/projects/{p}/preview/?invested_month=5",
    "/dispatch/{label}/grid/",
    "/dispatch/{label}/grid/export/",
    "/dispatch/{label}/board/",
    "/dispatch/{label}/board/missing.xlsx",
    "/dispatch/review/?period={label}",
    "/dispatch/warnings/?period={label}",
    "/dataio/template.xlsx?period={label}",
    "/dataio/dispatch-table.xlsx?period={label}",
    "/analytics/dashboard/?period={label}",
    "/analytics/rankings/?period={label}",
    "/analytics/rankings/{label}.xlsx",
    "/analytics/bulletin/?period={label}",
    "/analytics/bulletin/{label}.xlsx",
    "/leaders/?period={label}",
    "/api/v1/periods/{label}/",
    "/api/v1/reports/?period={label}",
)


@pytest.mark.parametrize("role", ["jinan", "leader"])
def test_pages_of_months_nobody_opened_write_nothing(seeded, role):
    from django.utils import timezone

    from keyprojects.accounts.models import User
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.projects.models import Project

    first = ReportingPeriod.objects.order_by("year", "month").first()
    before_first = f"{first.year - 1:04d}-{first.month:02d}"
    today = timezone.localdate()
    labels = [before_first, f"{today.year:04d}-{today.month:02d}", "2000-03", f"{today.year + 1:04d}-01"]
    project = Project.objects.filter(city_code="370100").order_by("pk").first()
    client = Client()
    client.force_login(User.objects.get(username=role))
    periods = set(ReportingPeriod.objects.values_list("pk", flat=True))
    before = row_counts()
    failures = []
    for label in labels:
        for page in PERIOD_PAGES:
            url = page.format(label=label, p=project.pk)
            try:
                status = client.get(url, headers={"HX-Request": "true"} if "preview" in url else {}).status_code
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{url} → {type(exc).__name__}: {exc}")
                continue
            if status >= 500:
                failures.append(f"{url} → {status}")
    assert not failures, "\n".join(failures)
    assert set(ReportingPeriod.objects.values_list("pk", flat=True)) == periods
    after = row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
