from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _nav_urls(settings):
    """base.html links to other apps' pages; route placeholders while those are not yet routed."""
    settings.ROOT_URLCONF = "keyprojects.accounts.tests.stub_urls"
