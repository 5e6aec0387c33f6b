"""Workbooks of the brand selection: a round's applications (the table on the round's page) and
the published list of selected brands. Cells are neutralised by :mod:`keyprojects.core.xlsx`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese

from .choices import IN_REVIEW
from .models import BrandApplication, SelectionRound
from .selectors import as_shown

APPLICATION_COLUMNS = [
    Column("序号", "int", 6),
    Column("申报企业", "text", 32),
    Column("品牌名称", "text", 20),
    Column("申报类别", "text", 10),
    Column("注册商标号", "text", 14),
    Column("商标有效期至", "date", 12),
    Column("在济经营年限（年）", "int", 10),
    Column("状态", "text", 10),
    Column("初审意见", "text", 30),
    Column("评审得分", "number", 10),
    Column("奖励金额（万元）", "money", 14),
    Column("提交时间", "date", 12),
]


def _row(i: int, a: Any) -> list[Any]:
    """One application as its reader is shown it (:func:`selectors.as_shown`: an applicant sees
    评审中 and no review note, score or reward before the round's result is published)."""
    outcome = a.outcome_shown
    return [
        i,
        a.enterprise.name,
        a.brand_name,
        a.get_category_display(),
        a.trademark_no,
        a.trademark_valid_until,
        a.years_in_city,
        a.shown_status_label,
        a.review_note if outcome or a.shown_status != IN_REVIEW else "",
        a.score if outcome else None,
        a.reward_amount if outcome else None,
        timezone.localdate(a.submitted_at) if a.submitted_at else None,
    ]


@in_chinese
def applications_xlsx(round: SelectionRound, applications: Iterable[BrandApplication], *, user: Any) -> bytes:
    """``round``'s applications as ``user`` is shown them."""
    rows = [_row(i, a) for i, a in enumerate(as_shown(user, applications), start=1)]
    sub = f"{round.region.name}；入选上限{round.max_selected}个；奖励上限{round.reward_ceiling.normalize():f}万元/家"
    content, _n = build_workbook([Sheet("申报", f"{round}申报情况", APPLICATION_COLUMNS, rows, subtitle=sub)])
    return content


RESULT_COLUMNS = [
    Column("序号", "int", 6),
    Column("年度", "int", 8),
    Column("批次", "text", 28),
    Column("类别", "text", 10),
    Column("品牌名称", "text", 20),
    Column("企业", "text", 32),
    Column("奖励金额（万元）", "money", 14),
]


@in_chinese
def results_xlsx(applications: Iterable[BrandApplication]) -> bytes:
    rows = [
        [i, a.round.year, a.round.name, a.get_category_display(), a.brand_name, a.enterprise.name, a.reward_amount]
        for i, a in enumerate(applications, start=1)
    ]
    content, _n = build_workbook([Sheet("泉城好品", "“泉城好品”入选品牌名单", RESULT_COLUMNS, rows, subtitle="单位：万元")])
    return content
