"""How the app's PostgreSQL connections are set up for the reports."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_reports_queries_run_without_jit_compilation():
    """JIT compiling cost the velocity report two thirds of its time (bench/)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
