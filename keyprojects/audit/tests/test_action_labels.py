"""Every action the code records is read by its Chinese label on the audit page and in its xlsx
export (always Chinese, core.xlsx.in_chinese): a correction rejected, a 培育企业 not admitted, a
政策兑现 entry, an Open311 key or a configuration saved in the admin were written as codes
(``revision reject``, ``培育企业·reject``, ``policy grant·新增``, ``open311·key issue``)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from keyprojects.audit.forms import action_label
from keyprojects.audit.services import audit_record
from keyprojects.dispatch.choices import StepAction

ROOT = Path(__file__).resolve().parents[2]
# action="x.y", action="a" if c else "b", audit_action = "x.y"
_RECORDED = re.compile(r"(?:audit_record\([^)]*?action=|audit_action = )((?:\"[a-z0-9_.]+\"(?: if [^\n]*? else )?)+)", re.S)
# the profile entries' action, an argument of partnership.services_profile._entry_create/_entry_update
_ENTRY = re.compile(r"_entry_\w+\([^)]*?\"([a-z_]+\.[a-z_]+)\"", re.S)
# the codes made at run time: a report step's action, the admin's attraction.<model>_save, lead.<event kind>
_DYNAMIC = [
    *(str(a) for a in StepAction.values),
    *(f"attraction.{m}_save" for m in ("industrychain", "stagestandard", "serviceitem")),
    *(f"lead.{k}" for k in ("created", "advanced", "signed", "landed", "dropped", "reopened")),
    *(f"lead.funds_{k}" for k in ("confirm", "return", "void", "void_return")),  # attraction.services_funds: one per decision
]
MISSED = ["revision_reject", "cultivation_entry.reject", "cultivation_entry.keep", "brand_application.reject",
          "policy_grant.create", "open311.key_issue", "open311.key_revoke", "request_category.save",
          "attraction.industrychain_save"]  # fmt: skip


def recorded_actions() -> set[str]:
    codes = set(_DYNAMIC)
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for m in _RECORDED.finditer(path.read_text(encoding="utf-8")):
            codes.update(re.findall(r"\"([a-z0-9_.]+)\"", m.group(1)))
        codes.update(_ENTRY.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_recorded_action_has_a_chinese_label():
    codes = recorded_actions()
    assert set(MISSED) <= codes and "request.reply" in codes and len(codes) > 80  # the scan finds them
    with translation.override("zh-hans"):
        raw = {c: action_label(c) for c in codes if re.search(r"[A-Za-z]", action_label(c).replace("Open311", "").replace("API", ""))}
    assert raw == {}


def test_the_export_writes_the_label_the_page_shows(client, world, settings):
    for action in MISSED:
        audit_record(action=action, user=world.users.county, object_type="projects.project", object_id="1")
    client.force_login(world.users.auditor)
    html = client.get(reverse("audit:list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the export is Chinese in the English UI too
    r = client.get(reverse("audit:export"))
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    written = {row[6] for row in ws.iter_rows(min_row=2, values_only=True)}
    with translation.override("zh-hans"):
        labels = {action_label(a) for a in MISSED}
    assert labels <= written and "更正驳回" in written and "培育企业·未入选" in written and "政策兑现·新增" in written
    assert not {w for w in written if "_" in w or re.search(r"[a-z]{3,}", w.replace("Open", ""))}
    for label in labels:
        assert f">{label}</td>" in html
