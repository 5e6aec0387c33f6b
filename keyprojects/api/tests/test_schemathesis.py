"""Schemathesis over the live OpenAPI schema (issue 17, issue 11 §8).

A live server over a small seeded database; for a county user and a province user the test
fetches ``/api/schema/`` as that user (so it covers every operation that exists when it runs,
and the per-user request bodies and examples) and runs ``st run`` with every default check, the
phases of :data:`PHASES` (examples, coverage, fuzzing, stateful — links inferred from the
responses), a fixed seed and a fixed example budget. Any finding fails the test; the numbers are
printed (``pytest -s``).

``KP_SCHEMATHESIS_EXAMPLES`` raises the fuzzing budget for a longer run (default 5 per operation).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from keyprojects.core.testing import PASSWORD

SEED = 20261206
MAX_EXAMPLES = int(os.environ.get("KP_SCHEMATHESIS_EXAMPLES", "5"))

# Operations left out, each with its reason. Keep this short.
EXCLUDED_OPERATIONS = {
    # Revokes an API token of the requesting user: the stateful phase would find the token this
    # run authenticates with (GET /auth/tokens/ lists it) and end the run with 401s. Covered by
    # keyprojects/api/tests/test_tokens.py.
    "auth_tokens_destroy": "revokes the token the run authenticates with",
}

CONFIG = """
# Every default check (none switched off); all four phases.

[phases.coverage]
# duplicate query parameters are left out: Django takes the last value, which no schema can say
generate-duplicate-query-parameters = false

[phases.stateful]
max-steps = 10

[generation]
# Text with NUL characters is refused (400) by every text field (DRF and the database cannot
# store U+0000); a pattern on every string of the schema to say so would drown it.
allow-x00 = false

# ---- allow-list: a 400 that names the field is accepted for schema-valid bodies of these
# operations, because each breaks a rule OpenAPI 3.0's JSON Schema cannot state ----

[[operations]]
# References must name objects in the user's own scope (region, owner, zone, responsible unit,
# sponsor leader); the 项目代码's region must exist; 行业大类 must belong to 行业门类; the USCC
# check character (GB 32100, modulo 31); planned/actual dates in order. The schema cannot list
# every object a user may reference nor state cross-field rules.
include-operation-id-regex = "^(projects|enterprises)_(create|update|partial_update)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
# 招商线索 (issue 16): references in the user's scope (region, unit, leader, source activity,
# signing enterprise, a project to link), the USCC check character, 行业大类 within 门类, an
# in-province investor's USCC, dates not before the stage was entered nor after today, required
# service items before a step, a reason to drop, a feedback to close; 到资: a correction names a
# confirmed entry of the lead with a reason, a return needs a reason, nobody decides their own entry.
include-operation-id-regex = "^leads_(create|partial_update|advance|sign|land|drop|reopen|funds|fund_decide|fund_void|fund_withdraw)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
# Cross-field rules: a reason for 停缓建/退库; 本月无进展 means 0 invested and a reason; a month
# that has not begun cannot be reported (depends on today); the source report of a problem must
# be the project's; a solved problem needs its resolution.
include-operation-id-regex = "^(projects_transition|reports_(save_draft|update_draft|request_revision)|problems_(create|set_status))$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
# A close with open items needs the period (YYYY-MM of the path) or 确认关账 typed: whether any
# item is open depends on the month's reports, which no schema can state (issue 10 §3).
include-operation-id-regex = "^periods_close$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
# 分月计划: the twelve months add up to the year's 年度计划投资 (within 0.01), a closed month keeps
# its counted value, and ``expected`` are the values the GET gave (else 409 conflict): each
# depends on the data, which no schema can state. The bulk POST also needs each project (and
# ``region``) in the user's scope, named once.
include-operation-id-regex = "^(projects_monthly_plan_set|monthly_plans_bulk)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
# 要素保障与审批 (issue 14): dates in order and not in the future, a status that needs its dates
# (已办结 needs 办结日期), a 细类 of the need's 类别, 已保障 ≤ 需求, a reason for 无法保障; references
# (need, problem, project, units) within the user's scope; a 会商 at the user's own level only.
include-operation-id-regex = "^(approvals_(create|partial_update)|factor_needs_(create|partial_update)|consultations_(create|topic_done))$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]
"""


@pytest.fixture
def fuzz_world(dw: Any) -> Any:
    """The dispatch world with a report in every state the workflow operations act on: an
    approved one with a pending correction, a submitted one, a draft; a problem item; warnings."""
    from keyprojects.dispatch.services import report_review, report_save, report_submit, revision_request, warnings_refresh
    from keyprojects.dispatch.services_problems import problem_create

    w = dw
    county, city = w.users.county, w.users.city
    own = w.projects.own_county
    clerk = w.users.county_clerk  # fills and submits; the county user reviews (four eyes)
    jan = report_save(user=clerk, project=own, period=w.p1, data={"invested_month": Decimal("100"), "workers": 20})
    report_submit(user=clerk, report=jan)
    report_review(user=county, report=jan, action="approve")
    report_review(user=city, report=jan, action="approve")
    revision_request(user=county, report=jan, reason="工人数核实", new_values={"workers": 25})
    feb = report_save(user=clerk, project=own, period=w.p2, data={"invested_month": Decimal("50")})
    report_submit(user=clerk, report=feb)
    report_save(user=county, project=own, period=w.p3, data={"invested_month": Decimal("10")})
    report_save(user=w.users.city, project=w.projects.city_level, period=w.p1, data={"invested_month": Decimal("30")})
    problem_create(user=county, project=own, description="用地指标未落实", responsible_unit=w.dept)
    # 要素保障与审批: an item in progress, a need, a city 会商 that escalated it
    from keyprojects.approvals.catalogue import ensure_catalogue
    from keyprojects.approvals.models import ApprovalItem, ProjectApproval
    from keyprojects.approvals.services import approval_items_set, approval_update
    from keyprojects.approvals.services_consultations import consultation_hold
    from keyprojects.approvals.services_needs import factor_need_create

    ensure_catalogue()  # a transactional test starts from a flushed database
    approval_items_set(user=county, project=own, item_ids=list(ApprovalItem.objects.values_list("pk", flat=True)[:3]))
    step = ProjectApproval.objects.filter(project=own).order_by("pk").first()
    approval_update(user=county, approval=step, expected_version=step.version, data={"status": "in_progress", "applied_on": w.p1.fill_end})
    need = factor_need_create(
        user=county, project=own, data={"kind": "land", "subtype": "new_quota", "quantity": Decimal("50"), "owner_unit": w.dept.pk}
    )
    consultation_hold(
        user=city, held_on=w.p2.fill_end, convener="分管副市长", topics=[{"need": need.pk, "decision": "提请省级协调", "escalate": True}]
    )
    warnings_refresh(period=w.p3)
    _leads(w)
    return w


def _leads(w: Any) -> None:
    """招商线索 of the county in 信息获取, 考察洽谈 and 签约 (issue 16)."""
    import datetime as dt

    from django.utils import timezone

    from keyprojects.attraction.services import lead_advance, lead_create, lead_sign

    county = w.users.county
    today = timezone.localdate()
    for n, stage in enumerate(("info", "negotiation", "signed")):
        lead = lead_create(
            user=county,
            data={"name": f"招商线索{n}", "investor_name": "深圳示例科技有限公司", "source": "expo", "intended_amount": Decimal("1000"),
                  "obtained_on": today - dt.timedelta(days=30)},
        )  # fmt: skip
        if stage != "info":
            lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=today - dt.timedelta(days=20))
        if stage == "signed":
            lead_sign(user=county, lead=lead, expected_version=lead.version, enterprise=w.ent, signed_on=today, amount="900")


def _request(url: str, *, token: str | None = None, body: Any = None) -> Any:
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers)) as r:
        return r.read()


def run_schemathesis(base: str, username: str, workdir: Path, phases: str) -> dict[str, Any]:
    """``st run`` as ``username`` against the server at ``base``; returns its JSON report."""
    token = json.loads(_request(f"{base}/api/v1/auth/token/", body={"username": username, "password": PASSWORD}))["token"]
    schema = workdir / f"schema-{username}.json"
    schema.write_bytes(_request(f"{base}/api/schema/?format=json", token=token))
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    report_dir = workdir / f"report-{username}"
    st = Path(sys.executable).with_name("st")
    args = [
        str(st), "--config-file", str(config), "run", str(schema), "--url", base,
        "-H", f"Authorization: Token {token}",
        "--phases", phases, "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--generation-database", "none", "--no-color", "--workers", "1",
        "--report", "json", "--report-dir", str(report_dir),
    ]  # fmt: skip
    for op in EXCLUDED_OPERATIONS:
        args += ["--exclude-operation-id", op]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=1200, cwd=workdir)
    reports = sorted(report_dir.glob("*.json"))
    assert reports, proc.stdout[-5000:] + proc.stderr[-5000:]
    result: dict[str, Any] = json.loads(reports[-1].read_text(encoding="utf-8"))
    result["_stdout"] = proc.stdout
    result["_returncode"] = proc.returncode
    return result


# The coverage phase (every boundary and negative case the schema defines, several thousand
# requests) runs as the province user, whose schema and scope are the widest; the county user
# gets the examples, fuzzing and stateful phases over its own schema. KP_SCHEMATHESIS_FULL=1
# runs all four phases for both.
PHASES = {"prov": "examples,coverage,fuzzing,stateful", "lixia": "examples,fuzzing,stateful"}


class _SerialServer(WSGIServer):
    """The run's server: one request after another in the server's own thread (schemathesis
    sends them one at a time, ``--workers 1``), so that thread keeps one database connection for
    the whole run. The shared live server starts a thread and a new database connection per
    request: on PostgreSQL a new backend process each time, about a third of the run's several
    thousand requests. Nagle's algorithm off, as the shared server (conftest)."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class _SerialServerThread(LiveServerThread):
    server_class = _SerialServer


@pytest.fixture
def api_server(transactional_db: Any) -> Iterator[str]:
    """A live server of its own for the run (see :class:`_SerialServer`); its URL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.db.backends.signals import connection_created

    override = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = _SerialServerThread("127.0.0.1", StaticFilesHandler, connections_override=override)

    def keep(sender: Any, connection: Any, **kwargs: Any) -> None:
        if threading.current_thread() is thread:
            connection.close_at = None  # not closed after each request (CONN_MAX_AGE 0); closed when the thread ends

    for conn in override.values():  # the in-memory SQLite database is the test's connection, shared
        conn.inc_thread_sharing()
    connection_created.connect(keep)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()  # its run() closes the thread's connection before the database is flushed
        connection_created.disconnect(keep)
        for conn in override.values():
            conn.dec_thread_sharing()


@pytest.mark.parametrize("username", ["lixia", "prov"])
def test_schemathesis_finds_nothing(username: str, fuzz_world: Any, api_server: str, tmp_path: Path) -> None:
    phases = PHASES["prov"] if os.environ.get("KP_SCHEMATHESIS_FULL") else PHASES[username]
    result = run_schemathesis(api_server, username, tmp_path, phases)
    ops, cases = result["operations"], result["test_cases"]
    print(
        f"schemathesis as {username} ({phases}): operations {ops['tested']}/{ops['total']} tested, "
        f"{cases['generated']} test cases, {len(result['failures'])} kinds of finding, "
        f"{len(result['errors'])} errors, {result['running_time']:.0f}s"
    )
    assert result["_returncode"] == 0 and not result["failures"] and not result["errors"], result["_stdout"][-30000:]
    assert ops["tested"] == ops["total"] - len(EXCLUDED_OPERATIONS)
