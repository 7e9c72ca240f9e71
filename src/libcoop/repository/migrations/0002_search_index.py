"""Create the digital collection's search indexes beside the catalog's (same back end: SQLite
FTS5 or PostgreSQL tsvector/GIN): ``repository_search`` (what everyone's search reads) and
``repository_restricted`` (the text of files that are not open, read only for readers who may
open them). See ``repository/search.py``."""

from typing import Any

from django.db import migrations

INDEXES = ("repository_search", "repository_restricted")


def install(apps: Any, schema_editor: Any) -> None:
    from libcoop.textsearch.backends import backend_for

    for name in INDEXES:
        backend_for(schema_editor.connection, name=name).install(schema_editor.connection)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from libcoop.textsearch.backends import backend_for

    for name in INDEXES:
        backend_for(schema_editor.connection, name=name).uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("repository", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
