"""Status and kind values of 政企合作协议 and 一企一策 (issue 15, items 3 and 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Party(models.TextChoices):
    """Which side of an agreement owes a commitment."""

    GOVERNMENT = "government", _("政府")
    ENTERPRISE = "enterprise", pgettext_lazy("agreement party", "企业")


class CommitmentKind(models.TextChoices):
    # government side
    LAND = "land", _("供地")  # land delivered by a date
    APPROVAL = "approval", pgettext_lazy("commitment kind", "审批")  # approvals done by a date
    SUBSIDY = "subsidy", _("补贴")  # a subsidy or reward paid
    GOV_OTHER = "gov_other", _("其他（政府）")  # anything else the government promised
    # enterprise side
    INVESTMENT = "investment", _("投资")  # investment completed (万元)
    OUTPUT = "output", _("产值")  # annual output reached (万元)
    TAX = "tax", _("税收")  # tax paid (万元)
    JOBS = "jobs", _("就业")  # jobs created (人)
    ENT_OTHER = "ent_other", _("其他（企业）")  # anything else the enterprise promised


#: The kinds each party may commit to.
KINDS_OF: dict[str, tuple[str, ...]] = {
    Party.GOVERNMENT: (CommitmentKind.LAND, CommitmentKind.APPROVAL, CommitmentKind.SUBSIDY, CommitmentKind.GOV_OTHER),
    Party.ENTERPRISE: (
        CommitmentKind.INVESTMENT,
        CommitmentKind.OUTPUT,
        CommitmentKind.TAX,
        CommitmentKind.JOBS,
        CommitmentKind.ENT_OTHER,
    ),
}
#: The measure a kind's target is usually stated in (the form's default).
DEFAULT_MEASURE: dict[str, str] = {
    CommitmentKind.LAND: "亩",
    CommitmentKind.SUBSIDY: "万元",
    CommitmentKind.INVESTMENT: "万元",
    CommitmentKind.OUTPUT: "万元",
    CommitmentKind.TAX: "万元",
    CommitmentKind.JOBS: "人",
}


class CommitmentStatus(models.TextChoices):
    """The stored state of a commitment. 逾期未履行 is not stored: an open commitment past its
    due date is overdue (:attr:`Commitment.state`)."""

    OPEN = "open", _("履约中")  # not yet fulfilled (未到期, or 逾期未履行 once past its due date)
    CLAIMED = "claimed", _("待确认")  # fulfilment recorded with evidence, waiting for a second person
    FULFILLED = "fulfilled", _("已履行")  # confirmed fulfilled
    PARTIAL = "partial", _("部分履行")  # confirmed partly fulfilled (settled, does not count as kept)
    BROKEN = "broken", _("未履行")  # confirmed not fulfilled (settled: given up or breached)


class CommitmentState(models.TextChoices):
    """What a page shows for a commitment on a given day (status plus the due date)."""

    NOT_DUE = "not_due", _("未到期")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("逾期未履行")
    CLAIMED = "claimed", _("待确认")
    FULFILLED = "fulfilled", _("已履行")
    PARTIAL = "partial", _("部分履行")
    BROKEN = "broken", _("未履行")


#: Settled statuses: confirmed by a second person; they no longer raise alerts.
SETTLED = (CommitmentStatus.FULFILLED, CommitmentStatus.PARTIAL, CommitmentStatus.BROKEN)
#: Results somebody may record with evidence (the second person confirms or sends it back).
CLAIMABLE_RESULTS = (CommitmentStatus.FULFILLED, CommitmentStatus.PARTIAL, CommitmentStatus.BROKEN)


class AgreementSource(models.TextChoices):
    """Where an agreement came from (``Agreement.source``; ``source_ref`` names the record)."""

    MANUAL = "", _("直接录入")
    ATTRACTION = "attraction", _("招商线索")  # a signed investment lead (keyprojects.attraction)
    MEETING = "meeting", _("政企沟通交流会")


#: Days before a due date an open commitment is flagged 即将到期 (settings may override:
#: ``KEYPROJECTS_COMMITMENT_ALERT_DAYS``; the alert page takes ``?days=``).
DEFAULT_ALERT_DAYS = 30
