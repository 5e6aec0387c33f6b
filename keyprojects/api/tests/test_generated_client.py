"""A typed client generated from the schema drives the monthly workflow (issue 17 §5).

At test time ``openapi-python-client`` generates a package from ``/api/schema/`` into a temporary
directory (nothing generated is committed); the test then uses only that package, over the WSGI
application in process (httpx's WSGI transport, so it runs on SQLite and PostgreSQL alike):
obtain tokens, save a draft, submit, approve at county and city level, request a correction that
clears 在岗工人数, and have it decided — four eyes: by the province, not by the county that asked
nor by the city below the level that must decide.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from rest_framework.test import APIClient

from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyReport

CONFIG = "package_name_override: kpclient\nproject_name_override: kpclient\npost_hooks: []\n"


def generate_client(schema: bytes, workdir: Path) -> Any:
    (workdir / "schema.json").write_bytes(schema)
    (workdir / "config.yml").write_text(CONFIG, encoding="utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    proc = subprocess.run(
        [str(generator), "generate", "--path", "schema.json", "--meta", "none", "--output-path", "kpclient", "--config", "config.yml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Nothing the generator could not map: every schema construct became a typed model.
    assert "Warning" not in proc.stdout and "Unable" not in proc.stdout, proc.stdout
    for name in [m for m in sys.modules if m == "kpclient" or m.startswith("kpclient.")]:
        del sys.modules[name]
    sys.path.insert(0, str(workdir))
    try:
        return importlib.import_module("kpclient")
    finally:
        sys.path.remove(str(workdir))


@contextmanager
def wsgi_transport() -> Iterator[httpx.WSGITransport]:
    """httpx over the WSGI application in this thread and this test's transaction: like Django's
    test client (which reconnects the handlers after each of its own requests, so no test-client
    request may run inside this), requests must not close the database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield httpx.WSGITransport(app=WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_generated_client_drives_the_monthly_workflow(dw: Any, tmp_path: Path) -> None:
    fetch = APIClient()
    fetch.force_authenticate(dw.users.county)
    schema = fetch.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    kp = generate_client(schema.content, tmp_path)
    api = importlib.import_module("kpclient.api.v1")
    models = importlib.import_module("kpclient.models")
    for op in ("auth_token_create", "reports_save_draft", "reports_submit", "reports_approve", "reports_request_revision"):
        importlib.import_module(f"kpclient.api.v1.{op}")
    for op in ("revisions_decide", "reports_retrieve"):
        importlib.import_module(f"kpclient.api.v1.{op}")

    with wsgi_transport() as transport:
        drive_the_workflow(kp, api, models, transport, dw)


def drive_the_workflow(kp: Any, api: Any, models: Any, transport: httpx.WSGITransport, dw: Any) -> None:
    anonymous = kp.Client(base_url="http://testserver", httpx_args={"transport": transport})

    def login(username: str) -> Any:
        answer = api.auth_token_create.sync(client=anonymous, body=models.TokenRequestRequest(username=username, password=PASSWORD))
        assert isinstance(answer, models.TokenResponse), answer
        return kp.AuthenticatedClient(base_url="http://testserver", token=answer.token, prefix="Token", httpx_args={"transport": transport})

    county, city, province = login("lixia"), login("jinan"), login("prov")
    clerk = login("lixia_tb")  # the county's other account reviews what lixia fills (four eyes)
    project = dw.projects.own_county

    # create: the county saves the draft of January
    body = models.ReportSaveRequest(
        project=project.pk, period="2026-01", invested_month="100.0000", physical_progress_pct="40.00", workers=12
    )
    draft = api.reports_save_draft.sync(client=county, body=body)
    assert isinstance(draft, models.Report), draft
    assert (draft.status, draft.invested_ytd, draft.invested_to_date) == (models.ReportStatusEnum.DRAFT, "100.0000", "400.0000")

    # submit, then approve at the county and at the city (the report's review chain)
    report = api.reports_submit.sync(id=draft.id, client=county, body=models.SubmitRequest(version=draft.version))
    assert isinstance(report, models.Report) and report.status == models.ReportStatusEnum.SUBMITTED, report
    assert report.review_levels == ["county", "city"] and report.pending_level == "county"
    refused = api.reports_approve.sync_detailed(id=report.id, client=county, body=models.ApproveRequest(version=report.version))
    assert refused.status_code == 403  # lixia filled it: four eyes
    report = api.reports_approve.sync(id=report.id, client=clerk, body=models.ApproveRequest(version=report.version, opinion="属实"))
    assert isinstance(report, models.Report) and report.pending_level == "city", report
    report = api.reports_approve.sync(id=report.id, client=city, body=models.ApproveRequest(version=report.version, opinion="同意"))
    assert isinstance(report, models.Report) and report.status == models.ReportStatusEnum.APPROVED, report

    # request a correction: 在岗工人数 cleared (null), 本月完成投资 corrected
    new_values = models.ReportValuesRequest(workers=None, invested_month="80.0000")
    revision = api.reports_request_revision.sync(
        id=report.id, client=county, body=models.RevisionRequestRequest(reason="工人数未核实，投资误含2月", new_values=new_values)
    )
    assert isinstance(revision, models.Revision), revision
    assert revision.new_values.to_dict() == {"workers": None, "invested_month": "80.0000"}
    assert revision.old_values.to_dict() == {"workers": "12", "invested_month": "100.0000"}
    assert revision.approval_level == "province"  # one level above the city that approved last

    # four eyes: neither the county that asked nor the city may decide; the province does
    decide = models.RevisionDecideRequest(approve=True, opinion="同意更正")
    refused = api.revisions_decide.sync_detailed(id=revision.id, client=county, body=decide)
    assert refused.status_code == 403 and isinstance(refused.parsed, models.Error) and refused.parsed.code == "permission_denied"
    refused = api.revisions_decide.sync_detailed(id=revision.id, client=city, body=decide)
    assert refused.status_code == 403 and isinstance(refused.parsed, models.Error)
    decided = api.revisions_decide.sync(id=revision.id, client=province, body=decide)
    assert isinstance(decided, models.Revision) and decided.status == models.RevisionStatusEnum.APPROVED, decided
    assert decided.decided_by_name and decided.decided_by_name != decided.requested_by_name

    final = api.reports_retrieve.sync(id=report.id, client=county)
    assert isinstance(final, models.Report), final
    assert (final.workers, final.invested_month, final.invested_ytd, final.physical_progress_pct) == (None, "80.0000", "80.0000", "40.00")
    stored = MonthlyReport.objects.get(pk=report.id)
    assert stored.workers is None and str(stored.invested_month) == "80.0000"
