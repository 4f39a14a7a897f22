"""Build the stage stays of the moves made before the reporting app was installed."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from reporting.services import stays_rebuild

    stays_rebuild()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
