"""
CSV import of 100,000 rows (0.5 % of them bad) beside PostgreSQL's COPY of the same rows
into the same table, in the same run.

The import is the real job: the upload stored, every row parsed and checked, the chunks
upserted, the new contacts scored by the profile rules. Both run inside one transaction
that is rolled back at the end, so the data set is left as it was.

    python -m bench --only import
"""

import csv
import io
import time
from datetime import UTC, datetime

from .results import Result

ROWS = 100_000
DOMAIN = "bench-import.example"
BAD_EMAIL_EVERY = 400
BAD_SIZE_EVERY = 401
HEADER = (
    "Email",
    "First Name",
    "Last Name",
    "Company",
    "Job Title",
    "Employees",
    "Country",
    "Industry",
    "Phone",
    "Lead source",
)
SIZES = ("8", "25", "60", "150", "400", "1,200", "6000")
COUNTRIES = ("FR", "Germany", "GB", "ES", "nl", "United States", "BE")
TITLES = ("CMO", "Head of Marketing", "VP Sales", "RevOps Manager", "CEO", "Student")


def _row(n: int) -> tuple[str, ...]:
    email = f"import{n}@{DOMAIN}" if n % BAD_EMAIL_EVERY else f"import{n}-at-{DOMAIN}"
    size = SIZES[n % len(SIZES)] if n % BAD_SIZE_EVERY else "a few"
    return (
        email,
        f"First{n % 997}",
        f"Last{n % 991}",
        f"Company {n % 20_000}",
        TITLES[n % len(TITLES)],
        size,
        COUNTRIES[n % len(COUNTRIES)],
        "Software",
        f"+33 1 {n:08d}",
        "trade show" if n % 3 else "partner list",
    )


def _csv_bytes(rows: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _copy_rows(rows: list[tuple[str, ...]], now: datetime) -> list[tuple]:
    """The same valid rows as leads_contact rows, ready for COPY (parsed beforehand)."""
    return [
        (r[0], r[1], r[2], r[8], r[3], r[4], 25, r[7], "FR", '{"Lead source": "x"}', "contact")
        + (now, 0, 0, 0, "", now, now)
        for n, r in enumerate(rows)
        if n % BAD_EMAIL_EVERY and n % BAD_SIZE_EVERY
    ]


COPY_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "job_title",
    "company_size",
    "industry",
    "country",
    "attributes",
    "stage",
    "stage_changed_at",
    "score",
    "fit_score",
    "engagement_score",
    "currency",
    "created_at",
    "updated_at",
)


def run(contacts: int) -> list[Result]:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from integrations.models import OnDuplicate
    from integrations.services import imports

    from .copy import copy_rows

    rows = [_row(n) for n in range(ROWS)]
    data = _csv_bytes(rows)
    now = datetime.now(UTC)
    copy_input = _copy_rows(rows, now)

    with transaction.atomic():
        with transaction.atomic():
            started = time.perf_counter()
            copy_rows("leads_contact", COPY_COLUMNS, copy_input)
            copy_seconds = time.perf_counter() - started
            transaction.set_rollback(True)

        started = time.perf_counter()
        job = imports.import_create(
            by=None, file=SimpleUploadedFile("bench.csv", data), on_duplicate=OnDuplicate.SKIP
        )
        job = imports.import_run(job_id=job.pk)
        import_seconds = time.perf_counter() - started
        assert job.status == job.Status.DONE, job.error
        assert job.created_count == len(copy_input), (job.created_count, len(copy_input))
        rejected = job.rejected_count
        transaction.set_rollback(True)  # leave the data set as it was

    import_rate = ROWS / import_seconds
    copy_rate = len(copy_input) / copy_seconds
    ratio = import_rate and copy_rate / import_rate
    vendor = connection.vendor
    return [
        Result(
            f"import 100k-row CSV ({rejected} bad rows)",
            import_rate,
            "rows/s",
            "",
            f"{import_seconds:.1f} s, chunks of {settings.IMPORT_CHUNK_ROWS:,} rows",
        ),
        Result(
            f"COPY of the same rows ({vendor})", copy_rate, "rows/s", "", f"{copy_seconds:.1f} s"
        ),
        Result("import slower than COPY by", ratio, "x", "<= 10x"),
    ]
