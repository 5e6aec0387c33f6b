"""The one bulk write path (core.bulk) as the demo seeder uses it: an exclusive load numbers its
rows after the largest id and moves the sequence on, so the ORM's next row does not collide;
raw values are stored as the ORM would store them; a load with its indexes set aside gets them
back, and a failure inside it rolls the load and the DDL back together."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from keyprojects.core.bulk import BulkWriter, bulk_load, chunks
from keyprojects.regions.models import Unit


def indexes(table: str) -> set[str]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, table)
    return {name for name, c in found.items() if c["index"] and not c["primary_key"]}


def test_an_exclusive_load_numbers_after_the_largest_id_and_moves_the_sequence(db):
    from django.utils import timezone

    first = Unit.objects.create(name="已有单位", kind="department", region_id="370100")
    now = timezone.now()
    w = BulkWriter(Unit, ["name", "short_name", "kind", "region_id"], const={"created_at": now, "updated_at": now}, exclusive=True)
    ids = [w.add(f"批量单位{i}", "", "department", "370102") for i in range(5)]
    w.finish()
    assert ids == list(range(first.pk + 1, first.pk + 6)) and w.count == 5
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    assert [units[i].name for i in ids] == [f"批量单位{i}" for i in range(5)]
    assert all(u.is_active and u.region_id == "370102" and u.created_at == now for u in units.values())  # default and const
    after = Unit.objects.create(name="之后的单位", kind="department", region_id="370100")
    assert after.pk > max(ids)


def test_raw_values_are_stored_as_given(db):
    from django.utils import timezone

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # what the demo's Formats makes
    w = BulkWriter(Unit, ["name", "kind", "region_id", "is_active", "created_at", "updated_at"], raw=True, exclusive=True)
    pk = w.add("原样写入", "zone", "370100", False, str(stamp), str(stamp))
    w.finish()
    u = Unit.objects.get(pk=pk)
    assert (u.name, u.kind, u.is_active) == ("原样写入", "zone", False)
    assert abs((u.created_at - now).total_seconds()) < 1


def test_a_load_with_its_indexes_set_aside_gets_them_back_or_rolls_back(db):
    from django.utils import timezone

    const = {"created_at": timezone.now(), "updated_at": timezone.now()}
    table = Unit._meta.db_table
    before = indexes(table)
    assert before
    with transaction.atomic(), bulk_load({Unit: 0}, constraints=True):
        assert indexes(table) == set() or connection.vendor != "sqlite"
        w = BulkWriter(Unit, ["name", "kind", "region_id"], const=const, exclusive=True)
        w.add("载入单位", "department", "370100")
        w.finish()
    assert indexes(table) == before and Unit.objects.filter(name="载入单位").exists()

    with pytest.raises(RuntimeError), transaction.atomic(), bulk_load({Unit: 0}, constraints=True):
        w = BulkWriter(Unit, ["name", "kind", "region_id"], const=const, exclusive=True)
        w.add("中途失败", "department", "370100")
        w.finish()
        raise RuntimeError("boom")
    assert indexes(table) == before and not Unit.objects.filter(name="中途失败").exists()


def test_chunks():
    assert list(chunks(range(5), 2)) == [[0, 1], [2, 3], [4]] and list(chunks([], 3)) == []
