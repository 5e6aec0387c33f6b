"""xlsx export of the audit log, safe against formula injection (reliability.md 21, 24); Chinese
throughout (roles, actions, object types and labels, results) in any UI language, as every export (core.xlsx)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from keyprojects.core.xlsx import in_chinese, xlsx_safe

from .forms import RESULT_LABELS, action_label, object_label, object_type_label, role_label
from .models import AuditEvent

__all__ = ["HEADERS", "audit_events_xlsx", "xlsx_safe"]

HEADERS = ["ID", "时间", "用户名", "角色", "用户区划", "IP", "操作", "对象类型", "对象ID", "对象", "变更内容", "结果", "说明", "哈希"]


def _row(e: AuditEvent) -> list[Any]:
    changes = json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""
    return [
        e.id,
        timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
        e.actor_username,
        role_label(e.actor_role),
        e.actor_region,
        e.ip,
        action_label(e.action),
        object_type_label(e.object_type) if e.object_type else "",
        e.object_id,
        object_label(e.object_type, e.object_id, e.object_repr),
        changes,
        str(RESULT_LABELS.get(e.result, e.result)),
        e.message,
        e.hash,
    ]


@in_chinese
def audit_events_xlsx(events: Iterable[AuditEvent]) -> tuple[bytes, int]:
    """The workbook bytes and the number of rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(HEADERS)
    n = 0
    for e in events:
        ws.append([xlsx_safe(v) for v in _row(e)])
        n += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), n
