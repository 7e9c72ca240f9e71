"""Create the search back end's index tables (SQLite FTS5 or PostgreSQL tsvector/GIN)."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from libcoop.textsearch.backends import backend_for

    backend_for(schema_editor.connection).install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
