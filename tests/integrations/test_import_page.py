from unittest import mock

import pytest

from integrations import tasks
from integrations.models import ImportJob
from tests.factories import CampaignFactory, ContactFactory

Status = ImportJob.Status


@pytest.fixture
def importer(client, marketer):
    client.force_login(marketer)
    return client


def test_upload_then_confirm_the_mapping_then_watch_the_progress(
    importer, csv_upload, django_capture_on_commit_callbacks
):
    page = importer.get("/imports/")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content

    response = importer.post(
        "/imports/", {"file": csv_upload("Courriel;Prénom;Hobby", "zoe@example.com;Zoé;chess")}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == Status.DRAFT

    mapping = importer.get(f"/imports/{job.pk}/")
    html = mapping.content.decode()
    assert "zoe@example.com" in html  # the first values help choose
    assert '<option value="email" selected>' in html
    assert "by semicolons" in html

    campaign = CampaignFactory()
    form = {
        "column_0": "email",
        "column_1": "first_name",
        "column_2": "ignore",
        "on_duplicate": "update_blanks",
        "campaign": campaign.pk,
    }
    with (
        mock.patch.object(tasks.run_import, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        started = importer.post(f"/imports/{job.pk}/", form)
    assert started.status_code == 302
    delay.assert_called_once_with(job.pk)
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert job.mapping == {"Courriel": "email", "Prénom": "first_name", "Hobby": "ignore"}
    assert (job.on_duplicate, job.campaign) == ("update_blanks", campaign)

    progress = importer.get(f"/imports/{job.pk}/").content.decode()
    assert 'role="progressbar"' in progress
    assert f'data-url="/api/v1/imports/{job.pk}/"' in progress
    assert "import_progress.js" in progress
    assert "Cancel the import" in progress


def test_a_mapping_without_email_shows_the_error_on_the_form(importer, csv_upload):
    importer.post("/imports/", {"file": csv_upload("email,name", "a@example.com,A")})
    job = ImportJob.objects.get()
    form = {"column_0": "attribute", "column_1": "first_name", "on_duplicate": "skip"}
    response = importer.post(f"/imports/{job.pk}/", form)
    assert response.status_code == 200
    assert "No column holds the e-mail address" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.DRAFT


def test_an_empty_file_is_an_error_on_the_upload_form(importer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = importer.post("/imports/", {"file": SimpleUploadedFile("x.csv", b"\n")})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_the_report_of_an_ended_job_links_its_errors(importer, run_import):
    job = run_import("email", "bad")
    html = importer.get(f"/imports/{job.pk}/").content.decode()
    assert f'href="/api/v1/imports/{job.pk}/errors.csv"' in html
    assert "Cancel the import" not in html
    listing = importer.get("/imports/").content.decode()
    assert job.file_name in listing


def test_the_report_lists_the_rows_that_look_like_another_contact(importer, run_import):
    here = ContactFactory(email="ada@example.com", phone="+33 6 11 22 33 44")
    job = run_import("email,phone", "ada.l@example.org,06 11 22 33 44")
    html = importer.get(f"/imports/{job.pk}/").content.decode()
    assert "Rows that look like another contact" in html
    assert f'href="/contacts/{here.pk}/"' in html and "85 %" in html
    new = job.look_alikes.get().contact_id
    assert f'href="/duplicates/?contact={new}"' in html


def test_cancel_from_the_page(importer, csv_upload):
    importer.post("/imports/", {"file": csv_upload("email", "a@example.com")})
    job = ImportJob.objects.get()
    response = importer.post(f"/imports/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.CANCELLED


@pytest.mark.parametrize("who", ["rep", "nobody"])
def test_the_import_page_is_for_marketing_and_managers(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/imports/").status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/imports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
