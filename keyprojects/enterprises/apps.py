from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "keyprojects.enterprises"
    label = "enterprises"
    verbose_name = "企业"
