"""Fast multi-row writes for the hot paths (storing an extraction batch, claim analysis): one SQL
statement run by `executemany`. Django's `bulk_create` / `bulk_update` spent several times longer
preparing each value, or building CASE expressions, than the database spent storing them.

The one definition of such a write, so that each caller stays equivalent to the ORM:
`insert_rows` gives every column the caller leaves out its field's default, exactly as
`bulk_create` would (tests/articles/test_bulk.py compares the stored rows), and `update_rows`
sets the named fields of rows by primary key. Neither sends signals: callers that need
`post_save` semantics use the ORM (see `articles.services.common.log_events`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    now: dt.datetime | None = None,
    prepared: bool = False,
) -> None:
    """INSERT `rows` (values for `field_names`; a foreign key takes the id) into `model`'s table.
    Every other concrete column but the primary key and database defaults gets its field's
    default; `default=timezone.now` columns get `now` when it is given, so one batch shares one
    timestamp. `prepared`: the values are already what the database takes (ints, strings), so
    they skip the fields' conversion, the cost that matters on the hottest path."""
    rows = list(rows)
    if not rows:
        return
    given = [model._meta.get_field(name) for name in field_names]
    constant: list[tuple[models.Field, Any]] = []
    per_row: list[models.Field] = []
    for f in model._meta.concrete_fields:
        if f in given or f.primary_key or f.has_db_default():
            continue
        if now is not None and f.default is timezone.now:
            constant.append((f, now))
        elif f.has_default() and callable(f.default):
            per_row.append(f)
        else:
            constant.append((f, f.get_default()))
    columns = given + [f for f, _ in constant] + per_row
    fixed = tuple(f.get_db_prep_save(value, connection) for f, value in constant)
    ops = connection.ops
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    tuple(row)
                    if prepared
                    else tuple(f.get_db_prep_save(v, connection) for f, v in zip(given, row))
                )
                + fixed
                + tuple(f.get_db_prep_save(f.get_default(), connection) for f in per_row)
                for row in rows
            ],
        )


def update_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[tuple[Any, Sequence[Any]]],
    *,
    prepared: bool = False,
) -> None:
    """UPDATE `field_names` of each `(pk, values)` in `rows`: one statement, run once per row
    (`prepared` as for `insert_rows`)."""
    rows = list(rows)
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    ops = connection.ops
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields),
        ops.quote_name(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    list(values)
                    if prepared
                    else [f.get_db_prep_save(v, connection) for f, v in zip(fields, values)]
                )
                + [pk]
                for pk, values in rows
            ],
        )
