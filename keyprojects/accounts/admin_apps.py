"""The Django admin app with the superuser-only site (see admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class KeyprojectsAdminConfig(AdminConfig):
    default_site = "keyprojects.accounts.admin_site.SuperuserAdminSite"
