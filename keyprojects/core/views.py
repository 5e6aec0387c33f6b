"""Site-wide small views: ``/favicon.ico``, which browsers and crawlers ask for whatever the
page's ``<link rel="icon">`` says."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """A redirect to our own SVG icon (static/src/favicon.svg, the one base.html links). Not a
    permanent one: the static name carries a content hash in production and changes with it."""
    response = HttpResponseRedirect(static("src/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
