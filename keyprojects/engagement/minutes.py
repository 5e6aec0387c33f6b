"""The Word 会议纪要 of a 政企沟通交流会 (issue 15): the meeting, who was present, and each
request raised there with its units, state, deadline and answer ("点对点解决问题")."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import EnterpriseRequest, Meeting

BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc: Any, text: str, *, size: float = 14, bold: bool = False, center: bool = False, font: str = BODY_FONT) -> Any:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), font, size, bold)
    return p


def minutes_docx(meeting: Meeting, requests: list[EnterpriseRequest], figures: dict[str, Any]) -> bytes:
    """The minutes as .docx bytes; ``requests`` are the meeting's requests the reader sees."""
    doc = Document()
    _para(doc, f"{meeting.title}会议纪要", size=20, center=True, font=TITLE_FONT)
    _para(doc, f"时间：{meeting.held_on:%Y年%-m月%-d日}    地点：{meeting.place}")
    _para(doc, f"主持：{meeting.chair}    层级：{meeting.get_level_display()}")
    ents = "、".join(e.name for e in meeting.enterprises.all())
    units = "、".join(u.name for u in meeting.units_present.all())
    _para(doc, f"参会企业：{ents or '无'}")
    _para(doc, f"参会单位：{units or '无'}")
    if meeting.summary:
        _para(doc, "一、会议概要", bold=True)
        _para(doc, meeting.summary)
    _para(doc, "二、企业诉求及办理情况", bold=True)
    pct = figures.get("pct")
    rate = f"{pct}%" if pct is not None else "—"
    counts = f"会上企业共提出诉求{figures['total']}项，已答复{figures['answered']}项，已办结{figures['closed']}项"
    _para(doc, f"{counts}，解决率{rate}。")
    table = doc.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ["序号", "企业", "诉求", "类别", "承办单位", "办理时限", "办理情况"], strict=True):
        _font(cell.paragraphs[0].add_run(head), BODY_FONT, 10.5, True)
    for i, r in enumerate(requests, start=1):
        units_of = "、".join(a.unit.name for a in r.assignments.all() if a.active)
        state = r.get_status_display() + (f"：{r.reply}" if r.reply else "")
        values = [str(i), r.enterprise.name, r.title, r.category.name, units_of, f"{r.resolve_due:%Y-%m-%d}", state]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(value), BODY_FONT, 10.5)
    _para(doc, "")
    _para(doc, "各承办单位按照“面对面沟通交流、点对点解决问题”的要求，在办理时限内答复企业，办理结果由企业评价。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
