from django.db import migrations


def drop_trigram_index(apps, schema_editor):
    """Look-alike names are found by walking the name-order indexes (``leads.duplicates``),
    as the full scan does: the GiST nearest-first search this index served took 74 ms at
    100k varied names (a GIN ``%`` search, 113 ms at 1M), over a page's 50 ms."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_key_gist")


def gist_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS contact_name_key_gist ON leads_contact "
            "USING gist (name_key gist_trgm_ops) WHERE name_key <> ''"
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0013_job_base_and_duplicate_scan")]

    operations = [migrations.RunPython(drop_trigram_index, gist_index)]
