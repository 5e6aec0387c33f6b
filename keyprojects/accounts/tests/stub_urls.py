"""Test URLconf: the real one, plus placeholders for the navigation links in ``base.html`` that
another app has not routed yet (a stub namespace listed first wins the reverse lookup)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from config import urls as real

NAV_LINKS = {"projects": ["list", "leaders"], "enterprises": ["list"]}


def _missing() -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for ns, names in NAV_LINKS.items():
        for name in names:
            try:
                reverse(f"{ns}:{name}", urlconf=real)
            except NoReverseMatch:
                missing.setdefault(ns, []).extend(names)
                break
    return missing


def _placeholder(request):
    return HttpResponse("placeholder")


def build() -> list:
    stubs = [
        path(f"__stub__/{ns}/", include(([path(f"{n}/", _placeholder, name=n) for n in names], ns))) for ns, names in _missing().items()
    ]
    return [*stubs, *real.urlpatterns]


urlpatterns = build()
