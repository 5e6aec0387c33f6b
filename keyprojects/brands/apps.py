from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "keyprojects.brands"
    label = "brands"
    verbose_name = _("“泉城好品”品牌遴选")
