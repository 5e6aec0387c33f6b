"""A test URLconf for the page tests while the accounts/audit URLs are still being built.

``base.html`` links to ``accounts:login/logout/password_change`` and ``audit:list``. If the real
URLconf does not have them yet, these placeholders are put in front; once it does, the
``nav_urls`` fixture leaves ROOT_URLCONF alone and this module is unused.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from config import urls as real

NAV_NAMES = {"accounts": ["login", "logout", "password_change"], "audit": ["list"]}


def _missing(namespace: str) -> bool:
    for name in NAV_NAMES[namespace]:
        try:
            reverse(f"{namespace}:{name}", urlconf="config.urls")
        except NoReverseMatch:
            return True
    return False


def _placeholder(request):  # pragma: no cover - only linked, never followed by the tests
    return HttpResponse("placeholder")


MISSING = [ns for ns in NAV_NAMES if _missing(ns)]
urlpatterns = [
    *(path(f"__{ns}/", include(([path(f"{n}/", _placeholder, name=n) for n in NAV_NAMES[ns]], ns))) for ns in MISSING),
    *real.urlpatterns,
]
