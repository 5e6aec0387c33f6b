from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keyprojects.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
