"""Duplicate detection: the look-alikes of one contact as the API answers them (the
warning on a contact page), and a step of the full scan that stores every pair."""

import time

from .results import Result, median_ms

SCAN_STEP = 2_000


def run(contacts: int) -> list[Result]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from leads.duplicates import pairs_scan
    from leads.models import Contact

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

    started = time.perf_counter()
    pairs_scan(after=contacts // 2, size=SCAN_STEP)
    per_contact = (time.perf_counter() - started) / SCAN_STEP
    return [
        Result(
            "duplicates: look-alikes of one contact", median_ms(look_alikes), "ms p50", "< 50 ms"
        ),
        Result(
            f"duplicates: full scan, extrapolated from {SCAN_STEP:,} contacts",
            round(per_contact * contacts, 1),
            "s",
            "",
        ),
    ]
