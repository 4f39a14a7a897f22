"""The import page in Chromium: upload, confirm the columns, watch the bar reach the end."""

import re
from unittest import mock

import pytest
from playwright.sync_api import expect

from demo.integrations import sample_csv
from integrations import tasks
from integrations.models import ImportJob
from integrations.services import imports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_imports_a_file_and_watches_its_progress(
    page, log_in, live_server, marketer, tmp_path, screenshot
):
    upload = tmp_path / "trade-show.csv"
    upload.write_bytes(sample_csv(1200))
    log_in("marketer")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("trade-show.csv")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("email")
    expect(page.get_by_label("Prénom")).to_have_value("first_name")
    expect(page.get_by_label("Met at")).to_have_value("attribute")
    page.get_by_label("Met at").select_option("ignore")
    screenshot(page, "import_mapping")
    with mock.patch.object(tasks.run_import, "delay") as delay:
        page.get_by_role("button", name="Import").click()
        expect(page.locator("[data-field=status_display]")).to_have_text(re.compile("Queued"))
    job = ImportJob.objects.get()
    delay.assert_called_once_with(job.pk)

    imports.import_run(job_id=job.pk)  # the worker's part; the page polls the API meanwhile
    expect(page.locator("[data-field=status_display]")).to_have_text("Done")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-field=created_count]")).to_have_text("1194")
    expect(page.locator("[data-field=rejected_count]")).to_have_text("6")
    expect(page.get_by_role("link", name=re.compile("Download the rejected rows"))).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the import")).to_have_count(0)
    screenshot(page, "import_done")
