import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reporting.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Count the funnel's rollup again from the contacts (PostgreSQL): after changing "
        "TIME_ZONE, or after loading contacts with the rollup's trigger disabled."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The rollup is kept on PostgreSQL only; SQLite counts contacts.")
        started = time.perf_counter()
        cells = rollups_rebuild()
        seconds = time.perf_counter() - started
        done = f"Rebuilt {cells:,} rollup cells in {seconds:.1f} s."
        self.stdout.write(self.style.SUCCESS(done))
