"""Duplicate detection: the look-alikes of one contact as the API answers them (the
warning on a contact page), and the full scan that stores every pair, as the background
job runs it."""

import time

from .results import Result, median_ms


def run(contacts: int) -> list[Result]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from leads.duplicates import scan_run, scan_start
    from leads.models import Contact, DuplicatePair

    manager = get_user_model().objects.get(username="bench-manager")
    client = APIClient(HTTP_HOST="localhost")  # outside tests, "testserver" is not allowed
    client.force_authenticate(manager)
    step = max(1, contacts // 7)
    ids = list(
        Contact.objects.filter(pk__in=range(1, contacts + 1, step)).values_list("pk", flat=True)
    )
    turn = iter(range(10**9))

    def look_alikes():
        pk = ids[next(turn) % len(ids)]
        response = client.get(f"/api/v1/contacts/{pk}/duplicates/")
        assert response.status_code == 200, response.content

    DuplicatePair.objects.filter(dismissed_at__isnull=True).delete()
    started = time.perf_counter()
    scan = scan_run(scan_start(by=manager, enqueue=False).pk)
    took = time.perf_counter() - started
    return [
        Result(
            "duplicates: look-alikes of one contact", median_ms(look_alikes), "ms p50", "< 50 ms"
        ),
        Result(
            f"duplicates: full scan ({scan.found:,} pairs)", round(took, 1), "s", "background job"
        ),
        Result(
            "duplicates: full scan per contact",
            round(took / max(scan.done, 1) * 1e6),
            "us",
            "",
        ),
    ]
