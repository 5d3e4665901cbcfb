"""Lean queries for the saga's hot paths: the ORM's models and fields, without its per-call SQL compilation.

The one hand-written query layer beside the ORM, kept because a benchmark
shows the ORM costs far more than 15 % of the saga's end-to-end figure
(``make bench-saga``, PostgreSQL through psycopg 3 either way, same 2-core
machine and run):

- the saga's steps written with the ORM instead (``get``/``first``, ``create``,
  ``save(update_fields=...)``, ``QuerySet.update`` with ``F()``, the inbox
  record in a savepoint): 19.1 ms of CPU per purchase at 50 buyers (median of
  four passes, 16.9 to 21.4), against 11.8 ms (10.2 to 13.2) with these
  helpers; shop web 7.4 against 4.3 ms, shop worker 3.7 against 1.6, account
  worker 5.0 against 2.3; 40 against 79 purchases/s on a loaded machine;
- in one process, the account's debit step (inbox record, the buyer, a wallet
  debit): 3.3 to 3.6 ms of CPU with the ORM (psycopg 3 or psycopg2 alike),
  1.5 ms with these helpers.

Building and compiling a queryset costs 0.2 to 0.5 ms of CPU per statement,
several times what the database spends on a primary-key lookup. The helpers
cover the simple shapes those steps need (one row by equality, insert one
row, update some fields of one row); their SQL is built once per model and
shape from the model's metadata and reused, and values go through each
field's own ``get_db_prep_*``, so types (UUIDs, JSON, dates) are adapted as
the ORM would (``common/tests/test_queries.py`` compares them with the ORM).
The SQL text of a shape never changes, so PostgreSQL prepares it like any
repeated statement (``DATABASE_PREPARE_THRESHOLD``, ``common/settings/base.py``).

They send no model signals (``pre_save``/``post_save``), like ``QuerySet.update``.
Use the ORM everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

_SQL: dict[tuple, tuple[str, list]] = {}


def first_or_none(queryset: QuerySet[M]) -> M | None:
    """The first row of ``queryset`` in no particular order, or None.

    ``QuerySet.first()`` orders by the model's ``Meta.ordering`` (or the primary
    key) even when the filter names one row, and compiling that ``ORDER BY``
    costs a hot path real CPU. Use this for lookups that match at most one row.
    """
    return next(iter(queryset.order_by()[:1]), None)


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def select_one(
    model: type[M],
    *,
    where: Mapping[str, object],
    for_update: bool = False,
    related: str | None = None,
    using: str = "default",
) -> M | None:
    """The row of ``model`` whose fields equal ``where`` (``{"user_id": 7}``), or None.

    For lookups of at most one row (a primary key, a unique column). A list or
    tuple value matches any of its items (``IN``). ``for_update`` locks the row
    (``SELECT … FOR UPDATE``) in the caller's transaction; ``related`` names a
    foreign key whose row is read in the same statement (``select_related``;
    only ``model``'s row is locked).
    """
    connection = connections[using]
    names = list(where)
    sizes = tuple(len(v) if isinstance(v, (list, tuple)) else None for v in where.values())
    key = ("select", model, connection.vendor, tuple(names), sizes, for_update, related)
    if key not in _SQL:
        _SQL[key] = _select_sql(connection, model, names, sizes, for_update, related)
    sql, fields, converters, related_model = _SQL[key]
    params = []
    for field, value in zip(fields, where.values(), strict=True):
        values = value if isinstance(value, (list, tuple)) else [value]
        params.extend(field.get_db_prep_value(v, connection) for v in values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (col, functions) in enumerate(converters):
        for convert in functions:
            values[index] = convert(values[index], col, connection)
    own = len(model._meta.concrete_fields)
    obj = model.from_db(using, [f.attname for f in model._meta.concrete_fields], values[:own])
    if related_model is not None:
        names = [f.attname for f in related_model._meta.concrete_fields]
        setattr(obj, related, related_model.from_db(using, names, values[own:]))
    return obj


def _select_sql(connection, model, names, sizes, for_update: bool, related: str | None) -> tuple:
    table = _quote(connection, model._meta.db_table)
    fields = [model._meta.get_field(name) for name in names]
    conditions = []
    for field, size in zip(fields, sizes, strict=True):
        column = f"{table}.{_quote(connection, field.column)}"
        conditions.append(f"{column} = %s" if size is None else f"{column} IN ({', '.join(['%s'] * size)})")
    columns = [(model, f) for f in model._meta.concrete_fields]
    source, related_model = table, None
    if related is not None:
        foreign_key = model._meta.get_field(related)
        related_model = foreign_key.related_model
        other = _quote(connection, related_model._meta.db_table)
        target = _quote(connection, foreign_key.target_field.column)
        source += (
            f" INNER JOIN {other} ON {other}.{target} = {table}.{_quote(connection, foreign_key.column)}"
        )
        columns += [(related_model, f) for f in related_model._meta.concrete_fields]
    lock = ""
    if for_update and connection.features.has_select_for_update:
        lock = f" FOR UPDATE OF {table}" if related is not None else " FOR UPDATE"
    selected = ", ".join(
        f"{_quote(connection, m._meta.db_table)}.{_quote(connection, f.column)}" for m, f in columns
    )
    sql = f"SELECT {selected} FROM {source} WHERE {' AND '.join(conditions)} LIMIT 1{lock}"  # noqa: S608 - model identifiers
    return sql, fields, [_converters(connection, m, f) for m, f in columns], related_model


def execute(sql: str, params: list, *, using: str = "default") -> int:
    """Run a hand-written hot statement (``%s`` placeholders); returns rows changed.

    For the few statements the helpers cannot express (``stock = stock - 1``).
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _converters(connection, model, field) -> tuple:
    """``(column expression, functions)`` turning this field's database value into Python, as the ORM does."""
    col = field.get_col(model._meta.db_table)
    return col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]


def insert(obj: Model, *, using: str = "default", unless_exists: str | None = None) -> bool:
    """``INSERT`` ``obj`` as ``obj.save(force_insert=True)`` would, with SQL built once per model.

    Fields' ``pre_save`` runs (``auto_now``, ``auto_now_add``); an auto-increment
    primary key left empty is filled from ``RETURNING``. ``unless_exists`` names
    a unique field: a row with the same value already there makes the insert do
    nothing (``ON CONFLICT … DO NOTHING``, no error, no savepoint needed) and
    return False; a concurrent insert of that value makes it wait for the other
    transaction first. Returns True when the row was inserted.
    """
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    auto_pk = meta.pk if meta.pk.db_returning and getattr(obj, meta.pk.attname) is None else None
    key = ("insert", model, connection.vendor, auto_pk is not None, unless_exists)
    if key not in _SQL:
        fields = [f for f in meta.concrete_fields if f is not auto_pk]
        conflict = (
            f" ON CONFLICT ({_quote(connection, meta.get_field(unless_exists).column)}) DO NOTHING"
            if unless_exists
            else ""
        )
        returning = f" RETURNING {_quote(connection, auto_pk.column)}" if auto_pk is not None else ""
        sql = (
            f"INSERT INTO {_quote(connection, meta.db_table)} "  # noqa: S608 - model identifiers
            f"({', '.join(_quote(connection, f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}){conflict}{returning}"
        )
        _SQL[key] = (sql, fields)
    sql, fields = _SQL[key]
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if auto_pk is not None:
            row = cursor.fetchone()
            if row is None:
                return False
            setattr(obj, auto_pk.attname, row[0])
        elif cursor.rowcount == 0:
            return False
    obj._state.adding = False
    obj._state.db = using
    return True


def update_fields(obj: Model, fields: Iterable[str], *, using: str = "default") -> int:
    """``UPDATE`` these fields of ``obj``'s row, as ``obj.save(update_fields=...)``; returns rows changed.

    Fields' ``pre_save`` runs, so an ``auto_now`` field named here is set to now.
    """
    meta = type(obj)._meta
    values = {name: meta.get_field(name).pre_save(obj, add=False) for name in fields}
    return update_where(type(obj), where={meta.pk.name: obj.pk}, values=values, using=using)


def update_where(
    model: type[Model], *, where: Mapping[str, object], values: Mapping[str, object], using: str = "default"
) -> int:
    """``UPDATE`` the rows of ``model`` whose fields equal ``where`` to ``values``; returns rows changed.

    Like ``QuerySet.filter(**where).update(**values)`` for plain values (no
    expressions), with the SQL built once per shape.
    """
    connection = connections[using]
    key = ("update", model, connection.vendor, tuple(values), tuple(where))
    if key not in _SQL:
        targets = [model._meta.get_field(name) for name in values]
        conditions = [model._meta.get_field(name) for name in where]
        sql = (
            f"UPDATE {_quote(connection, model._meta.db_table)} "  # noqa: S608 - model identifiers
            f"SET {', '.join(f'{_quote(connection, f.column)} = %s' for f in targets)} "
            f"WHERE {' AND '.join(f'{_quote(connection, f.column)} = %s' for f in conditions)}"
        )
        _SQL[key] = (sql, (targets, conditions))
    sql, (targets, conditions) = _SQL[key]
    params = [f.get_db_prep_save(v, connection) for f, v in zip(targets, values.values(), strict=True)]
    params += [f.get_db_prep_value(v, connection) for f, v in zip(conditions, where.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
