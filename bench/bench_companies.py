"""Companies grouped and scored, as the beat does every few minutes (run in-process).

The first round makes every company and links every contact; a later round moves nobody
and rewrites only the companies whose figures changed. The floor, in the same run, is one
set-based UPDATE touching every contact (``SET account_id = account_id``): what any pass
that rewrote the contacts would cost at least.
"""

import time

from .results import Result


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _floor() -> float:
    from django.db import connection, transaction

    from leads.companies import CONTACTS

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"UPDATE {CONTACTS} SET account_id = account_id")
        return time.perf_counter() - started


def run(contacts: int) -> list[Result]:
    from leads.models import Company, Contact
    from scoring import services
    from scoring.companies import companies_score

    services.settings_update(company_aggregate="top", company_top_n=3)
    Contact.objects.update(account=None)
    Company.objects.all().delete()
    first = _seconds(companies_score)
    steady = sorted(_seconds(companies_score) for _ in range(3))[1]
    floor = _floor()
    companies = Company.objects.filter(contact_count__gt=0).count()
    grouped = Contact.objects.filter(account__isnull=False).count()
    return [
        Result(
            "companies: first grouping and scoring",
            first,
            "s",
            "",
            f"{companies:,} companies, {grouped:,} of {contacts:,} contacts grouped",
        ),
        Result("companies: a later round (median of 3)", steady, "s", "< 60 s"),
        Result("one UPDATE of every contact (floor)", floor, "s"),
        Result("companies round vs the floor", steady / floor, "x", "<= 3x"),
    ]
