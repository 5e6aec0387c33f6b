from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class ApprovalStatus(models.TextChoices):
    NOT_APPLIED = "not_applied", _("未申报")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    NOT_NEEDED = "not_needed", _("不需办理")


class Code(models.TextChoices):
    """A department's 红黄码: red — an open item past its legal limit; yellow — an open item within
    20 % of it (:data:`YELLOW_SHARE`); green — neither."""

    RED = "red", _("红码")
    YELLOW = "yellow", _("黄码")
    GREEN = "green", _("绿码")


#: What a green item reads when it was completed after its legal limit (``selectors.Timing.label``).
DONE_LATE = _("超期办结")

#: An open item is yellow once it has used this share of its legal limit.
YELLOW_SHARE = 0.8


class FactorKind(models.TextChoices):
    """四张清单: the four lists of needs (要素跟着项目走)."""

    LAND = "land", _("土地")
    FUNDS = "funds", _("资金")
    ENVIRONMENT = "environment", _("环境")
    ENERGY = "energy", _("能耗")


class FactorSubtype(models.TextChoices):
    NEW_QUOTA = "new_quota", _("新增建设用地指标")
    IDLE_LAND = "idle_land", _("盘活存量土地")
    CENTRAL_BUDGET = "central_budget", _("中央预算内")
    SPECIAL_BOND = "special_bond", _("专项债")
    BANK_LOAN = "bank_loan", _("银行贷款")
    SELF_RAISED = "self_raised", _("自筹")
    OTHER_FUNDS = "other_funds", _("其他资金")
    COD = "cod", "COD"
    AMMONIA = "ammonia", _("氨氮")
    SO2 = "so2", "SO₂"
    NOX = "nox", "NOₓ"
    VOCS = "vocs", "VOCs"
    STORAGE = "storage", _("收储")
    TRADING = "trading", _("交易")
    ADJUSTMENT = "adjustment", _("调剂")


#: Which subtypes belong to which list, and the list's unit of measure.
SUBTYPES_OF: dict[str, tuple[str, ...]] = {
    FactorKind.LAND: (FactorSubtype.NEW_QUOTA, FactorSubtype.IDLE_LAND),
    FactorKind.FUNDS: (
        FactorSubtype.CENTRAL_BUDGET,
        FactorSubtype.SPECIAL_BOND,
        FactorSubtype.BANK_LOAN,
        FactorSubtype.SELF_RAISED,
        FactorSubtype.OTHER_FUNDS,
    ),
    FactorKind.ENVIRONMENT: (FactorSubtype.COD, FactorSubtype.AMMONIA, FactorSubtype.SO2, FactorSubtype.NOX, FactorSubtype.VOCS),
    FactorKind.ENERGY: (FactorSubtype.STORAGE, FactorSubtype.TRADING, FactorSubtype.ADJUSTMENT),
}
# the measure of each kind's quantities, in Chinese (as stored in messages; marked for the catalogue)
UNIT_OF: dict[str, str] = {
    FactorKind.LAND: gettext_noop("亩"),
    FactorKind.FUNDS: gettext_noop("万元"),
    FactorKind.ENVIRONMENT: gettext_noop("吨/年"),
    FactorKind.ENERGY: gettext_noop("吨标准煤"),
}


class NeedStatus(models.TextChoices):
    PENDING = "pending", _("待保障")
    IN_PROGRESS = "in_progress", _("保障中")
    SECURED = "secured", _("已保障")
    UNABLE = "unable", _("无法保障")


OPEN_NEED_STATUSES = (NeedStatus.PENDING, NeedStatus.IN_PROGRESS)


class Level(models.TextChoices):
    """Who holds a need or a 会商: the county, the city or the province (提级会商 moves it up)."""

    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
