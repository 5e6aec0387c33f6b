from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "keyprojects.engagement"
    label = "engagement"
    verbose_name = "政企服务"
