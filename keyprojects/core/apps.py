from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "keyprojects.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from .logs import install_record_factory, log_audit_event

        install_record_factory()

        from .validators import install_text_validators

        install_text_validators()
        from .files import connect_private_sqlite

        connect_private_sqlite()

        post_save.connect(log_audit_event, sender="audit.AuditEvent", dispatch_uid="keyprojects.core.logs.audit")
        from .upgrade import post_migrate_backfill

        post_migrate.connect(post_migrate_backfill, sender=self, dispatch_uid="keyprojects.core.upgrade.backfill")
