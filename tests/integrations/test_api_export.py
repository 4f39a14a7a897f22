import csv
import io

import pytest
from django.http import StreamingHttpResponse

from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory

URL = "/api/v1/exports/contacts.csv"


def rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_follows_the_contacts_list_filters(api, marketer):
    webinar = CampaignFactory(channel="webinar", name="Webinar A")
    mql = ContactFactory(stage=Stage.MQL, score=70, campaign=webinar, attributes={"k": "v"})
    ContactFactory(stage=Stage.MQL, score=10)
    ContactFactory(stage=Stage.LEAD, score=90)
    response = api.as_user(marketer).get(f"{URL}?stage=mql&score_min=50")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    exported = rows(response)
    assert [r["email"] for r in exported] == [mql.email]
    assert exported[0]["campaign"] == "Webinar A"
    assert exported[0]["channel"] == "webinar"
    assert exported[0]["stage"] == "mql"
    assert exported[0]["attributes"] == '{"k": "v"}'


def test_a_rep_exports_only_what_they_see(api, rep, other_rep):
    mine = ContactFactory(stage=Stage.SQL, owner=rep)
    queue = ContactFactory(stage=Stage.MQL, owner=None)
    ContactFactory(stage=Stage.SQL, owner=other_rep)
    ContactFactory(stage=Stage.LEAD)
    exported = rows(api.as_user(rep).get(URL))
    assert sorted(r["id"] for r in exported) == sorted([str(mine.pk), str(queue.pk)])


def test_erased_contacts_are_not_exported(api, marketer):
    ContactFactory(email=None, erased_at="2026-01-01T00:00:00Z")
    live = ContactFactory()
    assert [r["id"] for r in rows(api.as_user(marketer).get(URL))] == [str(live.pk)]


def test_cells_that_a_spreadsheet_would_run_are_defused(api, marketer):
    ContactFactory(first_name="=cmd|' /C calc'!A0", company="@SUM(1+1)", phone="+33 1 23 45 67 89")
    exported = rows(api.as_user(marketer).get(URL))[0]
    assert exported["first_name"] == "'=cmd|' /C calc'!A0"
    assert exported["company"] == "'@SUM(1+1)"
    assert exported["phone"] == "'+33 1 23 45 67 89"


def test_rows_come_in_id_order_unless_an_ordering_is_asked(api, marketer):
    low = ContactFactory(score=1)
    high = ContactFactory(score=99)
    api.as_user(marketer)
    assert [r["id"] for r in rows(api.get(URL))] == [str(low.pk), str(high.pk)]
    assert [r["id"] for r in rows(api.get(f"{URL}?ordering=-score"))] == [
        str(high.pk),
        str(low.pk),
    ]


def test_an_empty_export_still_has_its_header(api, marketer):
    response = api.as_user(marketer).get(URL)
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("id,email,first_name,last_name,")
    assert text.count("\n") == 1


@pytest.mark.parametrize("query", ["stage=nope", "score_min=abc", "created_after=yesterday"])
def test_a_bad_filter_is_400(api, marketer, query):
    response = api.as_user(marketer).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_client_asking_for_csv_gets_it(api, marketer):
    ContactFactory()
    response = api.as_user(marketer).get(URL, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert len(rows(response)) == 1


def test_without_a_role_there_is_no_export(api, nobody, client):
    assert api.as_user(nobody).get(URL).status_code == 403
    assert client.get(URL).status_code in (401, 403)


def test_a_write_to_the_export_is_refused_not_a_500(api, marketer):
    # The role check read ``view.action``, which only viewsets have.
    assert api.as_user(marketer).post(URL, {}).status_code == 403
