from django.db import models
from django.utils.translation import gettext_lazy as _


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


#: An open item is yellow once it has used this share of its legal limit.
YELLOW_SHARE = 0.8
