"""The OpenAPI schema (drf-spectacular): valid, warning-free, every operation named and described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command

from keyprojects.core.testing import PASSWORD

EXPECTED_OPERATIONS = {
    "auth_token_create", "auth_tokens_list", "auth_tokens_destroy", "figures_projects", "figures_regions",
    "regions_list", "regions_retrieve", "units_list", "units_retrieve", "leaders_list", "leaders_retrieve",
    "enterprises_list", "enterprises_retrieve", "enterprises_create", "enterprises_update", "enterprises_partial_update",
    "projects_list", "projects_retrieve", "projects_create", "projects_update", "projects_partial_update",
    "projects_transition", "projects_events", "projects_monthly_plan", "projects_monthly_plan_set",
    "monthly_plans_list", "monthly_plans_bulk",
    "periods_list", "periods_retrieve", "periods_close", "periods_checklist",
    "reports_list", "reports_retrieve", "reports_save_draft", "reports_update_draft", "reports_submit", "reports_approve",
    "reports_return", "reports_acknowledge", "reports_request_revision",
    "revisions_list", "revisions_retrieve", "revisions_decide",
    "warnings_list", "problems_list", "problems_retrieve", "problems_create", "problems_set_status",
    "oc4ids_package",
    "leads_list", "leads_retrieve", "leads_create", "leads_partial_update", "leads_advance", "leads_sign", "leads_land",
    "leads_drop", "leads_reopen", "leads_funds", "leads_events", "leads_funnel", "leads_fund_entries", "leads_fund_decide",
    "leads_fund_void", "leads_fund_withdraw",
    "approvals_list", "approvals_retrieve", "approvals_create", "approvals_partial_update",
    "factor_needs_list", "factor_needs_retrieve", "factor_needs_create", "factor_needs_partial_update",
    "consultations_list", "consultations_retrieve", "consultations_create", "consultations_topic_done",
    "agreements_list", "agreements_retrieve",
    "cultivation_lists_list", "cultivation_lists_retrieve", "cultivation_entries_list", "cultivation_entries_retrieve",
    "brand_rounds_list", "brand_rounds_retrieve", "brand_applications_list", "brand_applications_retrieve",
    "assessments_list", "assessments_retrieve",
}  # fmt: skip


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in schema["paths"].values() for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]


def test_schema_validates_without_warnings(tmp_path: Path, db: Any) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", file=str(out), validate=True, fail_on_warn=True)
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    ops = _operations(schema)
    assert {op["operationId"] for op in ops} == EXPECTED_OPERATIONS
    for op in ops:
        summary = op.get("summary", "")
        assert "/ " in summary and any("\u4e00" <= ch <= "\u9fff" for ch in summary), op["operationId"]
        # every operation documents its error body
        assert any(code.startswith(("4",)) for code in op["responses"]), op["operationId"]
    project = schema["components"]["schemas"]["Project"]
    for name in ("stage", "province_code", "city_code", "version"):
        assert project["properties"][name]["readOnly"] is True, name
    assert project["properties"]["total_investment"]["type"] == "string"
    request = schema["components"]["schemas"]["ProjectWriteRequest"]["properties"]
    assert not {"stage", "province_code", "city_code", "version"} & set(request)
    assert "version" in schema["components"]["schemas"]["PatchedProjectUpdateRequest"]["properties"]
    # Monthly reports: derived figures, status and the review chain are never input.
    report = schema["components"]["schemas"]["Report"]["properties"]
    for name in ("invested_ytd", "invested_to_date", "status", "pending_level", "review_levels", "version"):
        assert report[name]["readOnly"] is True, name
    for name in ("ReportSaveRequest", "PatchedReportUpdateRequest", "ReportUpdateRequest"):
        request = schema["components"]["schemas"].get(name)
        if request is not None:
            assert not {"invested_ytd", "invested_to_date", "status", "pending_level", "review_levels"} & set(request["properties"])
    assert "409" in schema["paths"]["/api/v1/reports/{id}/submit/"]["post"]["responses"]
    # the bulk plans' dry run: an optional JSON boolean of the strict body
    bulk = schema["components"]["schemas"]["MonthlyPlanBulkRequest"]
    assert bulk["properties"]["dry_run"]["type"] == "boolean" and "dry_run" not in bulk.get("required", [])
    assert "不写入" in bulk["properties"]["dry_run"]["description"]


def test_docs_render_for_a_logged_in_user(client: Any, world: Any) -> None:
    assert client.login(username="lixia", password=PASSWORD)
    r = client.get("/api/docs/")
    assert r.status_code == 200 and b"swagger" in r.content.lower()
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    assert {op["operationId"] for op in _operations(r.json())} == EXPECTED_OPERATIONS


def test_redoc_page_fits_the_csp(client: Any, world: Any) -> None:
    """/api/redoc/ was blank under the site's CSP (an inline start-up script and style, Google
    Fonts): the page now has no inline script or style, and only its own response adds a nonce
    to style-src, for ReDoc's run-time <style> elements; scripts stay 'self' only."""
    import re

    from django.contrib.staticfiles import finders

    assert client.login(username="lixia", password=PASSWORD)
    r = client.get("/api/redoc/")
    assert r.status_code == 200
    html = r.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "<style" not in html and " style=" not in html and "googleapis" not in html and "http" not in html.split("<body", 1)[1]
    assert 'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"' in html
    assert 'data-spec-url="/api/schema/"' in html
    nonce = re.search(r'<script src="/static/src/redoc-init.js" nonce="([^"]+)"></script>', html).group(1)
    policy = dict(d.strip().split(" ", 1) for d in r["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["script-src"] == "'self'" and "unsafe" not in r["Content-Security-Policy"]
    assert policy["worker-src"] == "'self' blob:"  # ReDoc's search runs in a blob: worker
    init = finders.find("src/redoc-init.js")
    assert init is not None
    with open(init, encoding="utf-8") as f:
        assert "nonce: nonce" in f.read()
    # the other pages keep the strict style-src
    docs = client.get("/api/docs/")
    assert "nonce-" not in docs["Content-Security-Policy"]
    assert "blob:" not in docs["Content-Security-Policy"] and "blob:" not in client.get("/")["Content-Security-Policy"]
