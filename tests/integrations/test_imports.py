import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from integrations.models import ImportJob, OnDuplicate
from integrations.services import imports
from leads import signals
from leads.models import Contact
from leads.stages import Stage
from scoring.models import Dimension, Operator, Rule
from scoring.services import rule_create
from tests.factories import CampaignFactory, ContactFactory
from tests.utils import receiving

Status = ImportJob.Status
HEADER = "Email,First Name,Last Name,Company,Company size,Country,Favourite colour"


def contact(email: str) -> Contact:
    return Contact.objects.get(email__iexact=email)


def test_rows_become_contacts_with_their_fields_and_extra_columns_as_attributes(run_import):
    campaign = CampaignFactory()
    job = run_import(
        HEADER,
        "ada@example.com,Ada,Lovelace,Analytical Engines,1200,GB,green",
        "alan@example.com,Alan,Turing,,,France,",
        campaign=campaign,
    )
    assert job.status == Status.DONE
    assert (job.created_count, job.updated_count, job.skipped_count, job.rejected_count) == (
        2,
        0,
        0,
        0,
    )
    assert job.processed_rows == job.total_rows == 2
    ada = contact("ada@example.com")
    assert (ada.first_name, ada.last_name, ada.company) == (
        "Ada",
        "Lovelace",
        "Analytical Engines",
    )
    assert (ada.company_size, ada.country.code) == (1200, "GB")
    assert ada.attributes == {"Favourite colour": "green"}
    assert ada.campaign == campaign
    assert ada.stage == Stage.CONTACT
    alan = contact("alan@example.com")
    assert (alan.country.code, alan.company, alan.company_size, alan.attributes) == (
        "FR",
        "",
        None,
        {},
    )
    assert job.content is None  # the file is dropped once imported


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8-sig", True), ("cp1252", False), ("latin-1", False)],
)
def test_files_in_the_encodings_spreadsheets_write_import_the_same(run_import, encoding, bom):
    job = run_import(
        "email;prénom;société", "chloe@example.com;Chloé;Société Générale", encoding=encoding
    )
    assert job.encoding == ("utf-8-sig" if bom else "utf-8" if encoding == "utf-8" else "cp1252")
    assert job.delimiter == ";"
    chloe = contact("chloe@example.com")
    assert (chloe.first_name, chloe.company) == ("Chloé", "Société Générale")


def test_the_users_mapping_decides_where_columns_go(run_import):
    run_import(
        "Work mail,Private mail,Nickname",
        "ada@work.example,ada@home.example,Countess",
        mapping={"Work mail": "email", "Private mail": "ignore", "Nickname": "first_name"},
    )
    ada = contact("ada@work.example")
    assert ada.first_name == "Countess"
    assert ada.attributes == {}
    assert not Contact.objects.filter(email="ada@home.example").exists()


def test_bad_rows_are_reported_with_their_line_and_the_others_imported(run_import):
    job = run_import(
        "email,notes,company size",
        "good1@example.com,,10",
        'not-an-email,"a note on',
        'two lines",5',
        "",
        "good2@example.com,,ten",
        "good3@example.com,,",
        ",,3",
    )
    assert job.status == Status.DONE
    assert (job.created_count, job.rejected_count) == (2, 3)
    assert list(job.rejections.values_list("line", "reason")) == [
        (3, "email: not a valid e-mail address"),
        (6, "company_size: 'ten' is not a whole number"),
        (8, "email: missing"),
    ]
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "good1@example.com",
        "good3@example.com",
    }


@pytest.fixture
def known(rep):
    """A contact the sales team works on: the import must not touch its lifecycle."""
    return ContactFactory(
        email="Known@Example.com",
        first_name="",
        last_name="Known",
        company="Old Co",
        company_size=None,
        attributes={"source": "fair", "colour": "blue"},
        stage=Stage.SQL,
        owner=rep,
    )


ROW = (
    "email,first name,last name,company,company size,colour",
    "known@example.com,Kim,New,,50,red",
)


def test_skip_leaves_a_known_email_as_it_is(run_import, known):
    job = run_import(*ROW, on_duplicate=OnDuplicate.SKIP)
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, 1)
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.company_size) == ("", "Known", None)


def test_update_blanks_fills_only_what_the_contact_lacks(run_import, known, rep):
    job = run_import(*ROW, on_duplicate=OnDuplicate.UPDATE_BLANKS)
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 1, 0)
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.company) == ("Kim", "Known", "Old Co")
    assert known.company_size == 50
    assert known.attributes == {"source": "fair", "colour": "blue"}
    assert (known.email, known.stage, known.owner) == ("Known@Example.com", Stage.SQL, rep)


def test_overwrite_replaces_with_the_files_values_but_never_with_blanks(run_import, known, rep):
    job = run_import(*ROW, on_duplicate=OnDuplicate.OVERWRITE)
    assert (job.created_count, job.updated_count) == (0, 1)
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.company) == ("Kim", "New", "Old Co")
    assert known.company_size == 50
    assert known.attributes == {"source": "fair", "colour": "red"}
    assert (known.stage, known.owner) == (Stage.SQL, rep)


@pytest.mark.parametrize("had_one", [True, False])
def test_a_known_contact_keeps_its_campaign_first_touch_wins(run_import, known, had_one):
    first = CampaignFactory() if had_one else None
    Contact.objects.filter(pk=known.pk).update(campaign=first)
    run_import(*ROW, on_duplicate=OnDuplicate.OVERWRITE, campaign=CampaignFactory())
    known.refresh_from_db()
    assert known.campaign == first


def test_an_erased_contact_is_not_revived_by_its_old_email(run_import):
    erased = ContactFactory(email=None, erased_at="2026-01-01T00:00:00Z", first_name="")
    job = run_import(
        "email,first name", "gone@example.com,Back", on_duplicate=OnDuplicate.OVERWRITE
    )
    assert job.created_count == 1
    erased.refresh_from_db()
    assert erased.first_name == ""


@pytest.mark.parametrize(
    ("policy", "counts", "first_name"),
    [
        (OnDuplicate.SKIP, (1, 0, 1), "First"),
        (OnDuplicate.UPDATE_BLANKS, (1, 1, 0), "First"),
        (OnDuplicate.OVERWRITE, (1, 1, 0), "Second"),
    ],
)
def test_the_same_email_twice_in_a_file_is_applied_in_file_order(
    run_import, policy, counts, first_name
):
    job = run_import(
        "email,first name,company",
        "twice@example.com,First,",
        "TWICE@example.com,Second,Acme",
        on_duplicate=policy,
    )
    assert (job.created_count, job.updated_count, job.skipped_count) == counts
    assert Contact.objects.count() == 1
    twice = contact("twice@example.com")
    assert twice.first_name == first_name
    assert twice.company == ("" if policy == OnDuplicate.SKIP else "Acme")


@pytest.mark.parametrize("policy", list(OnDuplicate))
def test_reimporting_the_same_file_creates_no_duplicates_and_changes_nothing(run_import, policy):
    lines = (HEADER, "ada@example.com,Ada,Lovelace,AE,12,GB,green", "bob@example.com,Bob,,,,,")
    run_import(*lines, on_duplicate=policy)
    before = list(Contact.objects.order_by("pk").values())
    again = run_import(*lines, on_duplicate=policy)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)
    after = list(Contact.objects.order_by("pk").values())
    assert [(c["id"], c["first_name"], c["attributes"]) for c in after] == [
        (c["id"], c["first_name"], c["attributes"]) for c in before
    ]


def test_new_contacts_are_announced_for_scoring_and_webhooks(run_import):
    with receiving(signals.contacts_created) as received:
        run_import("email", "a@example.com", "b@example.com")
    assert [sorted(r["contact_ids"]) for r in received] == [
        sorted(Contact.objects.values_list("pk", flat=True))
    ]


def test_imported_and_updated_contacts_get_their_profile_score(run_import, known):
    Rule.objects.update(active=False)  # only this test's rule counts
    rule_create(
        name="Mid-market",
        dimension=Dimension.FIT,
        points=15,
        attribute="company_size",
        operator=Operator.GTE,
        value=50,
    )
    run_import(
        "email,company size",
        "big@example.com,500",
        "small@example.com,5",
        "known@example.com,50",
        on_duplicate=OnDuplicate.UPDATE_BLANKS,
    )
    assert contact("big@example.com").fit_score == 15
    assert contact("small@example.com").fit_score == 0
    assert contact("known@example.com").fit_score == 15


@override_settings(IMPORT_CHUNK_ROWS=2)
def test_progress_moves_chunk_by_chunk(run_import):
    seen = []

    def progress(**kwargs):
        seen.append(ImportJob.objects.get().processed_rows)

    signals.contacts_created.connect(progress, weak=False)
    try:
        job = run_import("email", *(f"p{n}@example.com" for n in range(5)))
    finally:
        signals.contacts_created.disconnect(progress)
    assert seen == [0, 2, 4]
    assert job.processed_rows == 5


@override_settings(IMPORT_CHUNK_ROWS=2)
def test_a_cancelled_job_stops_after_the_current_chunk(run_import):
    def cancel_during_first_chunk(**kwargs):
        imports.import_cancel(job=ImportJob.objects.get())

    signals.contacts_created.connect(cancel_during_first_chunk, weak=False)
    try:
        job = run_import("email", *(f"c{n}@example.com" for n in range(6)))
    finally:
        signals.contacts_created.disconnect(cancel_during_first_chunk)
    assert job.status == Status.CANCELLED
    assert (job.processed_rows, job.created_count) == (2, 2)
    assert Contact.objects.count() == 2
    assert job.content is None


def test_a_job_cancelled_before_it_runs_imports_nothing(marketer, csv_upload):
    job = imports.import_create(by=marketer, file=csv_upload("email", "x@example.com"))
    imports.import_cancel(job=job)
    job = imports.import_run(job_id=job.pk)
    assert job.status == Status.CANCELLED
    assert not Contact.objects.exists()


def test_an_ended_job_cannot_be_cancelled(run_import):
    job = run_import("email", "x@example.com")
    with pytest.raises(imports.StateConflict):
        imports.import_cancel(job=job)


@override_settings(IMPORT_CHUNK_ROWS=2)
def test_a_job_whose_worker_died_resumes_after_the_last_committed_chunk(marketer, csv_upload):
    job = imports.import_create(
        by=marketer, file=csv_upload("email", *(f"r{n}@example.com" for n in range(5)))
    )
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    signals.contacts_created.connect(crash_on_second_chunk, weak=False)
    try:
        with pytest.raises(RuntimeError):
            imports.import_run(job_id=job.pk)
    finally:
        signals.contacts_created.disconnect(crash_on_second_chunk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, Contact.objects.count()) == (Status.RUNNING, 2, 2)

    job = imports.import_run(job_id=job.pk)  # the task, delivered again
    assert (job.status, job.processed_rows, job.created_count) == (Status.DONE, 5, 5)
    assert Contact.objects.count() == 5


def test_a_second_task_on_a_running_job_does_not_apply_a_chunk_twice(marketer, csv_upload):
    job = imports.import_create(by=marketer, file=csv_upload("email", "once@example.com"))
    imports.import_run(job_id=job.pk)
    job = imports.import_run(job_id=job.pk)
    assert (job.created_count, job.processed_rows) == (1, 1)


def test_a_job_with_no_progress_for_long_is_found_for_requeueing(marketer, csv_upload):
    from datetime import timedelta

    from django.utils import timezone

    job = imports.import_create(by=marketer, file=csv_upload("email", "a@example.com"))
    later = timezone.now() + timedelta(hours=1)
    assert imports.imports_stalled(now=later) == [job.pk]
    imports.import_run(job_id=job.pk)
    assert imports.imports_stalled(now=later) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n", "The file is empty."),
        (b",,\r\na@example.com,,\r\n", "The first line must name the columns."),
    ],
)
def test_a_file_without_rows_or_header_is_refused(marketer, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as caught:
        imports.import_create(by=marketer, file=SimpleUploadedFile("x.csv", content))
    assert caught.value.message_dict == {"file": [message]}
    assert not ImportJob.objects.exists()


@override_settings(IMPORT_MAX_BYTES=10)
def test_a_file_over_the_size_limit_is_refused(marketer, csv_upload):
    with pytest.raises(ValidationError) as caught:
        imports.import_create(by=marketer, file=csv_upload("email", "long@example.com"))
    assert "larger than" in caught.value.message_dict["file"][0]


def test_a_draft_waits_for_its_mapping_then_starts(
    marketer, csv_upload, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imports.import_create(
            by=marketer, file=csv_upload("Contact,Name", "x@example.com,X"), start=False
        )
    assert (job.status, callbacks) == (Status.DRAFT, [])
    assert job.mapping == {"Contact": "attribute", "Name": "attribute"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imports.import_start(job=job, mapping={"Contact": "email"}, on_duplicate=OnDuplicate.SKIP)
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert len(callbacks) == 1
    with pytest.raises(imports.StateConflict):
        imports.import_start(job=job, mapping={"Contact": "email"}, on_duplicate=OnDuplicate.SKIP)


def test_abandoned_drafts_are_dropped_with_their_file(marketer, csv_upload):
    from datetime import timedelta

    from django.utils import timezone

    old = imports.import_create(
        by=marketer,
        file=csv_upload("email", "a@example.com"),
        start=False,
        now=timezone.now() - timedelta(days=2),
    )
    imports.import_create(by=marketer, file=csv_upload("email", "b@example.com"), start=False)
    assert not ImportJob.objects.filter(pk=old.pk).exists()


def test_rows_that_look_like_a_contact_already_here_are_warned_of(run_import, api, marketer):
    here = ContactFactory(email="grace@navy.mil", phone="+33 6 11 22 33 44")
    job = run_import(
        "email,phone",
        "someone@example.com,06 99 88 77 66",
        "grace.hopper@gmail.com,06 11 22 33 44",  # the same phone, typed the national way
        "grace.hopper@gmail.com,06 11 22 33 44",  # the same row again: no second warning
    )
    assert (job.created_count, job.look_alike_count) == (2, 1)
    (warning,) = job.look_alikes.all()
    new = contact("grace.hopper@gmail.com")
    assert (warning.line, warning.contact, warning.looks_like) == (3, new, here)
    assert warning.score == 0.85
    pairs = api.as_user(marketer).get("/api/v1/duplicates/").json()["results"]
    assert [(p["first"]["id"], p["second"]["id"]) for p in pairs] == [(here.pk, new.pk)]
    shown = api.as_user(marketer).get(f"/api/v1/imports/{job.pk}/").json()
    assert shown["look_alike_count"] == 1
