"""Status values of 招商引资 (issue 16); one comment per value."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadStage(models.TextChoices):
    """The Dongying standard of an attracted project's life (信息获取及处理 → 考察洽谈 → 签约 →
    落地 → 反馈), plus 终止 for a lead given up."""

    INFO = "info", _("信息获取")  # a lead recorded and checked (信息获取及处理)
    NEGOTIATION = "negotiation", _("考察洽谈")  # visits, site inspections, negotiation
    SIGNED = "signed", _("签约")  # an agreement signed (a 政企合作协议)
    LANDED = "landed", _("落地")  # the registry project exists (项目库)
    FEEDBACK = "feedback", _("反馈")  # after-landing service and the investor's feedback (closing stage)
    DROPPED = "dropped", _("终止")  # given up, with a reason (can be reopened into 信息获取)


#: The forward edges of the stage machine; 签约 and 落地 have their own services (they write an
#: agreement and a project), the other edges go through ``lead_advance``.
FORWARD: dict[str, str] = {
    LeadStage.INFO: LeadStage.NEGOTIATION,
    LeadStage.NEGOTIATION: LeadStage.SIGNED,
    LeadStage.SIGNED: LeadStage.LANDED,
    LeadStage.LANDED: LeadStage.FEEDBACK,
}
#: The stages in order (the funnel's columns and the checklist's sections).
PIPELINE: tuple[str, ...] = (LeadStage.INFO, LeadStage.NEGOTIATION, LeadStage.SIGNED, LeadStage.LANDED, LeadStage.FEEDBACK)
#: Stages a lead can be given up from (a landed lead is followed through its project).
DROPPABLE = frozenset({LeadStage.INFO, LeadStage.NEGOTIATION, LeadStage.SIGNED})
#: Stages in which a lead still moves (stalled-lead warnings apply).
OPEN_STAGES = frozenset({LeadStage.INFO, LeadStage.NEGOTIATION, LeadStage.SIGNED})
#: Stages at or after signing (the agreement exists).
SIGNED_STAGES = frozenset({LeadStage.SIGNED, LeadStage.LANDED, LeadStage.FEEDBACK})
#: Stages at or after landing (the project exists).
LANDED_STAGES = frozenset({LeadStage.LANDED, LeadStage.FEEDBACK})


def reached(stage: str) -> frozenset[str]:
    """The stages in which a lead has passed through ``stage`` (itself and those after it)."""
    if stage not in PIPELINE:
        return frozenset({stage})
    return frozenset(PIPELINE[PIPELINE.index(stage) :])


class LeadSource(models.TextChoices):
    LEADER_TRIP = "leader_trip", _("一把手招商")  # a trip or visit led by the region's top leader
    EXPO = "expo", _("展会招商")  # fairs and promotion events (投洽会、进博会 …)
    BUSINESS = "business", _("以商招商")  # introduced by an enterprise already here
    FUND = "fund", _("基金招商")  # through a government guidance fund
    CHAIN = "chain", _("链式招商")  # along an industry chain (链主企业, 上下游配套)
    OFFICE = "office", _("驻外机构")  # an office in another province or abroad
    OTHER = "other", _("其他")  # anything else (online, introduced by an agency …)


class InvestorOrigin(models.TextChoices):
    """Where the investor comes from; an investor outside Shandong or abroad may have no USCC."""

    IN_PROVINCE = "in_province", _("省内")  # a Shandong enterprise
    OUT_PROVINCE = "out_province", _("省外")  # elsewhere in China
    ABROAD = "abroad", _("境外")  # abroad (incl. 港澳台)


class EventKind(models.TextChoices):
    CREATED = "created", _("登记")  # the lead was recorded
    ADVANCED = "advanced", _("阶段推进")  # moved to the next stage
    SIGNED = "signed", _("签约")  # signed: the agreement was made
    LANDED = "landed", _("落地")  # landed: the project was created or linked
    DROPPED = "dropped", _("终止")  # given up, with a reason
    REOPENED = "reopened", _("重新启动")  # a given-up lead taken up again


class ActivityKind(models.TextChoices):
    TRIP = "trip", _("外出招商")  # a trip to investors elsewhere (赴外招商)
    VISIT = "visit", _("来访接待")  # investors visiting us (考察)
    MEETING = "meeting", _("洽谈会见")  # a meeting or negotiation round
    EVENT = "event", _("推介活动")  # a promotion event or fair


class FundStatus(models.TextChoices):
    """A 到资 entry's life (four eyes, issue of the user trial): whoever enters a figure never
    confirms it; whoever asks for a 冲销 never decides it. Only :data:`COUNTED_FUNDS` count."""

    PENDING = "pending", _("待确认")  # entered (or a correction entered), waiting for somebody else's confirmation
    CONFIRMED = "confirmed", pgettext_lazy("funds arrival status", "已确认")  # confirmed by a second person: counts in 资金到位率
    RETURNED = "returned", _("已退回")  # sent back with a reason: never counted (enter it again if it was right)
    VOID_PENDING = "void_pending", _("冲销待确认")  # a 冲销 asked for with a reason: still counts until decided
    VOIDED = "voided", _("已冲销")  # voided, or replaced by a confirmed correction: no longer counted
    WITHDRAWN = "withdrawn", _("已撤回")  # withdrawn by its enterer while it waited: never counted


#: The entries that count in 累计到资, 资金到位率, the funnel, the 招商 assessment indicators and
#: the exports (``FundArrival.objects.counted()``: the one definition).
COUNTED_FUNDS = frozenset({FundStatus.CONFIRMED, FundStatus.VOID_PENDING})
#: The entries waiting for a second person's decision (the confirmer's to-do list).
AWAITING_FUNDS = frozenset({FundStatus.PENDING, FundStatus.VOID_PENDING})
#: The entries that stand (entered and not refused or voided): the 10× unit-slip check adds them up.
STANDING_FUNDS = frozenset({FundStatus.PENDING, FundStatus.CONFIRMED, FundStatus.VOID_PENDING})


class FundEventKind(models.TextChoices):
    """One step in a 到资 entry's history (who, when, why)."""

    RECORDED = "recorded", _("登记")  # entered (a new figure, or a correction of a confirmed one)
    CONFIRMED = "confirmed", pgettext_lazy("funds arrival event", "确认")  # confirmed by a second person
    RETURNED = "returned", pgettext_lazy("funds arrival event", "退回")  # sent back with a reason
    VOID_REQUESTED = "void_requested", pgettext_lazy("funds arrival event", "申请冲销")  # a 冲销 asked for, with a reason
    VOIDED = "voided", pgettext_lazy("funds arrival event", "冲销")  # voided (a 冲销 confirmed, or replaced by a confirmed correction)
    VOID_RETURNED = "void_returned", _("冲销退回")  # a 冲销 refused with a reason: the entry still counts
    WITHDRAWN = "withdrawn", pgettext_lazy("funds arrival event", "撤回")  # withdrawn by its enterer while it waited (note optional)
