"""Dispatch pages. Filling pages live in views_fill.py, review pages in views_review.py, the
period board in views_board.py, warnings and problems in views_lists.py; each module exports
its own ``urlpatterns``."""

from __future__ import annotations

from . import views_board, views_close, views_fill, views_grid, views_lists, views_review

app_name = "dispatch"
urlpatterns = [
    *views_fill.urlpatterns,
    *views_grid.urlpatterns,
    *views_review.urlpatterns,
    *views_board.urlpatterns,
    *views_close.urlpatterns,
    *views_lists.urlpatterns,
]
