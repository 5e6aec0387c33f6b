"""Post-processing of the OpenAPI schema so that it tells the whole truth (issue 17).

drf-spectacular derives the schema from the serializers and filters; what they cannot say is
added here, once for every operation:

- ``version`` is required in every PATCH body that has one (the optimistic lock);
- request bodies of :class:`~keyprojects.api.serializers.StrictInput` serializers forbid other
  keys (``additionalProperties: false``), and the project/enterprise bodies list only the fields
  the requesting user's role may write (the schema is generated per user);
- string query parameters may not be empty, region codes are six digits.
"""

from __future__ import annotations

from typing import Any

from keyprojects.accounts import policy
from keyprojects.enterprises.services import ENTERPRISE_FIELDS
from keyprojects.projects.services import writable_fields

from .serializers import STRICT_INPUTS

REGION_PARAMS = {"region", "parent", "province"}
REGION_PATTERN = "^[0-9]{6}$"

ROLE_BODIES = {
    "ProjectWriteRequest": ("project", True),
    "ProjectUpdateRequest": ("project", False),
    "PatchedProjectUpdateRequest": ("project", False),
    "EnterpriseWriteRequest": ("enterprise", True),
    "EnterpriseUpdateRequest": ("enterprise", False),
    "PatchedEnterpriseUpdateRequest": ("enterprise", False),
}


def _component_serializer(name: str) -> str:
    base = name.removesuffix("Request").removeprefix("Patched")
    return f"{base}Serializer"


def _writable_for(user: Any, kind: str, creating: bool) -> set[str]:
    if kind == "project":
        allowed = set(writable_fields(user))
        if policy.can_write_years(user):
            allowed.add("years")
    else:
        allowed = set(policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS, creating=creating))
    return allowed | {"version"}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    for name, comp in schemas.items():
        props = comp.get("properties")
        if props is None:
            continue
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
    for path in result.get("paths", {}).values():
        for op in path.values():
            if not isinstance(op, dict):
                continue
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
