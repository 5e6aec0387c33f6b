"""Status values of monthly dispatch (月调度); one comment per value."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("填报中")  # reports can be filled, submitted and reviewed
    CLOSED = "closed", _("已关账")  # frozen: figures, rankings and exports never change


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being filled by the owner or the county
    SUBMITTED = "submitted", _("待审核")  # submitted; waiting for the reviewer at `review_level`
    RETURNED = "returned", _("已退回")  # sent back with an opinion; editable again
    APPROVED = "approved", _("已审定")  # approved by the last level of the chain; immutable


class ReportState(models.TextChoices):
    """The per-project, per-period state shown on boards (derived, never stored)."""

    NOT_DUE = "not_due", _("未到期")  # the fill window has not ended and nothing is submitted
    MISSING = "missing", _("未报")  # the window has ended and nothing is submitted
    LATE = "late", _("迟报")  # submitted after the window ended
    NO_ACTIVITY = "no_activity", _("本月无进展")  # an explicit zero with a reason
    SUBMITTED = "submitted", _("已报待审")  # submitted, under review
    RETURNED = "returned", _("被退回")  # returned to the filler
    APPROVED = "approved", _("已审定")  # approved


class StepAction(models.TextChoices):
    SAVE = "save", _("保存")  # draft saved
    SUBMIT = "submit", _("提交")  # submitted for review
    FORWARD = "forward", _("审核通过并上报")  # a reviewer passes it to the next level
    APPROVE = "approve", _("审定")  # the last level approves
    RETURN = "return", _("退回")  # returned with an opinion
    ACKNOWLEDGE = "acknowledge", _("确认校验提示")  # the reviewer accepts the check warnings, a reason each
    REVISE = "revise", _("申请更正")  # a correction of an approved report requested
    REVISION_APPROVE = "revision_approve", _("更正审定")  # the correction approved one level up
    REVISION_REJECT = "revision_reject", _("更正驳回")  # the correction rejected


class FlagSeverity(models.TextChoices):
    ERROR = "error", _("错误")  # blocks submission
    WARNING = "warning", _("提示")  # goes to the reviewer, who must acknowledge it


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("待审定")  # waiting for the level above
    APPROVED = "approved", _("已审定")  # applied to the report
    REJECTED = "rejected", _("已驳回")  # not applied


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待解决")  # raised, nobody working on it yet
    IN_PROGRESS = "in_progress", _("推进中")  # the responsible unit is on it
    SOLVED = "solved", _("已解决")  # closed with a resolution


class WarningKind(models.TextChoices):
    BEHIND_SCHEDULE = "behind_schedule", _("落后序时进度")  # completion rate below 序时进度 by more than N points
    LOW_PROGRESS_INDEX = "low_progress_index", _("进度指数偏低")  # invested_ytd / planned_ytd below the threshold
    START_OVERDUE = "start_overdue", _("逾期未开工")  # planned start passed, not started
    ZERO_INVESTMENT = "zero_investment", _("连续零投资")  # N months in a row with no investment
    MISSING_REPORT = "missing_report", _("未报")  # no report after the fill window
    LATE_REPORT = "late_report", _("迟报")  # reported after the fill window
    FLAGGED_FIGURES = "flagged_figures", _("数据存疑")  # a report that counts (submitted or approved) carries check warnings
    APPROVAL_OVERDUE = "approval_overdue", _("审批超时")  # an approval being handled is past its legal limit (approvals.warnings)
    NEED_OVERDUE = "need_overdue", _("要素保障逾期")  # an open factor need is past its 保障时限 (approvals.warnings)
