from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "keyprojects.dataio"
    label = "dataio"
    verbose_name = _("数据导入导出")

    def ready(self) -> None:
        # Loaded at start-up, as the web views and commands would anyway: the modules an import
        # calls into, so that the first upload after a restart does not wait for them.
        import python_calamine  # noqa: F401

        import keyprojects.dispatch.selectors
        import keyprojects.dispatch.services
        import keyprojects.projects.selectors  # noqa: F401
