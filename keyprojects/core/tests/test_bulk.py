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


def test_read_values_equals_values_list_with_the_same_types_and_places(db):
    """The bulk read gives what ``values_list`` gives: decimals at the field's places, dates,
    booleans, None, and fields across relations."""
    import datetime as dt
    from decimal import Decimal

    from keyprojects.core.bulk import read_values
    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport, ReportingPeriod

    period = ReportingPeriod.objects.create(year=2025, month=3, fill_start=dt.date(2025, 3, 20), fill_end=dt.date(2025, 4, 5))
    a = ProjectFactory(total_investment=Decimal("1234.5"), invested_before=Decimal(0), planned_start=dt.date(2025, 2, 1))
    b = ProjectFactory(total_investment=Decimal("0.0001"), planned_start=None)
    MonthlyReport.objects.create(
        project=a,
        period=period,
        invested_month=Decimal("12.34"),
        invested_ytd=Decimal("12.34"),
        invested_to_date=Decimal("12.34"),
        status="submitted",
        is_late=True,
    )
    MonthlyReport.objects.create(
        project=b, period=period, invested_month=Decimal(7), invested_ytd=Decimal(7), invested_to_date=Decimal(7), status="draft"
    )
    fields = ("pk", "total_investment", "invested_before", "planned_start", "region_id")
    qs = a.__class__.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk")
    assert [tuple(map(str, r)) for r in read_values(qs, *fields)] == [tuple(map(str, r)) for r in qs.values_list(*fields)]
    assert read_values(qs, *fields) == list(qs.values_list(*fields))
    rq = MonthlyReport.objects.order_by("pk")
    rfields = ("project_id", "period__month", "status", "invested_month", "is_late", "no_activity")
    got = read_values(rq, *rfields)
    assert got == list(rq.values_list(*rfields))
    assert [type(v) for v in got[0]] == [type(v) for v in rq.values_list(*rfields)[0]]
    assert str(got[0][3]) == "12.3400"


def test_booleans_and_choice_members_are_stored_as_the_orm_stores_them(db):
    """A batch large enough for the column-wise path: booleans go in as 1/0 and a choice given as
    its enum member as its plain text (no adapter lookup per value), exactly as the ORM stores
    them — the same values and the same SQL types."""
    from django.utils import timezone

    from keyprojects.regions.choices import UnitKind

    now = timezone.now()
    kinds = [UnitKind.DEPARTMENT, UnitKind.ZONE, "department"]
    w = BulkWriter(Unit, ["name", "kind", "region_id", "is_active"], const={"created_at": now, "updated_at": now})
    ids = [w.add(f"批量{i}", kinds[i % 3], "370100", i % 2 == 0) for i in range(100)]
    w.finish()
    orm = [Unit.objects.create(name=f"逐个{i}", kind=kinds[i % 3], region_id="370100", is_active=i % 2 == 0).pk for i in range(3)]
    table = Unit._meta.db_table
    typeof = "typeof" if connection.vendor == "sqlite" else "pg_typeof"
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, kind, is_active, {typeof}(kind), {typeof}(is_active) FROM {table} WHERE id IN ({', '.join(['%s'] * 103)})",
            [*ids, *orm],
        )
        stored = {row[0]: row[1:] for row in cur.fetchall()}
    for i, pk in enumerate(ids[:3]):
        assert stored[pk] == stored[orm[i]], i
    first = [(kind, bool(active)) for kind, active, *_ in (stored[pk] for pk in ids[:4])]
    assert first == [("department", True), ("zone", False), ("department", True), ("department", False)]
