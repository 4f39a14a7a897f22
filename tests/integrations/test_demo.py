from django.test import override_settings

from demo.integrations import DEMO_FILE, SAMPLE_FILE, ensure_import
from integrations.models import ImportJob


def test_the_demo_shows_a_finished_import_with_its_bad_rows_once(marketer, tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        ensure_import({"marketer": marketer})
        ensure_import({"marketer": marketer})
    job = ImportJob.objects.get(file_name=DEMO_FILE)
    assert job.status == ImportJob.Status.DONE
    assert (job.processed_rows, job.created_count, job.rejected_count) == (600, 597, 3)
    assert job.rejections.first().line == 2  # row 0: the broken e-mail, under the header
    sample = (tmp_path / "demo" / SAMPLE_FILE).read_bytes()
    assert sample.count(b"\n") == 100_001
