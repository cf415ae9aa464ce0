"""An index for the history of one dwelling: the audit log's rows name it in additional_data.

PostgreSQL only (an expression index on the JSON key); SQLite, the embedded default, reads few rows.
"""

from django.db import migrations

INDEX = "auditlog_logentry_dwelling_id"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        expression = "(\"additional_data\" -> 'dwelling_id')"
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_dwelling_technician"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create, drop)]
