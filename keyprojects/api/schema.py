"""Post-processing of the OpenAPI schema so that it tells the whole truth (issue 17).

drf-spectacular derives the schema from the serializers and filters; what they cannot say is
added here, once for every operation:

- ``version`` is required in every PATCH body that has one (the optimistic lock);
- request bodies of :class:`~keyprojects.api.serializers.StrictInput` serializers forbid other
  keys (``additionalProperties: false``), and the project/enterprise bodies list only the fields
  the requesting user's role may write (the schema is generated per user);
- string query parameters may not be empty, region codes are six digits;
- examples for the path parameters and request bodies, from objects the requesting user can
  see (documentation and tools such as schemathesis start from real ids).
"""

from __future__ import annotations

from typing import Any

from keyprojects.accounts import policy
from keyprojects.enterprises.services import ENTERPRISE_FIELDS
from keyprojects.projects.services import writable_fields

from .filters import REGION_PARAMS, REGION_PATTERN
from .serializers import STRICT_INPUTS

ROLE_BODIES = {
    "ProjectWriteRequest": ("project", True),
    "ProjectUpdateRequest": ("project", False),
    "PatchedProjectUpdateRequest": ("project", False),
    "EnterpriseWriteRequest": ("enterprise", True),
    "EnterpriseUpdateRequest": ("enterprise", False),
    "PatchedEnterpriseUpdateRequest": ("enterprise", False),
    "LeadWriteRequest": ("lead", True),
    "PatchedLeadUpdateRequest": ("lead", False),
}


def _component_serializer(name: str) -> str:
    base = name.removesuffix("Request").removeprefix("Patched")
    return f"{base}Serializer"


def _writable_for(user: Any, kind: str, creating: bool) -> set[str]:
    if kind == "project":
        allowed = set(writable_fields(user))
        if policy.can_write_years(user):
            allowed.add("years")
    elif kind == "lead":
        from keyprojects.attraction.services import lead_writable_fields

        allowed = set(lead_writable_fields(user))
    else:
        allowed = set(policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS, creating=creating))
    return allowed | {"version"}


# Text the API takes must contain something besides white space (DRF strips it; Python's idea of
# white space also covers U+001C..U+001F and U+0085).
NOT_BLANK = "[^\\s\\u001c-\\u001f\\u0085]"
# Decimal inputs as text: digits with an optional fraction, never "", "." or "-"; ranges the
# serializer checks are in the pattern too (the schema cannot give a minimum to a string).
DECIMAL_PATTERNS = {
    "physical_progress_pct": "^(100(\\.0{0,2})?|[0-9]{1,2}(\\.[0-9]{0,2})?|\\.[0-9]{1,2})$",
    "latitude": "^-?(90(\\.0{0,6})?|[0-8]?[0-9](\\.[0-9]{0,6})?|\\.[0-9]{1,6})$",
    "longitude": "^-?(180(\\.0{0,6})?|(1[0-7][0-9]|[0-9]{1,2})(\\.[0-9]{0,6})?|\\.[0-9]{1,6})$",
    # 要素需求 (max_digits 14, 4 places; a need is more than 0)
    "quantity": "^([0-9]{1,10}(\\.[0-9]{0,4})?|\\.[0-9]{1,4})$",
    "secured": "^([0-9]{1,10}(\\.[0-9]{0,4})?|\\.[0-9]{1,4})$",
}
MONEY_PATTERN = "^([0-9]{1,14}(\\.[0-9]{0,4})?|\\.[0-9]{1,4})$"
# Amounts of Decimal(16, 4) (招商: intended, signed, arrived): 12 digits before the point.
AMOUNT16_PATTERN = "^([0-9]{1,12}(\\.[0-9]{0,4})?|\\.[0-9]{1,4})$"
DECIMAL_PATTERNS.update(dict.fromkeys(("intended_amount", "signed_amount", "arrived_amount", "target_value"), AMOUNT16_PATTERN))


def _request_property(name: str, prop: dict[str, Any]) -> None:
    if name in REGION_PARAMS and prop.get("type") == "string":
        prop["pattern"] = REGION_PATTERN
    elif prop.get("format") == "decimal":
        prop["pattern"] = DECIMAL_PATTERNS.get(name, MONEY_PATTERN)
    elif prop.get("type") == "string" and prop.get("minLength") and not ({"pattern", "enum", "format"} & set(prop)):
        prop["pattern"] = NOT_BLANK


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    for name, comp in schemas.items():
        props = comp.get("properties")
        if props is None:
            continue
        if name.endswith("Request"):
            for prop_name, prop in props.items():
                _request_property(prop_name, prop)
        if name.startswith("Patched") and name.endswith("Request") and "version" in props:
            comp["required"] = sorted({*comp.get("required", []), "version"})
        if name.endswith("Request") and _component_serializer(name) in STRICT_INPUTS:
            comp["additionalProperties"] = False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for name, (kind, creating) in ROLE_BODIES.items():
            comp = schemas.get(name)
            if comp is None:
                continue
            allowed = _writable_for(user, kind, creating)
            comp["properties"] = {k: v for k, v in comp["properties"].items() if k in allowed}
            if "required" in comp:
                comp["required"] = [k for k in comp["required"] if k in allowed]
        _add_examples(result, user)
    for path in result.get("paths", {}).values():
        for op in path.values():
            if not isinstance(op, dict):
                continue
            body = op.get("requestBody")
            if body is not None:
                # a body with required properties is itself required (PATCH without one is a 400)
                for media in body.get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    if schemas.get(ref.rsplit("/", 1)[-1], {}).get("required"):
                        body["required"] = True
            for param in op.get("parameters", []):
                if param.get("in") != "query":
                    continue
                schema = param.setdefault("schema", {})
                if param["name"] in REGION_PARAMS and schema.get("type") == "string":
                    schema["pattern"] = REGION_PATTERN
                elif schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
                    schema.setdefault("minLength", 1)
                elif schema.get("type") == "array":
                    schema.setdefault("minItems", 1)
    return result


# ---- examples that reach real objects ---------------------------------------------------------


def _first(qs: Any) -> Any:
    return qs.order_by("-pk").first()


def _examples(user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Path-parameter examples per collection and body examples per operation, from the objects
    ``user`` can see, so that documentation and tools (schemathesis) start from real ids."""
    from django.utils import timezone

    from keyprojects.approvals.models import Consultation, FactorNeed, ProjectApproval
    from keyprojects.core.validators import make_uscc
    from keyprojects.dispatch.models import MonthlyReport, ProblemItem, ReportingPeriod, ReportRevision
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import Project
    from keyprojects.projects.selectors import leaders_visible_to
    from keyprojects.regions.models import Unit

    project = _first(Project.objects.visible_to(user))
    report = _first(MonthlyReport.objects.visible_to(user))
    draft = _first(MonthlyReport.objects.visible_to(user).filter(status__in=("draft", "returned"))) or report
    revision = _first(ReportRevision.objects.filter(report__in=MonthlyReport.objects.visible_to(user).values("pk")))
    problem = _first(ProblemItem.objects.visible_to(user))
    enterprise = _first(Enterprise.objects.visible_to(user))
    leader = _first(leaders_visible_to(user=user))
    unit = _first(Unit.objects.all())
    period = ReportingPeriod.objects.order_by("-year", "-month").first()
    from keyprojects.attraction.models import Lead

    lead = _first(Lead.objects.visible_to(user))
    approval = _first(ProjectApproval.objects.visible_to(user))
    need = _first(FactorNeed.objects.visible_to(user))
    meeting = _first(Consultation.objects.visible_to(user))
    from keyprojects.analytics.assessment import snapshots_readable

    result = _first(snapshots_readable(user)) if policy.can_read_assessments(user) else None
    today = timezone.localdate()
    this_month = f"{today.year:04d}-{today.month:02d}"
    paths: dict[str, Any] = {
        "regions": getattr(user, "region_id", None) or "370000",
        "units": unit and unit.pk,
        "leaders": leader and leader.pk,
        "enterprises": enterprise and enterprise.pk,
        "projects": project and project.pk,
        "periods": period.label if period else this_month,
        "reports": report and report.pk,
        "revisions": revision and revision.pk,
        "problems": problem and problem.pk,
        "leads": lead and lead.pk,
        "approvals": approval and approval.pk,
        "factor-needs": need and need.pk,
        "consultations": meeting and meeting.pk,
        "assessments": result and result.pk,
    }
    region = getattr(user, "region_id", None) or "370102"
    bodies: dict[str, Any] = {
        "auth_token_create": {"username": "lixia", "password": "（您的密码）"},
        "enterprises_create": {
            "name": "济南示例机械有限公司",
            "uscc": make_uscc(f"91{region}MA3C000000000"[:17]),
            "region": region,
            "industry_section": "C",
            "address": "经十路1号",
        },
        "projects_create": {
            "name": "示例新能源装备项目",
            "region": region,
            "category": "industry",
            "nature": "new",
            "total_investment": "12000.0000",
            "industry_section": "C",
            "industry_division": "38",
            "planned_start": f"{today.year}-03-01",
            "planned_completion": f"{today.year + 1}-12-31",
            "years": [{"year": today.year, "annual_plan": "3000.0000", "on_county_list": True}],
        },
        "reports_save_draft": {
            "project": project.pk if project else 1,
            "period": this_month,
            "invested_month": "120.5000",
            "physical_progress": "主体结构施工",
            "physical_progress_pct": "35.00",
            "workers": 80,
        },
        "reports_return": {"opinion": "请补充形象进度说明", **({"version": draft.version} if draft else {})},
        "reports_approve": {"opinion": "同意", **({"version": report.version} if report else {})},
        "reports_submit": {"version": draft.version} if draft else {},
        "reports_update_draft": {"version": draft.version if draft else 1, "invested_month": "150.0000", "workers": None},
        "reports_request_revision": {"reason": "工人数未核实，先清空", "new_values": {"workers": None}},
        "revisions_decide": {"approve": True, "opinion": "同意更正"},
        "problems_create": {"project": project.pk if project else 1, "description": "用地指标未落实", "due_date": f"{today.year}-12-31"},
        "problems_set_status": {"status": "in_progress", **({"version": problem.version} if problem else {})},
        "approvals_create": {"project": project.pk if project else 1, "item": 1},
        "approvals_partial_update": {"version": approval.version if approval else 1, "note": "已补充材料"},
        "factor_needs_create": {
            "project": project.pk if project else 1,
            "kind": "land",
            "subtype": "new_quota",
            "quantity": "120.5000",
            "due_on": f"{today.year}-12-31",
        },
        "factor_needs_partial_update": {"version": need.version if need else 1, "status": "in_progress"},
        "consultations_create": {
            "held_on": today.isoformat(),
            "convener": "分管负责同志",
            "topics": [{"need": need.pk if need else 1, "decision": "提请上一级协调", "escalate": True}],
        },
        "consultations_topic_done": {"topic": meeting.topics.order_by("pk").values_list("pk", flat=True).first() or 1 if meeting else 1},
        "projects_transition": {"to_stage": "preparation", "reason": "", "version": project.version if project else 1},
    }
    bodies.update(
        {
            "leads_create": {
                "name": "储能电池材料项目",
                "investor_name": "深圳示例新能源科技有限公司",
                "investor_origin": "out_province",
                "investor_location": "广东深圳",
                "source": "leader_trip",
                "intended_amount": "80000.0000",
                "industry_section": "C",
                "industry_division": "38",
                "region": region,
            },
            "leads_advance": {"version": lead.version if lead else 1, "note": ""},
            "leads_sign": {
                "version": lead.version if lead else 1,
                "enterprise": enterprise.pk if enterprise else 1,
                "signed_on": today.isoformat(),
                "signed_amount": "75000.0000",
                "commitments": [
                    {
                        "party": "enterprise",
                        "kind": "investment",
                        "description": "两年内完成投资7.5亿元",
                        "due_on": f"{today.year + 2}-12-31",
                    }
                ],
            },
            "leads_land": {"version": lead.version if lead else 1, "project": None, "annual_plan": "20000.0000"},
            "leads_drop": {"version": lead.version if lead else 1, "reason": "投资方转投他地"},
            "leads_funds": {"arrived_on": today.isoformat(), "arrived_amount": "5000.0000"},
        }
    )
    bodies["monthly_plans_bulk"] = _plans_example(user, today.year)
    if lead is not None:
        bodies["leads_partial_update"] = {"version": lead.version, "contact_name": "王经理"}
    if project is not None:
        bodies["projects_partial_update"] = {"version": project.version, "location": "历下区经十路"}
    if enterprise is not None:
        bodies["enterprises_partial_update"] = {"version": enterprise.version, "address": "历下区经十路1号"}
    return paths, bodies


def _plans_example(user: Any, year: int) -> dict[str, Any]:
    """``POST /monthly-plans/bulk/``: the first project of the user's sheet of ``year`` with its
    curve as read (sent back as it is: a 200 that changes nothing)."""
    from keyprojects.dispatch.selectors_plans import plan_months
    from keyprojects.dispatch.services_plans_bulk import sheet_projects

    project = sheet_projects(user=user, year=year).first()
    if project is None:
        return {"year": year, "plans": [{"project": 1, "months": ["100.0000"] * 12, "expected": ["100.0000"] * 12}]}
    curve = [f"{v:.4f}" for v in plan_months(project=project, year=year).curve]
    return {"year": year, "plans": [{"project": project.pk, "months": curve, "expected": curve}]}


def _add_examples(result: dict[str, Any], user: Any) -> None:
    paths, bodies = _examples(user)
    for path, item in result.get("paths", {}).items():
        parts = path.strip("/").split("/")
        collection = parts[2] if len(parts) > 2 else ""
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                if param.get("in") == "path" and paths.get(collection) is not None:
                    param["example"] = paths[collection]
            body = bodies.get(op.get("operationId", ""))
            content = op.get("requestBody", {}).get("content", {})
            if body is not None and "application/json" in content:
                allowed = content["application/json"].get("schema", {})
                content["application/json"]["example"] = _fit(body, allowed, result)


def _fit(body: dict[str, Any], schema: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The example without the properties this user's request schema does not have."""
    ref = schema.get("$ref", "")
    comp = result["components"]["schemas"].get(ref.rsplit("/", 1)[-1]) if ref else schema
    props = (comp or {}).get("properties")
    return {k: v for k, v in body.items() if props is None or k in props}
