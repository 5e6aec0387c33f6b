"""Status values of 政企服务 (issue 15): 企业诉求 and 政企沟通交流会."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")  # raised; waits for a routed unit to acknowledge (2 working days)
    IN_PROGRESS = "in_progress", _("办理中")  # acknowledged by a unit; the resolve limit runs
    REPLIED = "replied", _("已答复")  # a unit replied; waits for the enterprise's rating
    REOPENED = "reopened", _("重新办理")  # rated 不满意 the first time: handled again (once only)
    CLOSED = "closed", _("已办结")  # rated (or rated 不满意 a second time): final


#: States in which a unit works the request (the resolve deadline runs).
OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED)
#: States counted as answered (the resolve deadline stopped).
ANSWERED_STATUSES = (RequestStatus.REPLIED, RequestStatus.CLOSED)


class Source(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业提交")  # an enterprise contact on the web
    MEETING = "meeting", _("会议")  # staff, raised at a 政企沟通交流会
    VISIT = "visit", _("走访")  # staff, from a visit to the enterprise
    PHONE = "phone", _("电话")  # staff, from a phone call
    OPEN311 = "open311", "Open311"  # through the Open311 GeoReport v2 API


#: The sources a staff member records on an enterprise's behalf.
STAFF_SOURCES = (Source.MEETING, Source.VISIT, Source.PHONE)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


#: Ratings counted as satisfied in the satisfaction rate.
SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)


class EventKind(models.TextChoices):
    """A step in a request's history; the labels say what happened ("Routed"), not the button that
    does it ("Route"), hence their own translation context."""

    CREATED = "created", pgettext_lazy("request history", "提出诉求")
    ROUTED = "routed", pgettext_lazy("request history", "分办")
    REROUTED = "rerouted", pgettext_lazy("request history", "改派")
    DECLINED = "declined", pgettext_lazy("request history", "非本部门职责")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("request history", "受理")
    EXTENSION_ASKED = "extension_asked", pgettext_lazy("request history", "申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REJECTED = "extension_rejected", _("不予延期")
    REPLIED = "replied", pgettext_lazy("request history", "答复")
    RATED = "rated", pgettext_lazy("request history", "评价")
    REOPENED = "reopened", _("不满意重办")
    CLOSED = "closed", _("办结")


class AttachmentStage(models.TextChoices):
    REQUEST = "request", _("诉求材料")  # attached by whoever raised the request
    REPLY = "reply", _("答复材料")  # attached by the unit with its reply


#: Documents one step may attach (each a PDF or an image, core.uploads).
MAX_ATTACHMENTS = 5


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class MeetingLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


#: Working days a routed unit has to acknowledge a request.
ACKNOWLEDGE_DAYS = 2
