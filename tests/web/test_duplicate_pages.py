"""The duplicates page: pairs side by side, a merge choosing field by field, keeping two
apart, the undo; the contact page's warning for every role and the merged record's
redirect."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from leads.duplicates import pairs_refresh, scan_run
from leads.models import Contact, DuplicatePair, Merge
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
LIST = reverse("leads:duplicate_list")


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def pair(db):
    first = ContactFactory(phone="+33 6 12 34 56 78", job_title="CTO", company="Acme")
    second = ContactFactory(
        phone="06 12 34 56 78", job_title="Chief Technology Officer", company=""
    )
    pairs_refresh([second.pk])
    return DuplicatePair.objects.get(first=first, second=second)


def test_the_pairs_are_shown_side_by_side_with_what_differs(login, marketer, pair):
    response = login(marketer).get(LIST)
    ((shown, rows, _),) = response.context["pairs"]
    assert shown == pair
    differing = {row.field: (row.first, row.second) for row in rows if row.differs}
    assert differing["job_title"] == ("CTO", "Chief Technology Officer")
    assert "company" not in differing  # one side is empty: it takes the other's
    assert b"same phone number" in response.content and b"85 % sure" in response.content


def test_a_merge_keeps_the_chosen_record_and_values(login, marketer, pair):
    client = login(marketer)
    response = client.post(
        reverse("leads:duplicate_merge", args=[pair.pk]),
        {"survivor": pair.second_id, "keep_job_title": pair.first_id},
    )
    assert response.status_code == 302 and response.url == LIST
    kept = Contact.objects.get(pk=pair.second_id)
    assert (kept.job_title, kept.company) == ("CTO", "Acme")
    assert Contact.objects.get(pk=pair.first_id).merged_into_id == kept.pk
    assert "merged into" in told(response)[0]
    page = client.get(LIST)
    assert page.context["pairs"] == [] and b"No suspected duplicates" in page.content
    assert b"Undo" in page.content


def test_the_merged_records_page_leads_to_the_survivor(login, marketer, pair):
    client = login(marketer)
    client.post(reverse("leads:duplicate_merge", args=[pair.pk]), {"survivor": pair.first_id})
    response = client.get(reverse("leads:contact_detail", args=[pair.second_id]))
    assert response.status_code == 302
    assert response.url == reverse("leads:contact_detail", args=[pair.first_id])
    timeline = client.get(response.url).context["timeline"]
    assert {entry.merged_from for entry in timeline} >= {None}
    assert any(entry.move == "merge" for entry in timeline)


def test_the_undo_button_puts_both_back(login, marketer, pair):
    client = login(marketer)
    client.post(reverse("leads:duplicate_merge", args=[pair.pk]), {"survivor": pair.first_id})
    response = client.post(reverse("leads:merge_undo", args=[Merge.objects.get().pk]))
    assert "Merge undone" in told(response)[-1]
    assert not Contact.objects.filter(merged_into__isnull=False).exists()
    again = client.post(reverse("leads:merge_undo", args=[Merge.objects.get().pk]))
    assert told(again)[-1] == "Not undone: This merge was undone already."


def test_not_the_same_person_keeps_them_apart(login, marketer, pair):
    client = login(marketer)
    response = client.post(reverse("leads:duplicate_dismiss", args=[pair.pk]))
    assert "Kept apart" in told(response)[0]
    assert client.get(LIST).context["pairs"] == []


def test_every_role_is_warned_on_the_contact_page_and_only_mergers_may_merge(login, rep, marketer):
    mine = ContactFactory(owner=rep, stage="sql", phone="+33 6 12 34 56 78")
    also_mine = ContactFactory(owner=rep, stage="sql", phone="06 12 34 56 78")
    page = login(rep).get(reverse("leads:contact_detail", args=[mine.pk]))
    assert [other.pk for other, _ in page.context["look_alikes"]] == [also_mine.pk]
    assert b"Looks like" in page.content and b"Compare and merge" not in page.content
    assert login(rep).get(LIST).status_code == 403
    page = login(marketer).get(reverse("leads:contact_detail", args=[mine.pk]))
    assert b"Compare and merge" in page.content


def test_a_scan_of_every_contact_shows_its_progress_then_its_pairs(
    login, marketer, django_capture_on_commit_callbacks, monkeypatch
):
    ContactFactory(phone="06 11 22 33 44")
    ContactFactory(phone="+33 6 11 22 33 44")
    sent = []
    monkeypatch.setattr("leads.tasks.duplicates_scan.delay", sent.append)
    client = login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("leads:duplicate_scan_start"))
    assert started.status_code == 302 and told(started) == [
        "Comparing every contact now: pairs appear as it goes."
    ]
    (scan_id,) = sent
    queued = client.get(LIST)
    assert b"Scan queued, waiting for a worker" in queued.content
    assert b"Scan every contact" not in queued.content  # no second scan while one waits
    progress = reverse("leads:duplicate_scan", args=[scan_id])
    assert f'hx-get="{progress}"'.encode() in queued.content

    scan_run(scan_id)
    done = client.get(progress)
    assert b"Every contact was compared" in done.content and b"1 suspected pair." in done.content
    assert b"hx-get" not in done.content  # a finished scan stops polling
    assert len(client.get(LIST).context["pairs"]) == 1
