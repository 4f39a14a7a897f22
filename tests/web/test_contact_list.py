"""The contacts list: the API's filters, sort and pagination over the user's scope."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Channel
from leads.pages import CappedPaginator
from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db
URL = reverse("leads:contact_list")


def listed(response) -> list[int]:
    return [contact.pk for contact in response.context["page"].object_list]


def test_a_rep_lists_only_their_contacts_and_the_shared_queue(login, rep, other_rep):
    mine = ContactFactory(stage=Stage.SQL, owner=rep)
    shared = ContactFactory(stage=Stage.MQL, owner=None)
    ContactFactory(stage=Stage.SQL, owner=other_rep)
    ContactFactory(stage=Stage.LEAD)
    assert sorted(listed(login(rep).get(URL))) == sorted([mine.pk, shared.pk])


def test_marketing_lists_every_live_contact_but_not_the_erased(login, marketer):
    live = ContactFactory()
    ContactFactory(erased_at=timezone.now(), email=None)
    assert listed(login(marketer).get(URL)) == [live.pk]


def test_the_apis_filters_narrow_the_list(login, marketer, rep):
    webinar = CampaignFactory(channel=Channel.WEBINAR)
    hit = ContactFactory(
        stage=Stage.MQL,
        owner=rep,
        campaign=webinar,
        score=70,
        company="Acme Rockets",
        sla_due_at=timezone.now() - timedelta(hours=1),
    )
    ContactFactory(stage=Stage.MQL, owner=rep, score=70, company="Acme Rockets")
    ContactFactory(stage=Stage.LEAD, campaign=webinar, score=70, company="Acme Rockets")
    query = {
        "stage": ["mql", "sql"],
        "owner": rep.pk,
        "channel": "webinar",
        "campaign": webinar.pk,
        "score_min": 60,
        "score_max": 80,
        "q": "rockets",
        "sla_overdue": "true",
        "created_after": (timezone.now() - timedelta(days=1)).date().isoformat(),
        "created_before": (timezone.now() + timedelta(days=1)).date().isoformat(),
    }
    assert listed(login(marketer).get(URL, query)) == [hit.pk]


def test_an_invalid_filter_is_shown_and_ignored_not_a_crash(login, marketer):
    ContactFactory()
    response = login(marketer).get(URL, {"score_min": "lots"})
    assert response.status_code == 200
    assert "score_min" in response.context["filterset"].errors
    assert b"Some filters are not valid" in response.content
    assert len(listed(response)) == 1


def test_the_list_sorts_by_a_column_and_says_so_to_screen_readers(login, marketer):
    low, high = ContactFactory(score=10), ContactFactory(score=90)
    response = login(marketer).get(URL, {"ordering": "-score"})
    assert listed(response) == [high.pk, low.pk]
    assert b'aria-sort="descending"' in response.content
    assert b'href="?ordering=score"' in response.content  # the next click sorts the other way
    assert listed(login(marketer).get(URL, {"ordering": "score"})) == [low.pk, high.pk]


def test_the_list_is_paginated_and_keeps_the_filters_in_page_links(login, marketer):
    ContactFactory.create_batch(55, stage=Stage.LEAD)
    response = login(marketer).get(URL, {"stage": "lead"})
    assert len(listed(response)) == 50
    assert b'href="?stage=lead&amp;page=2"' in response.content  # one "?": a link that works
    assert len(listed(login(marketer).get(URL, {"stage": "lead", "page": 2}))) == 5


def test_htmx_gets_the_results_alone_and_the_answer_varies_on_hx_request(login, marketer):
    ContactFactory()
    client = login(marketer)
    page = client.get(URL)
    fragment = client.get(URL, headers={"HX-Request": "true"})
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert b'id="bulk"' in fragment.content
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


def test_the_back_button_restoring_history_gets_the_whole_page(login, marketer):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert b"<html" in login(marketer).get(URL, headers=headers).content


def test_empty_states_tell_no_contacts_from_no_match(login, marketer):
    client = login(marketer)
    assert b"No contacts yet" in client.get(URL).content
    ContactFactory()
    assert b"No contact matches these filters" in client.get(URL, {"q": "zzz"}).content


def test_bulk_actions_are_offered_to_marketing_not_to_reps(login, marketer, rep):
    ContactFactory(stage=Stage.MQL)
    assert b'value="mark_mql"' in login(marketer).get(URL).content
    assert b'value="mark_mql"' not in login(rep).get(URL).content


def test_a_huge_list_is_counted_up_to_a_cap_and_says_so(login, marketer, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    ContactFactory.create_batch(5)
    response = login(marketer).get(URL)
    assert b"<strong>3+</strong> contacts" in response.content
    assert len(listed(response)) == 5


def test_the_export_link_downloads_the_list_as_filtered_without_its_page(login, marketer):
    ContactFactory(stage=Stage.MQL, email="mql@example.com")
    ContactFactory(stage=Stage.LEAD, email="lead@example.com")
    client = login(marketer)
    html = client.get(f"{URL}?stage=mql&page=1").content.decode()
    link = f"{reverse('contacts-export')}?stage=mql"
    assert f'href="{link}" download' in html
    exported = b"".join(client.get(link).streaming_content).decode()
    assert "mql@example.com" in exported and "lead@example.com" not in exported
