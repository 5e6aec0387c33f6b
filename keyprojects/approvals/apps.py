from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "keyprojects.approvals"
    label = "approvals"
    verbose_name = "要素保障与审批"
