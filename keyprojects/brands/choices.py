"""Status and category values of the “泉城好品” brand selection (品牌遴选)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: The first batch's rules (济南市市场监管局): at most 40 brands, a reward of at most 10万元 each,
#: at least 3 years in the city. A round may set its own cap and ceiling.
DEFAULT_MAX_SELECTED = 40
DEFAULT_REWARD_CEILING = Decimal("10")  # 万元
MIN_YEARS_IN_CITY = 3


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")  # being prepared by the organiser; enterprises do not see it
    OPEN = "open", _("申报中")  # enterprises apply between the open and close dates
    REVIEWING = "reviewing", _("评审中")  # applications closed: preliminary review, scoring, decisions
    DECIDED = "decided", _("已确定")  # every decision taken; the list is not public yet
    PUBLISHED = "published", _("已公布")  # the selected brands are on the result list


#: The allowed round steps: (from, to).
ROUND_STEPS: dict[str, tuple[str, ...]] = {
    RoundStatus.DRAFT: (RoundStatus.OPEN,),
    RoundStatus.OPEN: (RoundStatus.REVIEWING,),
    RoundStatus.REVIEWING: (RoundStatus.DECIDED,),
    RoundStatus.DECIDED: (RoundStatus.PUBLISHED, RoundStatus.REVIEWING),
    RoundStatus.PUBLISHED: (),
}


class Category(models.TextChoices):
    PRODUCT = "product", _("产品类")  # a product brand: advanced production technology
    SERVICE = "service", _("服务类")  # a service brand: innovative service


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being written by the enterprise (or staff on its behalf)
    SUBMITTED = "submitted", _("已提交")  # waiting for the preliminary review
    RETURNED = "returned", _("已退回")  # preliminary review sent it back with a reason; may be corrected and resubmitted
    PASSED = "passed", _("初审通过")  # preliminary review passed; waiting for the score
    SCORED = "scored", _("已评分")  # scored by the experts; waiting for the decision
    SELECTED = "selected", _("入选")  # selected as a “泉城好品” brand
    NOT_SELECTED = "not_selected", _("未入选")  # decided not to select


#: What an applicant is shown for an application whose outcome is not yet published (its
#: preliminary review passed, scored or decided in a round not yet 已公布; the rule:
#: ``policy.brand_status_for``).
IN_REVIEW = "in_review"
IN_REVIEW_LABEL = _("评审中")


def status_label(value: str) -> str:
    """The label of an application state as shown (:data:`IN_REVIEW` included)."""
    if value == IN_REVIEW:
        return str(IN_REVIEW_LABEL)
    return str(ApplicationStatus(value).label)


#: Statuses in which the applicant still writes the application.
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
#: Statuses that are final.
DECIDED = (ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED)

#: The eligibility declarations (field, what the applicant declares), in the order of the notice.
DECLARATIONS: tuple[tuple[str, str], ...] = (
    ("has_valid_trademark", gettext_noop("拥有有效注册商标")),
    ("is_cultivation_enterprise", gettext_noop("属于省级或济南市高端品牌培育入选企业")),
    ("has_quality_system", gettext_noop("建立质量管理和监测体系")),
    ("is_advanced", gettext_noop("产品生产技术先进（产品类）或服务模式创新（服务类）")),
)
