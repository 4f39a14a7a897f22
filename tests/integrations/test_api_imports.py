import csv
import io
import json
from unittest import mock

import pytest

from integrations import tasks
from integrations.models import ImportJob
from leads.models import Contact
from tests.factories import CampaignFactory

Status = ImportJob.Status


@pytest.fixture
def upload(api, marketer, csv_upload, django_capture_on_commit_callbacks):
    """POST a CSV file to the API as the marketer; the job's task is enqueued, not run."""

    def post(*lines: str, user=None, **fields):
        api.as_user(user or marketer)
        data = {"file": csv_upload(*lines), **fields}
        with (
            mock.patch.object(tasks.run_import, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = api.post("/api/v1/imports/", data, format="multipart")
        return response, delay

    return post


def test_uploading_a_file_queues_its_import_after_commit(upload):
    campaign = CampaignFactory()
    response, delay = upload(
        "Mail;Name",
        "ada@example.com;Ada",
        mapping=json.dumps({"Mail": "email", "Name": "first_name"}),
        on_duplicate="overwrite",
        campaign=campaign.pk,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["delimiter"] == ";"
    assert body["columns"] == ["Mail", "Name"]
    assert body["mapping"] == {"Mail": "email", "Name": "first_name"}
    assert (body["on_duplicate"], body["campaign"]) == ("overwrite", campaign.pk)
    delay.assert_called_once_with(body["id"])


def test_progress_and_report_are_read_from_the_job(upload, api):
    response, _ = upload("email,company size", "a@example.com,10", "bad,12", "b@example.com,x")
    job_id = response.json()["id"]
    tasks.run_import(job_id)
    body = api.get(f"/api/v1/imports/{job_id}/").json()
    assert body["status"] == "done"
    assert body["percent"] == 100
    assert (body["processed_rows"], body["created_count"], body["rejected_count"]) == (3, 1, 2)
    assert body["errors_url"] == f"/api/v1/imports/{job_id}/errors.csv"

    report = api.get(body["errors_url"])
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert rows == [
        ["line", "reason"],
        ["3", "email: not a valid e-mail address"],
        ["4", "company_size: 'x' is not a whole number"],
    ]


def test_a_running_job_is_cancelled_and_an_ended_one_answers_409(upload, api):
    response, _ = upload("email", "a@example.com")
    job_id = response.json()["id"]
    ImportJob.objects.filter(pk=job_id).update(status=Status.RUNNING)
    cancelled = api.post(f"/api/v1/imports/{job_id}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["cancel_requested"] is True
    tasks.run_import(job_id)
    assert api.get(f"/api/v1/imports/{job_id}/").json()["status"] == "cancelled"
    assert not Contact.objects.exists()

    ImportJob.objects.filter(pk=job_id).update(status=Status.DONE)
    conflict = api.post(f"/api/v1/imports/{job_id}/cancel/")
    assert conflict.status_code == 409
    assert conflict.json() == {"detail": "This import has ended already.", "status": "done"}


@pytest.mark.parametrize(
    ("lines", "fields", "errors"),
    [
        (
            ("Name", "Ada"),
            {},
            {"mapping": ["No column holds the e-mail address: map one to 'email'."]},
        ),
        (("email", "a@example.com"), {"mapping": "{not json"}, "mapping"),
        (("email", "a@example.com"), {"mapping": "[1]"}, "mapping"),
        (("email", "a@example.com"), {"on_duplicate": "merge"}, "on_duplicate"),
        (("email", "a@example.com"), {"campaign": 999999}, "campaign"),
    ],
)
def test_bad_options_are_400_with_field_messages_and_nothing_stored(upload, lines, fields, errors):
    response, delay = upload(*lines, **fields)
    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert errors in response.json()
    assert not ImportJob.objects.exists()
    delay.assert_not_called()


def test_a_missing_file_is_400(api, marketer):
    response = api.as_user(marketer).post("/api/v1/imports/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize("who", ["rep", "nobody"])
def test_only_marketing_and_managers_import(upload, api, request, who):
    user = request.getfixturevalue(who)
    response, _ = upload("email", "a@example.com", user=user)
    assert response.status_code == 403
    assert api.as_user(user).get("/api/v1/imports/").status_code == 403


def test_managers_import_too(upload, manager):
    response, _ = upload("email", "a@example.com", user=manager)
    assert response.status_code == 201


def test_unknown_job_is_404(api, marketer):
    api.as_user(marketer)
    assert api.get("/api/v1/imports/999/").status_code == 404
    assert api.get("/api/v1/imports/999/errors.csv").status_code == 404
    assert api.post("/api/v1/imports/999/cancel/").status_code == 404


def test_jobs_are_listed_newest_first_without_their_files(upload, api):
    upload("email", "a@example.com")
    upload("email", "b@example.com")
    response = api.get("/api/v1/imports/")
    assert response.status_code == 200
    ids = [job["id"] for job in response.json()["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    assert "content" not in response.json()["results"][0]
