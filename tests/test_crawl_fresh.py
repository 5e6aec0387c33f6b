"""A fresh installation (regions, a few projects and users, nothing opened or configured yet):
every page a role can reach answers without a 5xx and the GETs write nothing (issue 11 item 4).
The crawler is the one of ``test_crawl_demo``."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.test_crawl_demo import crawl, row_counts


@pytest.mark.parametrize("role", ["county", "enterprise", "superuser"])
def test_a_fresh_installation_answers_and_gets_write_nothing(world, role):
    client = Client()
    client.force_login(getattr(world.users, role))
    before = row_counts()
    result = crawl(client, role)
    after = row_counts()
    assert len(result.visited) > 10, result.visited
    assert not result.errors, "\n".join(result.errors)
    assert not result.refused, "pages offer links the user may not open:\n" + "\n".join(result.refused)
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    assert not result.writes, "\n".join(result.writes)
