from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttractionConfig(AppConfig):
    name = "keyprojects.attraction"
    label = "attraction"
    verbose_name = _("招商引资")
