"""The SQLite connection's options (config.settings.base.database_config): durable commits,
foreign keys enforced, temporary storage (statement journals, index sorts) in memory."""

import pytest
from django.db import connection

from config.settings.base import database_config


def test_the_settings_ask_for_them():
    init = database_config("sqlite:////tmp/x.sqlite3")["OPTIONS"]["init_command"]
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "temp_store=MEMORY"):
        assert f"PRAGMA {pragma};" in init


@pytest.mark.django_db
def test_a_connection_has_them():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cur:
        values = {p: cur.execute(f"PRAGMA {p}").fetchone()[0] for p in ("synchronous", "foreign_keys", "temp_store")}
    assert values == {"synchronous": 2, "foreign_keys": 1, "temp_store": 2}
