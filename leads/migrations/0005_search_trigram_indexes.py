"""Trigram indexes for the contact search (`q=`: name, e-mail or company contains).

Django's ``icontains`` on PostgreSQL is ``UPPER(col) LIKE UPPER(%s)``: a GIN index over
``UPPER(col) gin_trgm_ops`` serves it, and PostgreSQL combines the four with a BitmapOr.
Without them a search scans every contact (seconds at a million). SQLite has no such index.
"""

from django.db import migrations

COLUMNS = ("email", "first_name", "last_name", "company")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS contact_{column}_trgm ON leads_contact "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_definition")]

    operations = [migrations.RunPython(create, drop)]
