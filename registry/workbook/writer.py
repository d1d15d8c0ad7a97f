"""The bulk writer of imports (and of the demo registry): rows in batches, COPY on PostgreSQL,
with their history rows."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Max
from django.db.models.expressions import RawSQL
from django.utils import timezone

from registry import audit

BATCH = 2000


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    """Split long IN (...) lists: SQLite refuses more than 32,766 variables in one query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(queryset, field: str, values: list):
    """`queryset` filtered to the rows whose `field` is one of `values` (a chunk of them): on
    PostgreSQL as one array parameter, `= ANY(%s)`, where psycopg took ~10 ms to prepare each
    query of 2,000 parameters (0.4 s of an import that looks up 70,000 NIKs)."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": values})
    opts = queryset.model._meta
    quote = connection.ops.quote_name
    column = f"{quote(opts.db_table)}.{quote(opts.get_field(field).column)}"
    return queryset.filter(RawSQL(f"{column} = ANY(%s)", (list(values),),
                                  output_field=BooleanField()))


def insert_rows(model, rows: list[tuple], fields: Iterable[str] | None = None, *,
                binary: bool = False) -> int:
    """Insert rows — COPY on PostgreSQL, executemany elsewhere — each a tuple in the order of
    `fields`, by default the model's `bulk_columns` (every column without a database default);
    auto_now timestamps are filled in here. Returns the largest pk before the insert: the new
    rows are above it.

    With `binary`, the caller promises every value is of its column's own Python type (str for
    text, int for integers and keys, date, datetime, bool) or None: PostgreSQL's COPY then
    takes the rows in its binary form, which neither side turns into text and back (for the
    100,000 memberships of a district: 0.75 -> 0.5 s, the client's part 0.38 -> 0.08 s). A
    value of another type fails the COPY (and the import's transaction with it).

    For the importer's 100,000-row files bulk_create spends ~5× longer preparing model objects
    than the database spends writing them; no signals are sent either way."""
    opts = model._meta
    stamps = [
        f for f in opts.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    fields = list(model.bulk_columns if fields is None else fields)
    columns = [opts.get_field(name) for name in fields] + stamps
    # A date goes to SQLite as it is: Django registers sqlite3's adapter of dates, which writes
    # what adapt_datefield_value would (ISO text), in C (0.1 s of a district's file).
    adapt_date = None if connection.vendor == "sqlite" else connection.ops.adapt_datefield_value
    adapt = []
    for field in columns[: len(fields)]:
        kind = field.get_internal_type()
        adapt.append(
            connection.ops.adapt_datetimefield_value if kind == "DateTimeField"
            else adapt_date if kind == "DateField"
            else None
        )
    now = (connection.ops.adapt_datetimefield_value(timezone.now()),) * len(stamps)

    # Only the date and time columns are adapted (SQLite's executemany of a district's 170,000
    # rows: 0.11 -> 0.05 s a 100,000 rows, where every value went through a generator).
    adapted = [(index, a) for index, a in enumerate(adapt) if a is not None]

    def prepare(row: tuple) -> tuple:
        values = list(row)
        for index, a in adapted:
            value = values[index]
            if value is not None:
                values[index] = a(value)
        return tuple(values)

    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    before = model.objects.aggregate(last=Max("pk"))["last"] or 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command: ~5× faster than executemany there.
            # Django's PostgreSQL backend adapts no date or time itself (psycopg does): the
            # rows go as they are, not through prepare().
            form = " (FORMAT BINARY)" if binary else ""
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN{form}") as copy:
                if binary:
                    # A column's type without its length: varchar(10) is varchar.
                    copy.set_types([f.db_type(connection).split("(")[0] for f in columns])
                write = copy.write_row
                if now:
                    for row in rows:
                        write(row + now)
                else:
                    for row in rows:
                        write(row)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            for part in chunks(rows, BATCH):
                wrong = next((row for row in part if len(row) != len(adapt)), None)
                if wrong is not None:
                    raise ValueError(f"{len(wrong)} values for the {len(adapt)} columns {fields}")
                if adapted:
                    part = [prepare(row) for row in part]
                cursor.executemany(sql, [row + now for row in part] if now else part)
    if stamps:
        audit.record_inserted(model, before, now[0])
    return before


def inserted_ids(model, before: int, key: str) -> dict:
    """The rows insert_rows just wrote — those above `before`, its return value — as {key: pk},
    `key` a unique field: one query, where looking the rows up by key took one query per 2,000
    keys (35 for a district's NIKs)."""
    return dict(model.objects.filter(pk__gt=before).order_by().values_list(key, "pk"))


def same(instance, values: dict[str, Any]) -> bool:
    """Whether a model instance already holds these field values."""
    return all(getattr(instance, name) == value for name, value in values.items())


def update_statistics() -> None:
    """After a bulk write, tell SQLite's query planner the tables' new sizes: without statistics
    it walks a large area's groups row by row where reading an index in order is many times
    faster. (0.4 s for a city of 100,000 groups; PostgreSQL's autovacuum does this itself.)"""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
