from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipConfig(AppConfig):
    name = "keyprojects.partnership"
    label = "partnership"
    verbose_name = _("政企合作与一企一策")
