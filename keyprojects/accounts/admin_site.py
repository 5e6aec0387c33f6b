"""Admin sites (三权分立, issue 11).

* ``/admin/`` — Django's admin — is the superuser's alone: no administrator role gets in, so no
  administrator can edit its own account there.
* ``/config/`` (业务配置) carries the business configuration — dispatch settings and review
  chains, import header synonyms, assessment schemes — for province business staff
  (:func:`policy.can_manage_config`), never for an administrator.

Both send a visitor who is not signed in to the platform's own login page (lockout, second
factor); a signed-in user without the right gets 403.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import policy


def _refuse(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.get_full_path(), reverse("accounts:login"))


class _PlatformLoginSite(AdminSite):
    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not self.has_permission(request):
                return _refuse(request)
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        return update_wrapper(guarded, inner)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from django.contrib.auth.views import redirect_to_login

        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or request.get_full_path(), reverse("accounts:login"))


class SuperuserAdminSite(_PlatformLoginSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can_use_django_admin(request.user)


class BusinessConfigSite(_PlatformLoginSite):
    site_header = _("业务配置")
    site_title = _("业务配置")
    index_title = _("业务配置（省级业务人员）")

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_config(request.user)


config_site = BusinessConfigSite(name="config")
