"""
CSV import of 100,000 rows (about 0.5 % of them bad) beside PostgreSQL's COPY of the same
rows into the same table, in the same run.

The import is the real job: the upload stored, every row parsed and checked, the chunks
upserted, the new contacts announced and scored by the profile rules. COPY gets the rows
already parsed. Both run inside one transaction that is rolled back at the end, so the data
set is left as it was.

    python -m bench --only import
"""

import time
from datetime import UTC, datetime

from .results import Result

ROWS = 100_000
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


def _copy_input(data: bytes, now: datetime) -> list[tuple]:
    """The file's valid rows as leads_contact rows, parsed by the import's own cleaner."""
    import json

    from integrations.csvfiles import read_records
    from integrations.mapping import RowCleaner, RowRejected, guess_mapping, unique_columns

    records = read_records(data.decode("utf-8"), ";")
    _, header = next(records)
    columns = unique_columns(header)
    cleaner = RowCleaner(columns, guess_mapping(columns))
    rows = []
    for line, cells in records:
        try:
            row = cleaner.clean(line, cells)
        except RowRejected:
            continue
        fields = [row.values.get(name, "") for name in COPY_COLUMNS[:6]]
        fields += [row.values.get("company_size"), row.values.get("industry", "")]
        fields += [row.values.get("country", ""), json.dumps(row.attributes), "contact"]
        rows.append((*fields, now, 0, 0, 0, "", now, now))
    return rows


def run(contacts: int) -> list[Result]:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from demo.integrations import sample_csv
    from integrations.models import OnDuplicate
    from integrations.services import imports

    from .copy import copy_rows

    data = sample_csv(ROWS, domain="bench-import.example")
    copy_input = _copy_input(data, datetime.now(UTC))

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
        transaction.set_rollback(True)  # leave the data set as it was

    import_rate = ROWS / import_seconds
    copy_rate = len(copy_input) / copy_seconds
    return [
        Result(
            f"import 100k-row CSV, {job.rejected_count} bad rows",
            import_rate,
            "rows/s",
            "",
            f"{import_seconds:.1f} s, chunks of {settings.IMPORT_CHUNK_ROWS:,} rows",
        ),
        Result(
            f"COPY of the same rows ({connection.vendor})",
            copy_rate,
            "rows/s",
            "",
            f"{copy_seconds:.1f} s",
        ),
        Result("import slower than COPY by", copy_rate / import_rate, "x", "<= 10x"),
    ]
