"""Built the stage stays of the moves made before the reporting app was installed.

The rebuild ran the current ``reporting.services.stays_rebuild``, which writes columns that
later migrations add; it now runs in 0007 (``stays_from_history``), once they exist.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = []
