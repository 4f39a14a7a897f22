from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import ImportJob, OnDuplicate
from integrations.services import imports


@pytest.fixture
def csv_upload() -> Callable[..., SimpleUploadedFile]:
    """A CSV upload from text lines, encoded as a spreadsheet would write it."""

    def make(*lines: str, encoding: str = "utf-8", name: str = "contacts.csv"):
        return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))

    return make


@pytest.fixture
def run_import(marketer, csv_upload, django_capture_on_commit_callbacks):
    """Import ``lines`` as the marketer would, and run the job to its end (as its task)."""

    def run(*lines: str, encoding: str = "utf-8", **options) -> ImportJob:
        options.setdefault("on_duplicate", OnDuplicate.SKIP)
        with django_capture_on_commit_callbacks(execute=False):
            job = imports.import_create(
                by=marketer, file=csv_upload(*lines, encoding=encoding), **options
            )
        return imports.import_run(job_id=job.pk)

    return run
