"""What the demo's modules share: its results, refusals, small helpers and the writer factory."""

from __future__ import annotations

import bisect
import calendar
import contextlib
import datetime as dt
import gc
import random
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from keyprojects.core.bulk import BulkWriter

from .reference import PUBLIC_OWNERS

PROVINCE = "370000"
DEFAULT_SEED = 20240222  # the seed newspaper's date
DEFAULT_PROJECTS = 3000
DEFAULT_BATCH = 5000
MIN_TOTAL = 500  # 万元: the 纳统 threshold
MAX_TOTAL = 1_000_000  # 万元 = 100亿元
# lixia_sh: 历下区's second county account, so that what lixia fills is reviewed by someone else (four eyes)
DEMO_USERNAMES = ("province", "jinan", "lixia", "lixia_sh", "jinan_fgw", "byd", "leader", "sysadmin", "secadmin", "auditor", "admin")
#: The demo logins placed in a region: username → (role, region code). ``create_demo_users`` makes
#: them after the projects, so the seeder's review chains count the levels they staff from here.
DEMO_REGION_LOGINS = {
    "province": ("province", "370000"), "jinan": ("city", "370100"), "lixia": ("county", "370102"),
    "lixia_sh": ("county", "370102"), "leader": ("leader", "370100"),
}  # fmt: skip
# The counties with demo logins: each has two county accounts (one fills, the other reviews) and,
# however small the seed, at least one project and one of the demo's agreements.
DEMO_COUNTIES = ("370102",)

#: The demo's enterprises that are businesses: registered with market regulation (the USCC's
#: registration department code 9: companies, partnerships, individual businesses). The demo also
#: registers public project owners as enterprises — organs (11: 教育局, 民政局) and public
#: institutions (12: 人民医院) — which never apply for a brand or sit on a 双50 培育名单.
BUSINESSES = Q(uscc__startswith="9")
#: The demo's enterprises that may be a 招商引资 investor (投资方) or sign for one: businesses other
#: than the local governments' own companies (城投、交通、水务、能源、文旅 groups of every city and
#: county: reference.PUBLIC_OWNERS registered as companies). An organ, a public institution or a
#: government's platform is not investment attracted from outside.
PLATFORM_SUFFIXES = sorted({suffix for *suffixes, _division, prefix in PUBLIC_OWNERS.values() if prefix == "91" for suffix in suffixes})
INVESTORS = BUSINESSES & ~Q(*(Q(name__endswith=suffix) for suffix in PLATFORM_SUFFIXES), _connector=Q.OR)
# manufacturers (GB/T 4754 门类 C 制造业) before other enterprises: the “双50” lists are of
# manufacturers, and the demo's 政企合作协议 are mostly theirs
MANUFACTURERS_FIRST = Case(When(industry_section="C", then=Value(0)), default=Value(1))


def writer_for(model: type[models.Model], fields: Sequence[str], *, raw: bool = False) -> BulkWriter:
    """The demo's writer for one table: the one bulk write path (``core.bulk``) for a load that
    holds its tables (ids after the largest, the sequence moved at ``finish``)."""
    return BulkWriter(model, fields, raw=raw, exclusive=True)


class DemoError(Exception):
    """A refusal with a Chinese message (the command turns it into CommandError)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str


@dataclass
class DemoResult:
    seed: int
    year: int
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0
    periods: list[str] = field(default_factory=list)  # "2026-10", oldest first
    timings: dict[str, float] = field(default_factory=dict)
    open_states: dict[str, int] = field(default_factory=dict)  # the open (last) period's report states
    assessments: list[Any] = field(default_factory=list)  # assessment.DemoAssessment: the results computed


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def default_year_month(year: int | None, month: int | None) -> tuple[int, int]:
    """The demo year (default: this year) and the month the data runs to (default: the last
    complete month of this year, December of past years, January of future years)."""
    today = timezone.localdate()
    y = year or today.year
    if month is None:
        month = max(1, today.month - 1) if y == today.year else 12 if y < today.year else 1
    return y, month


def short_place(name: str) -> str:
    """历下区 → 历下, 济南市 → 济南; one-character stems keep their suffix (莒县, 费县)."""
    for suffix in ("自治县", "市", "区", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@contextlib.contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Write the generated ``created_at``/``updated_at``/``at`` values instead of "now"."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of rows are made: the load creates no cycles
    to speak of, and every full collection would walk all the rows held (the refresh holds a
    year of facts before writing them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def random_password(length: int = 14) -> str:
    """A throwaway password with all four character classes (never derived from the seed)."""
    lower = "abcdefghijkmnpqrstuvwxyz"
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    symbols = "-_!@#%+=?"
    alphabet = lower + upper + digits + symbols
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in cls for c in pw) for cls in (lower, upper, digits, symbols)):
            return pw


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(display_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c) + " " * (w - display_width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


class Picker:
    """Weighted choice with precomputed cumulative weights (fast for 200k draws): the draw of
    ``rng.choices(values, cum_weights=cum)[0]`` (one ``random()`` and the same bisection, so
    the same value from the same stream) without its checks and list on every call."""

    def __init__(self, rng: random.Random, weights: dict[str, float] | Sequence[tuple[Any, float]]):
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.rng = rng
        self.values = [k for k, _ in items]
        total = 0.0
        self.cum: list[float] = []
        for _, w in items:
            total += w
            self.cum.append(total)
        rng.choices(self.values, cum_weights=self.cum, k=0)  # its checks, once (k=0 draws nothing)
        self._random = rng.random
        self._total = self.cum[-1] + 0.0
        self._hi = len(self.values) - 1

    def __call__(self) -> Any:
        return self.values[bisect.bisect(self.cum, self._random() * self._total, 0, self._hi)]
