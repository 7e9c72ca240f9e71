"""Fast bulk UPDATE for hot paths (imports of hundreds of thousands of records).

Django's ``bulk_update`` builds one ``CASE WHEN`` expression per row and field, which costs
more than the database work itself at import sizes; this issues one parameterised
``UPDATE … WHERE id = %s`` per row through ``executemany``, with values prepared by each
field exactly as ``save()`` would prepare them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def fast_update(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(str(f.column))} = %s" for f in columns)  # type: ignore[union-attr]
    pk_column = str(meta.pk.column) if meta.pk else "id"
    # Table and column names come from the model, never from input; values are parameters.
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(pk_column)} = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]  # type: ignore[union-attr]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def fast_insert(objs: Sequence[models.Model]) -> None:
    """INSERT unsaved model instances with ``executemany``; primary keys are not read back.

    Values are prepared exactly as ``save()`` would (``pre_save`` fills ``auto_now`` fields,
    ``get_db_prep_save`` adapts JSON and binary values).
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from input; values are parameters.
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields] for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
