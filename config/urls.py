from django.contrib import admin
from django.urls import include, path

from keyprojects.accounts.admin_site import config_site
from keyprojects.api.docs import RedocView, SchemaView, SwaggerView
from keyprojects.core import health
from keyprojects.core.views import favicon

urlpatterns = [
    path("", include("keyprojects.projects.urls")),
    path("accounts/", include("keyprojects.accounts.urls")),
    path("dispatch/", include("keyprojects.dispatch.urls")),
    path("enterprises/", include("keyprojects.enterprises.urls")),
    path("audit/", include("keyprojects.audit.urls")),
    path("dataio/", include("keyprojects.dataio.urls")),
    path("analytics/", include("keyprojects.analytics.urls")),
    path("approvals/", include("keyprojects.approvals.urls")),
    path("attraction/", include("keyprojects.attraction.urls")),
    path("partnership/", include("keyprojects.partnership.urls")),
    path("cultivation/", include("keyprojects.cultivation.urls")),
    path("brands/", include("keyprojects.brands.urls")),
    path("engagement/", include("keyprojects.engagement.urls")),
    path("open311/v2/", include("keyprojects.engagement.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("keyprojects.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("config/", config_site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
