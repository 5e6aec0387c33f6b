"""Analytics pages. Each views module exports its own ``urlpatterns``: rankings, assessment and
the bulletin live in ``views_reports.py``."""

from __future__ import annotations

from . import views_reports

app_name = "analytics"
urlpatterns = [*views_reports.urlpatterns]
