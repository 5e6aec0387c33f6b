"""Turn a database lock held past its timeout into a retryable 503 page (reliability.md 9); the
UI language: Chinese unless the user chose otherwise; HEAD answered without a body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from .errors import DatabaseBusy

BUSY_MARKERS = ("database is locked", "database table is locked", "could not obtain lock", "deadlock detected")


def is_busy_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in BUSY_MARKERS)


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy_error(exception):
            return None
        err = DatabaseBusy()
        if request.path.startswith("/api/"):
            resp: HttpResponse = JsonResponse(err.as_dict(), status=503)
        else:
            resp = render(request, "busy.html", {"message": err.message, "post": request.POST}, status=503)
        resp["Retry-After"] = "5"
        return resp


class HeadWithoutBodyMiddleware:
    """A HEAD request gets the headers a GET would (Content-Length included) and no body (RFC 9110).

    Django leaves the body in; gunicorn drops it but logs a WARNING for each such request, so
    every ``curl -I`` (README's verification, a monitor's check) put a warning in the journal.
    First in the stack, so the probes' answers (/healthz, /readyz) lose their body too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = []  # a file stays registered for closing
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class NoStoreForAuthenticatedMiddleware:
    """``Cache-Control: no-store`` on every answer to a signed-in user (HTML pages and API, token
    or session), so no shared or browser cache keeps business data (issue 11)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF puts a token's user here too
        if user is not None and getattr(user, "is_authenticated", False):
            current = response.get("Cache-Control", "")
            if "no-store" not in current:
                response["Cache-Control"] = "no-store, private"
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The UI speaks 简体中文 unless the user picked another language with the switch (the
    language cookie ``set_language`` writes): a government office's browser configured in
    English still gets Chinese pages. The browser's Accept-Language is not consulted."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
