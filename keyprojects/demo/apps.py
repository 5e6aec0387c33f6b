from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``); no models."""

    name = "keyprojects.demo"
    label = "demo"
    verbose_name = "演示数据"
