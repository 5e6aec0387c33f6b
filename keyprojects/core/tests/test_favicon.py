"""/favicon.ico answered 404 in the tour: it now leads to our own SVG icon, the one every page links."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_redirects_to_our_svg_for_anyone(client, db):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 302 and resp["Location"] == "/static/src/favicon.svg"
    assert "max-age" in resp["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405
    path = finders.find("src/favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as f:
        svg = f.read()
    assert svg.startswith("<svg") and len(svg) < 2000 and "<script" not in svg


def test_every_page_links_the_icon(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<link rel="icon" href="/static/src/favicon.svg" type="image/svg+xml">' in html
