"""Dispatch pages. Filling pages live in views_fill.py, review/board pages in views_review.py;
each module exports its own ``urlpatterns``."""

from __future__ import annotations

from . import views_fill, views_review

app_name = "dispatch"
urlpatterns = [*views_fill.urlpatterns, *views_review.urlpatterns]
