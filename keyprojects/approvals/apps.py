from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "keyprojects.approvals"
    label = "approvals"
    verbose_name = _("要素保障与审批")
