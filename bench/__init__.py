"""Benchmarks and the synthetic data generator. Run everything with `make bench`.

Benchmarks run against ``DATABASE_URL`` (PostgreSQL for figures worth reporting) with
DEBUG off; they never run inside the test suite.
"""

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadfunnel.settings.local")
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory
    import django

    django.setup()
