"""
Indexes the reports read through, on PostgreSQL covering ones (INCLUDE) so that counting is an
index-only scan: the cohort funnel (created_at), each stage's first-reached time (period
funnel, targets), and the stays by stage and start (velocity, hand-off).

The leads tables are not this app's, so no ``AddIndex`` on their models: plain SQL, built
``CONCURRENTLY`` on PostgreSQL (no write lock on a live contacts table, hence a non-atomic
migration), ``IF NOT EXISTS`` so a re-run or an index made by hand is harmless. SQLite has no
INCLUDE: the same key columns are indexed there.
"""

from django.db import migrations

STAGES = ("lead", "mql", "sql", "qso", "client")

# name, table, key columns, covered columns (PostgreSQL), partial condition
INDEXES = [
    (
        "reporting_contact_cohort",
        "leads_contact",
        "created_at",
        "campaign_id, owner_id, lead_at, mql_at, sql_at, qso_at, client_at",
        "",
    ),
    *[
        (
            f"reporting_contact_{stage}_at",
            "leads_contact",
            f"{stage}_at",
            "campaign_id, owner_id",
            f"{stage}_at IS NOT NULL",
        )
        for stage in STAGES
    ],
    (
        "reporting_stay_stage_entered",
        "reporting_stagestay",
        "stage, entered_at",
        "duration, exit_id, exit_move, exit_stage, exit_by_id, owner_id, campaign_id",
        "",
    ),
]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, columns, covered, condition in INDEXES:
        sql = f"CREATE INDEX {'CONCURRENTLY ' if postgres else ''}IF NOT EXISTS {name} "
        sql += f"ON {table} ({columns})"
        if postgres:
            sql += f" INCLUDE ({covered})"
        if condition:
            sql += f" WHERE {condition}"
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX {'CONCURRENTLY ' if postgres else ''}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("reporting", "0002_stays_from_history")]

    operations = [migrations.RunPython(create, drop)]
