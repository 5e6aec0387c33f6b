"""Deterministic demo data for Shandong (``manage.py seed_demo``), an app without models.

Everything except the throwaway passwords comes from ``random.Random(seed)`` and the demo
year/month, so the same arguments give the same rows on SQLite and PostgreSQL, whatever the
batch size (compare :func:`~keyprojects.demo.summary.demo_digest`). Rows are valid by
construction (no per-row ``full_clean``) and written in batches inside one transaction through
the one bulk write path (``core.bulk``: multi-row ``INSERT`` on SQLite, ``COPY`` on
PostgreSQL) into tables whose secondary indexes are rebuilt afterwards.

The modules, in the order a run uses them:

* ``reference`` — the data files in ``data/`` (Shandong's cities, zones and departments,
  name lists, industries, texts, the real projects of domain.md §6);
* ``common`` — results, refusals, small helpers, the writer factory;
* ``builder`` — units, leaders, enterprises, projects with their years and history;
* ``drafts`` — the projects before they are written (generic and real ones);
* ``dispatch`` and ``reports`` — reporting periods, monthly reports with their review, flags,
  problems and plan curves; facts, warnings and summaries come from the analytics refresh
  (``analytics.refresh.rebuild_facts`` and ``summaries_refresh``), never from a copy of it;
* ``assessment`` — 双考核 results computed and published by the demo's province and city
  logins through ``analytics.services_assessment`` (the month before the last closed one
  published, the last closed one computed only);
* ``services`` — :func:`seed_demo`, the reset of business data and the demo logins;
* ``summary`` — the digest, the summary lines and the logins table.

Timestamps (``created_at``, event ``at``) come from the generated history rather than "now"
(the writer writes them as given; ``common.explicit_timestamps`` switches ``auto_now`` off for
the few rows written with ``bulk_create``).
"""

from __future__ import annotations

from .common import DEFAULT_BATCH, DEFAULT_PROJECTS, DEFAULT_SEED, DEMO_COUNTIES, DEMO_USERNAMES, DemoError, DemoLogin, DemoResult, last_day
from .reports import SEASON, STEP_MONTHS
from .services import (
    business_data_exists,
    create_demo_users,
    default_months,
    reset_business_data,
    reset_demo_passwords,
    seed_demo,
)
from .summary import demo_digest, logins_table, summary_lines

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_PROJECTS",
    "DEFAULT_SEED",
    "DEMO_COUNTIES",
    "DEMO_USERNAMES",
    "SEASON",
    "STEP_MONTHS",
    "DemoError",
    "DemoLogin",
    "DemoResult",
    "business_data_exists",
    "create_demo_users",
    "default_months",
    "demo_digest",
    "last_day",
    "logins_table",
    "reset_business_data",
    "reset_demo_passwords",
    "seed_demo",
    "summary_lines",
]
