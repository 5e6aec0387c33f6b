"""The one bulk write path: many rows of a model written fast, the values the ORM would write.

Used by the importer (``dataio.importer``) and the demo seeder (``keyprojects.demo``). No model
instance per row and no per-value SQL compilation:

* :class:`BulkWriter` — append-only batches for one table. Ids are handed out by ``add`` (so
  children can point to a row before it is written): from the table's own sequence on
  PostgreSQL (``nextval``, concurrent writers never collide) or after the largest id ever used
  on SQLite (the IMMEDIATE transaction holds the write lock); with ``exclusive=True`` (a load
  that holds the tables, such as the demo) after the largest id, the sequence being reset by
  :meth:`BulkWriter.finish`. Rows go out as multi-row ``INSERT … VALUES (…), (…)`` on SQLite
  and ``COPY`` on PostgreSQL; columns not listed get their model default, ``const`` values
  (shared by every row) become literals of the SQLite statement, so only what differs is bound.
* :func:`insert_derived` — rows derived from rows just written, made by the database
  (``INSERT … SELECT``).
* :func:`update_versioned` — ``UPDATE … WHERE id = ? AND version = ?`` in bulk (the optimistic
  lock of ``save_versioned``).
* :func:`bulk_load` — a big load into young tables without their secondary indexes (and, with
  ``constraints=True`` on PostgreSQL, without foreign keys and unique constraints), rebuilt
  once at the end of the same transaction.

Why each of these pays is measured in ADR 0010 (``make bench``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, models

CHUNK = 2000  # ids reserved at once, ids per IN (...) query and rows per executemany
SQLITE_ROWS_PER_INSERT = 300
BULK_LOAD_MIN_ROWS = 1000
BULK_LOAD_CACHE_KIB = 65536  # SQLite page cache during a big load (the default is 2 MB)
EXCLUSIVE_LOAD_CACHE_KIB = 262144  # the same for a load that holds the tables (the demo)

_INLINE_TYPES = (bool, int, Decimal, dt.date)
_PLAIN_TEXT = re.compile(r"[0-9A-Za-z_.:+-]{1,40}")  # codes, choices, amounts and dates as text: nothing to quote


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``values`` in lists of at most ``size`` (for ``IN (...)`` queries and batches)."""
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def json_text(value: Any) -> str:
    """A JSONField's stored text (Chinese kept as it is)."""
    return json.dumps(value, ensure_ascii=False)


class BulkWriter:
    """Append-only batches of rows for one table (see the module docstring).

    ``fields`` are the attnames ``add`` takes, in order; ``const`` maps attnames to the value
    every row shares (a timestamp, an actor, a status). ``raw=True``: the caller passes values
    already in the database's form (SQLite: decimals and dates as text, datetimes adapted),
    which saves the adaptation on millions of rows. ``exclusive=True``: the caller holds the
    tables (no concurrent writer), ids follow the largest id and :meth:`finish` resets the
    sequence."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        const: Mapping[str, Any] | None = None,
        raw: bool = False,
        exclusive: bool = False,
    ):
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        pk = meta.pk
        assert pk is not None
        const = dict(const or {})
        self.model = model
        self.fields = [by_attname[a] for a in fields]
        fixed = [by_attname[a] for a in const]
        missing = [f for f in meta.concrete_fields if f is not pk and f.attname not in fields and f.attname not in const]
        defaults = tuple(f.get_default() for f in missing)
        for f, default in zip(missing, defaults, strict=True):
            if default is None and not f.null:
                raise ValueError(f"{meta.label}.{f.attname} needs a value")
        shared = [*fixed, *missing]
        shared_values = [*const.values(), *defaults]
        self.tail: tuple[Any, ...] = tuple(
            json_text(x) if isinstance(f, models.JSONField) else x for f, x in zip(shared, shared_values, strict=True)
        )
        self.columns: list[str] = [str(pk.column), *(str(f.column) for f in self.fields), *(str(f.column) for f in shared)]
        self.vendor = connection.vendor
        self.exclusive = exclusive
        self.raw = raw
        qn = connection.ops.quote_name
        self.table = meta.db_table
        self.insert_head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in self.columns)}) VALUES ("
        if self.vendor == "sqlite":
            self.tail_literals = [value_literal(x) for x in self.tail]
            values = ", ".join(["%s"] * (1 + len(self.fields)) + self.tail_literals)
            self.tail = ()
        else:
            self.tail_literals = []
            values = ", ".join(["%s"] * len(self.columns))
        self.insert_sql = f"{self.insert_head}{values})"
        self.copy_sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in self.columns)}) FROM STDIN"
        self.dt_positions = [] if raw else [i + 1 for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)]
        # what Django's SQLite adapters make of decimals and dates (their text), made here: the
        # driver's adapter lookup per bound value costs more than the conversion itself
        self.text_positions = [
            i + 1
            for i, f in enumerate(self.fields)
            if not raw
            and (isinstance(f, models.DecimalField) or (isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)))
        ]
        # booleans bound as 1/0, as the driver stores them: a bool is no exact int, so the driver
        # looks it up in its adapters first, and the miss formats an AttributeError per value
        self.int_positions = [i + 1 for i, f in enumerate(self.fields) if not raw and isinstance(f, models.BooleanField)]
        # a choice given as its enum member (Stage.CONSTRUCTION, a str subclass): bound as its plain
        # text, for the same reason
        self.str_positions = [i + 1 for i, f in enumerate(self.fields) if not raw and isinstance(f, models.CharField) and f.choices]
        self.rows: list[Any] = []
        self.count = 0  # rows written so far
        self._ids: list[int] = []
        self._next: int | None = None

    # -- ids ---------------------------------------------------------------------------------

    def _reserve(self) -> None:
        """Refill ``self._ids`` with the next ids to use (popped from the end)."""
        with connection.cursor() as cur:
            if self.vendor == "postgresql" and not self.exclusive:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [self.table, self.columns[0], CHUNK]
                )
                self._ids = [r[0] for r in cur.fetchall()][::-1]
                return
            if self._next is None:
                qn = connection.ops.quote_name
                cur.execute(f"SELECT MAX({qn(self.columns[0])}) FROM {qn(self.table)}")
                top = cur.fetchone()[0] or 0
                seq = None
                if self.vendor == "sqlite":
                    cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                    seq = cur.fetchone()
                self._next = max(top, seq[0] if seq else 0) + 1
            self._ids = list(range(self._next + CHUNK - 1, self._next - 1, -1))
            self._next += CHUNK

    # -- rows --------------------------------------------------------------------------------

    def add(self, *values: Any) -> int:
        """Queue one row (values in ``fields`` order); its id."""
        if not self._ids:
            self._reserve()
        pk = self._ids.pop()
        self.rows.append([pk, *values, *self.tail])
        return pk

    def add_many(self, rows: Iterable[Sequence[Any]]) -> None:
        """:meth:`add` for many rows (values in ``fields`` order), without a call per row."""
        out, tail, ids = self.rows, self.tail, self._ids
        for values in rows:
            if not ids:
                self._reserve()
                ids = self._ids
            out.append([ids.pop(), *values, *tail])

    def flush(self) -> None:
        """Write the queued rows."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            if self.dt_positions:
                adapted: dict[dt.datetime, Any] = {}  # a batch stamps its rows with few distinct times
                adapt = connection.ops.adapt_datetimefield_value
                for row in rows:
                    for i in self.dt_positions:
                        value = row[i]
                        if value is not None:
                            if value not in adapted:
                                adapted[value] = adapt(value)
                            row[i] = adapted[value]
            sql, keep = self._sqlite_batch(rows)
            if keep is None:
                _sqlite_insert_flat(cur, sql, list(itertools.chain.from_iterable(rows)), len(rows[0]), len(rows))
                return
            # the bound columns of every row in one flat list (no tuple per row), converted column
            # by column: a slice per column costs far less than a loop over every row's values
            width = len(keep)
            pick = operator.itemgetter(*keep)
            flat = list(itertools.chain.from_iterable(map(pick, rows))) if width > 1 else list(map(pick, rows))
            for k, i in enumerate(keep):
                if i in self.text_positions:  # Decimal → "12.3400", date → "2024-03-01"
                    flat[k::width] = [None if value is None else str(value) for value in flat[k::width]]
                elif i in self.int_positions:  # True → 1
                    flat[k::width] = [None if value is None else int(value) for value in flat[k::width]]
                elif i in self.str_positions:  # Stage.CONSTRUCTION → "construction"
                    flat[k::width] = [value if value is None or type(value) is str else str(value) for value in flat[k::width]]
            _sqlite_insert_flat(cur, sql, flat, width, len(rows))

    def finish(self) -> None:
        """Flush; after an ``exclusive`` load, move the table's sequence past the ids used."""
        self.flush()
        if not self.exclusive:
            return
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)

    def _sqlite_batch(self, rows: list[list[Any]]) -> tuple[str, list[int] | None]:
        """The statement for this batch and the positions of the values it binds (None: all of
        them, as they are): a column whose value is the same in every row of the batch (a
        column the file does not have, a flag, the year) is written as a literal of the
        statement instead of bound per row. Only values that need no quoting are inlined (NULL,
        numbers, booleans, dates, empty text, codes and choices such as "370000" or
        "construction"); any other text is always bound. Bound decimals and dates are bound as
        their text (:meth:`flush`)."""
        n = len(rows)
        if n < 64:
            return self.insert_sql, None  # (the driver adapts decimals and dates)
        parts: list[str] = []
        keep: list[int] = []
        first, middle, last = rows[0], rows[n // 2], rows[-1]
        for i, v in enumerate(first):
            if (
                i
                and (v is None or type(v) in _INLINE_TYPES or (type(v) is str and (not v or _PLAIN_TEXT.fullmatch(v))))
                and middle[i] == v
                and last[i] == v
                and (column := list(map(operator.itemgetter(i), rows))).count(v) == n
                and (v is None or type(v) is str or len(set(map(type, column))) == 1)  # (True == 1 == Decimal(1))
            ):
                parts.append(value_literal(v))
            else:
                parts.append("%s")
                keep.append(i)
        if len(parts) - len(keep) < 3:  # too few to pay for a statement of their own
            return self.insert_sql, list(range(len(first)))
        return self.insert_head + ", ".join(parts + self.tail_literals) + ")", keep


def value_literal(value: Any) -> str:
    """An SQLite literal stored exactly as the driver's binding of ``value`` would be (Django's
    adapters: Decimal, date and datetime as text); ``%`` doubled for the cursor's placeholder
    syntax. Only for values the caller controls or that need no quoting."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        text = str(connection.ops.adapt_datetimefield_value(value))
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Decimal | str):
        text = str(value)
    else:
        raise TypeError(f"no SQLite literal for {type(value).__name__}")
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def sqlite_insert_many(cur: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
    """``INSERT … VALUES (…)`` for every row of ``params``: some hundred rows per execution of the
    statement (``VALUES (…), (…), …``) cost SQLite and the driver far less than one execution per
    row; the same rows in the same order, still one ``executemany``."""
    if params:
        _sqlite_insert_flat(cur, sql, list(itertools.chain.from_iterable(params)), len(params[0]), len(params))


def _sqlite_insert_flat(cur: Any, sql: str, flat: list[Any], width: int, n: int) -> None:
    """:func:`sqlite_insert_many` of ``n`` rows of ``width`` values given one after the other in
    ``flat``."""
    if not n:
        return
    per = max(1, min(SQLITE_ROWS_PER_INSERT, 30_000 // max(width, 1)))
    full = n // per * per
    if width and full:
        head, one = sql.split(" VALUES ", 1)
        statement = f"{head} VALUES {', '.join([one] * per)}"
        step = per * width
        cur.executemany(statement, [flat[i : i + step] for i in range(0, full * width, step)])
    if full < n:
        if not width:
            cur.executemany(sql, [()] * (n - full))
        else:
            cur.executemany(sql, [flat[i : i + width] for i in range(full * width, n * width, width)])


def insert_derived(
    model: type[models.Model],
    *,
    values: Mapping[str, Any],
    source: type[models.Model],
    columns: Mapping[str, str],
    ids: Sequence[int],
) -> None:
    """One row of ``model`` per ``source`` row in ``ids``, made by the database itself
    (``INSERT … SELECT``): ``values`` are the same for every row, ``columns`` maps attnames to
    the source column they copy. Rows derived from rows just written (a project's "created"
    event, a report's submit step) cost no binding per row this way."""
    qn = connection.ops.quote_name
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields if f is not meta.pk}
    missing = [f for a, f in by_attname.items() if a not in values and a not in columns]
    for f in missing:
        if f.get_default() is None and not f.null:
            raise ValueError(f"{meta.label}.{f.attname} needs a value")
    shared = {**values, **{f.attname: f.get_default() for f in missing}}
    target = [*columns, *shared]
    into = ", ".join(qn(str(by_attname[a].column)) for a in target)
    select = ", ".join([*(qn(c) for c in columns.values()), *(["%s"] * len(shared))])
    params = [by_attname[a].get_db_prep_value(x, connection) for a, x in shared.items()]
    head = f"INSERT INTO {qn(meta.db_table)} ({into}) SELECT {select} FROM {qn(source._meta.db_table)} WHERE {qn('id')}"
    with connection.cursor() as cur:
        low, high = (min(ids), max(ids)) if ids else (0, -1)
        if high - low + 1 == len(ids) == len(set(ids)):  # consecutive ids of the writer's own: a range
            cur.execute(f"{head} BETWEEN %s AND %s", [*params, low, high])
            return
        for chunk in chunks(ids):
            cur.execute(f"{head} IN ({', '.join(['%s'] * len(chunk))})", [*params, *chunk])


def update_versioned(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, now: dt.datetime) -> int:
    """``UPDATE … SET <fields>, version = version + 1, updated_at = now WHERE id = ? AND
    version = ?`` for every row (its values, then id and expected version): the optimistic lock
    of ``save_versioned``, in bulk. Returns the number of rows updated."""
    qn = connection.ops.quote_name
    meta = model._meta
    cols = [str(meta.get_field(f).column) for f in fields]  # type: ignore[union-attr]
    sets = ", ".join(f"{qn(c)} = %s" for c in cols)
    version = qn("version")
    sql = f"UPDATE {qn(meta.db_table)} SET {sets}, {version} = {version} + 1, {qn('updated_at')} = %s WHERE id = %s AND {version} = %s"
    params: list[list[Any]]
    if connection.vendor == "sqlite":
        adapt = connection.ops.adapt_datetimefield_value
        params = [[adapt(x) if isinstance(x, dt.datetime) else x for x in r[:-2]] + [adapt(now), r[-2], r[-1]] for r in rows]
    else:
        params = [[*r[:-2], now, r[-2], r[-1]] for r in rows]
    n = 0
    with connection.cursor() as cur:
        for chunk in chunks(params):
            cur.executemany(sql, chunk)
            n += cur.rowcount
    return n


def update_many(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``UPDATE … SET <fields> WHERE id = ?`` for every row (its values, then its id), for rows
    the caller has just read or written in the same transaction."""
    qn = connection.ops.quote_name
    meta = model._meta
    sets = ", ".join(f"{qn(str(meta.get_field(f).column))} = %s" for f in fields)  # type: ignore[union-attr]
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {qn(meta.db_table)} SET {sets} WHERE id = %s", rows)


@contextlib.contextmanager
def bulk_load(loads: Mapping[type[models.Model], int], *, constraints: bool = False) -> Iterator[None]:
    """Tables about to receive more new rows than they hold are loaded without their non-unique
    secondary indexes, re-created from their own SQL right after, in the same transaction:
    building an index once is cheaper than updating it per row. Nothing outside the
    transaction ever sees them missing, and an error rolls the DDL back with everything else.

    ``loads`` maps each model to the rows about to be written. By default (the importer: other
    data may exist) this is done on SQLite only, for young tables of at least
    ``BULK_LOAD_MIN_ROWS`` rows, and unique indexes stay to guard the rows. With
    ``constraints=True`` (a load that holds its tables and writes valid rows, the demo) every
    listed table is treated, whatever its size: on SQLite all its secondary indexes, on
    PostgreSQL its indexes, unique constraints and foreign keys too (re-added and validated
    with one query each), and every listed table is analysed afterwards (``ANALYZE``), so that
    the queries that read the load next get plans for its real size. The SQLite page cache
    is enlarged for the load and restored after."""
    vendor = connection.vendor
    if vendor == "postgresql":
        if not constraints:
            yield
            return
        restore = _pg_set_aside(list(loads))
        yield
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in restore:
                cur.execute(sql)
            for model in loads:  # fresh statistics for the pages that read them next
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return
    if vendor != "sqlite":
        yield
        return
    big = constraints or sum(loads.values()) >= BULK_LOAD_MIN_ROWS  # the pages of a big load (and its index builds) stay in memory
    with contextlib.ExitStack() as stack:
        if big:
            stack.enter_context(page_cache(EXCLUSIVE_LOAD_CACHE_KIB if constraints else BULK_LOAD_CACHE_KIB))
        with connection.cursor() as cur:
            dropped = _set_aside_sqlite(cur, loads, constraints)
        yield
        with connection.cursor() as cur:
            for sql in dropped:
                cur.execute(sql)
            if constraints:
                # fresh statistics for the planner, as on PostgreSQL. Without them SQLite reads a
                # table by its least selective index: the refresh then reads a whole period's
                # reports for every few thousand projects, quadratic in the size of the province.
                # Not sampled (PRAGMA analysis_limit): a sample of the first rows of a
                # (period, ...) index sees one period and makes it look selective
                for model in loads:
                    cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextlib.contextmanager
def page_cache(kib: int = BULK_LOAD_CACHE_KIB) -> Iterator[None]:
    """SQLite: a page cache of at least ``kib`` KiB for the block (restored after; nothing
    elsewhere). A transaction that writes tens of MB and reads them back (an import and the
    refresh of what it wrote) otherwise spills its pages to the WAL and reads them back from it."""
    held = getattr(connection, "_page_cache_kib", 0)  # an enclosing block's (no PRAGMA needed)
    if connection.vendor != "sqlite" or held >= kib:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache_size = int(cur.fetchone()[0])
        cur.execute(f"PRAGMA cache_size = {min(cache_size, -kib)}")
    connection._page_cache_kib = kib  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection._page_cache_kib = held  # type: ignore[attr-defined]
        with contextlib.suppress(DatabaseError), connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {cache_size}")


def _set_aside_sqlite(cur: Any, loads: Mapping[type[models.Model], int], constraints: bool) -> list[str]:
    """Drop the secondary indexes of the young tables of ``loads`` (see :func:`bulk_load`);
    their SQL, to re-create them."""
    qn = connection.ops.quote_name
    dropped: list[str] = []
    for model, rows in loads.items():
        table = model._meta.db_table
        if not constraints:
            if rows < BULK_LOAD_MIN_ROWS:
                continue
            cur.execute(f"SELECT MAX(id) FROM {qn(table)}")  # at least as many as it holds
            if (cur.fetchone()[0] or 0) >= rows:
                continue
        unique = "" if constraints else "AND sql NOT LIKE 'CREATE UNIQUE%%'"
        cur.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL {unique}",
            [table],
        )
        for name, sql in cur.fetchall():
            cur.execute(f"DROP INDEX {qn(name)}")
            dropped.append(sql)
    return dropped


def _pg_set_aside(tables: Sequence[type[models.Model]]) -> list[str]:
    """PostgreSQL: drop the unique constraints, foreign keys and secondary indexes of ``tables``;
    the statements that restore them (indexes first, foreign keys last)."""
    qn = connection.ops.quote_name
    indexes: list[str] = []
    foreign_keys: list[str] = []
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run pending checks: a table with some cannot be altered
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tables:
            table = model._meta.db_table
            cur.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [table],
            )
            for name, kind, definition in cur.fetchall():
                (foreign_keys if kind == "f" else indexes).append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            cur.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            for name, definition in cur.fetchall():
                indexes.append(definition)
                cur.execute(f"DROP INDEX {qn(name)}")
    return indexes + foreign_keys


__all__ = [
    "CHUNK",
    "BulkWriter",
    "bulk_load",
    "chunks",
    "insert_derived",
    "json_text",
    "sqlite_insert_many",
    "update_many",
    "update_versioned",
    "value_literal",
]


# --- the matching bulk read ------------------------------------------------------------------


def read_values(queryset: Any, *fields: str) -> list[tuple[Any, ...]]:
    """``queryset.values_list(*fields)`` as plain tuples, fast: the compiled query runs on the
    cursor and only the columns whose stored form differs from the Python value are converted
    (on SQLite: decimals, dates when the driver left them as text, and booleans; PostgreSQL's driver returns them as they are).
    Django's per-row converter machinery costs several times the query itself for tens of
    thousands of rows (the refresh after an import, ``make bench``). Fields may span relations
    (``period__month``), as in ``values_list``."""
    qs = queryset.values_list(*fields)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if connection.vendor != "sqlite" or not rows:
        return rows
    convert: list[tuple[int, Any]] = []
    compiler = qs.query.get_compiler(using=qs.db)
    select = compiler.get_select()[0] if hasattr(compiler, "get_select") else []
    for i, (col, _sql, _alias) in enumerate(select):
        target = getattr(col, "output_field", None)
        kind = target.get_internal_type() if target is not None else ""
        if kind == "DecimalField":
            convert.append((i, _sqlite_decimal(int(getattr(target, "decimal_places", 0) or 0))))
        elif kind == "DateField":
            convert.append((i, _sqlite_date))
        elif kind == "BooleanField":
            convert.append((i, bool))
    if not convert:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, fn in convert:
            v = values[i]
            if v is not None:
                values[i] = fn(v)
        out.append(tuple(values))
    return out


def _sqlite_date(value: Any) -> dt.date:
    """A date column: the driver's own ``date`` converter has usually run already."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _sqlite_decimal(places: int) -> Any:
    """A decimal column as SQLite returns it (int, float or text) → the Decimal Django's own
    converter gives: the float's shortest repr, at the field's decimal places."""
    exponent = Decimal(1).scaleb(-places)

    def convert(value: Any) -> Decimal:
        return (Decimal(value) if type(value) is int else Decimal(str(value))).quantize(exponent)

    return convert
