"""
CSV export of every contact through the API (``/api/v1/exports/contacts.csv``): time, and
the peak memory of the process serving it.

The export runs in a child process, so its peak resident memory is the export's own and not
the data generator's: the figure is the child's peak RSS and its growth over the same
process just before the request (a streamed export keeps it flat).

    python -m bench --only export
"""

import json
import resource
import subprocess
import sys
import time

from .results import Result


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure() -> dict:
    """In the child: export everything as a manager would, counting rows and bytes."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="localhost")  # outside tests, "testserver" is not allowed
    client.force_authenticate(get_user_model().objects.get(username="bench-manager"))
    warm = client.get("/api/v1/exports/contacts.csv?score_min=1000000")
    b"".join(warm.streaming_content)
    before = _peak_rss_mb()
    started = time.perf_counter()
    response = client.get("/api/v1/exports/contacts.csv")
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {
        "seconds": time.perf_counter() - started,
        "rows": lines - 1,
        "megabytes": size / 1e6,
        "rss_before": before,
        "rss_peak": _peak_rss_mb(),
    }


def run(contacts: int) -> list[Result]:
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_export"],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    rows, seconds = figures["rows"], figures["seconds"]
    growth = figures["rss_peak"] - figures["rss_before"]
    return [
        Result(
            f"export {rows:,} contacts as CSV (streamed)",
            seconds,
            "s",
            "",
            f"{rows / seconds:,.0f} rows/s, {figures['megabytes']:,.0f} MB of CSV",
        ),
        Result(
            "export: peak memory of the serving process",
            figures["rss_peak"],
            "MB RSS",
            "flat",
            f"+{growth:,.1f} MB over the process before the request",
        ),
    ]


if __name__ == "__main__":
    from . import setup_django

    setup_django()
    print(json.dumps(measure()))
