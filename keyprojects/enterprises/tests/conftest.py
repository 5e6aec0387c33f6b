from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def nav_urls(settings):
    """Use placeholder navigation URLs only while the real ones are missing (see nav_urls.py)."""
    from keyprojects.projects.tests import nav_urls

    if nav_urls.MISSING:
        settings.ROOT_URLCONF = "keyprojects.projects.tests.nav_urls"
    return nav_urls.MISSING
