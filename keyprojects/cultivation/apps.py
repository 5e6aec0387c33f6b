from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "keyprojects.cultivation"
    label = "cultivation"
    verbose_name = "“双50”企业培育"
