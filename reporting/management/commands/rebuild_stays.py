import time

from django.core.management.base import BaseCommand

from reporting.services import stays_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the stage stays (time in stage, hand-off, SLA figures) from the transition "
        "history: after loading contacts or transitions in bulk without the lifecycle services."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = stays_rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count:,} stage stays in {seconds:.1f} s."))
