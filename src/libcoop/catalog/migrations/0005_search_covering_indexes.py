"""Covering indexes for search: the facts filters and facets read of each candidate cluster,
and the back end's own (SQLite: doc_id, title_len; ``install`` is idempotent)."""

from typing import Any

from django.db import migrations, models


def install(apps: Any, schema_editor: Any) -> None:
    from libcoop.textsearch.backends import backend_for

    backend_for(schema_editor.connection).install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_search_covering_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="cluster",
            index=models.Index(
                fields=["id", "active", "format", "language", "year"],
                name="catalog_cluster_facts",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
