"""Open311 GeoReport v2 routes, mounted at ``/open311/v2/`` (config/urls.py)."""

from django.urls import re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services, name="services"),
    re_path(r"^services/(?P<code>[-a-zA-Z0-9_]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
]
