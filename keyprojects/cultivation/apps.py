from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "keyprojects.cultivation"
    label = "cultivation"
    verbose_name = _("“双50”企业培育")
