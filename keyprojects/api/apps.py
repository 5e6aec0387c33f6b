from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "keyprojects.api"
    label = "api"
    verbose_name = "API"
