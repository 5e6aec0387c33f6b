"""Analytics pages. Each views module exports its own ``urlpatterns``: the home dashboard in
``views.py`` (also served at ``/`` as ``projects:home``); rankings, assessment and the bulletin
in ``views_reports.py``."""

from __future__ import annotations

from . import views, views_reports

app_name = "analytics"
urlpatterns = [*views.urlpatterns, *views_reports.urlpatterns]
