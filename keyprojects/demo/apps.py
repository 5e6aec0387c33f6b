from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``); no models."""

    name = "keyprojects.demo"
    label = "demo"
    verbose_name = _("演示数据")
