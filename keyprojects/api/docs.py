"""The OpenAPI schema and its documentation pages; signed-in users only when
``KEYPROJECTS_API_DOCS_LOGIN_REQUIRED`` is on (the default in production, issue 11)."""

from __future__ import annotations

from typing import Any

from csp.constants import NONCE
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request


def _required() -> bool:
    return bool(getattr(settings, "KEYPROJECTS_API_DOCS_LOGIN_REQUIRED", False))


class SchemaView(SpectacularAPIView):
    """401 for an anonymous client (token or session) when login is required."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if _required() else [AllowAny()]


class _PageMixin:
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if _required() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)  # type: ignore[misc]


class SwaggerView(_PageMixin, SpectacularSwaggerSplitView):
    """Swagger UI under the site's CSP (script-src 'self', no inline script or style): the split
    view loads its start-up script from ``?script``; the page template drops the inline style.
    (The inline variant was a blank page: the browser refused its inline script.)"""

    template_name = "api/swagger_ui.html"


class RedocView(_PageMixin, SpectacularRedocView):
    """ReDoc under the site's CSP: the start-up script is a static file (no inline script), the
    page's own style a static file, and ReDoc's run-time <style> elements (styled-components)
    carry this response's nonce, added to style-src for this page only; no 'unsafe-inline'.
    ReDoc's search runs in a web worker it starts from a ``blob:`` URL: ``worker-src 'self' blob:``
    for this page only lets it (a worker is not a script of the page: script-src stays 'self')."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response._csp_update = {"style-src": [NONCE], "worker-src": ["'self'", "blob:"]}
        return response
