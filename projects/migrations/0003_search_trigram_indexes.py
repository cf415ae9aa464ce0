"""Trigram indexes for the free-text search of the dwelling list (PostgreSQL only).

Django's ``icontains`` becomes ``UPPER(col::text) LIKE UPPER('%...%')`` on PostgreSQL; a GIN trigram
index on that expression serves it. pg_trgm is a trusted extension: a database owner may create it.
On SQLite (the embedded default) this migration does nothing.
"""

from django.db import migrations

INDEXES = [
    ("projects_contact", "name", "contact_name_trgm"),
    ("projects_dwelling", "street", "dwelling_street_trgm"),
    ("projects_dwelling", "cluster", "dwelling_cluster_trgm"),
    ("projects_dwelling", "city", "dwelling_city_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_dwellings_and_jobs")]

    operations = [migrations.RunPython(create, drop)]
