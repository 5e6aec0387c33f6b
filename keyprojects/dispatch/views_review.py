"""Placeholder module: its owner replaces it."""

from __future__ import annotations

urlpatterns: list = []
