"""Data import/export pages under ``/dataio/``. Each views module exports its own ``urlpatterns``."""

from __future__ import annotations

from . import views, views_export

app_name = "dataio"
urlpatterns = [*views.urlpatterns, *views_export.urlpatterns]
