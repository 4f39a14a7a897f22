"""Merging one person's two records through the API: the survivor keeps its id and both
histories, takes the stage furthest along, and answers for the other; an undo puts both
back; reports count the person once while merged."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from integrations.models import Delivery, Event, Webhook
from leads import services
from leads.merging import furthest_stage
from leads.models import Contact, Merge, Transition
from leads.stages import Move, Stage
from reporting.periods import Period
from reporting.selectors import funnel_report, handoff_report
from reporting.services import stays_rebuild
from sales.models import SalesActivity
from scoring.models import Activity, Dimension, Rule
from tests.factories import ContactFactory
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db

S = Stage


@pytest.mark.parametrize(
    ("survivor", "other", "merged"),
    [
        (S.LEAD, S.SQL, S.SQL),
        (S.CLIENT, S.MQL, S.CLIENT),
        (S.QSO, S.SQL, S.QSO),
        (S.CONTACT, S.RECYCLED, S.RECYCLED),
        (S.RECYCLED, S.LEAD, S.LEAD),
        (S.LOST, S.MQL, S.MQL),  # lost only if both are
        (S.LEAD, S.DISQUALIFIED, S.LEAD),
        (S.LOST, S.DISQUALIFIED, S.LOST),  # both closed: the survivor's
    ],
)
def test_the_merged_stage_is_the_furthest_along(survivor, other, merged):
    assert furthest_stage(survivor, other) == merged


def merge(client, survivor, other, **body):
    return client.post(
        f"/api/v1/contacts/{survivor.pk}/merge/", {"other": other.pk, **body}, format="json"
    )


def event(key, contact, type_="page_viewed"):
    return {
        "id": key,
        "type": type_,
        "occurred_at": timezone.now().isoformat(),
        "contact": contact.pk,
    }


def test_the_survivor_keeps_its_id_and_both_records_history(api, marketer, rep):
    Rule.objects.create(
        name="Visit", dimension=Dimension.ENGAGEMENT, points=5, event_type="page_viewed"
    )
    survivor = ContactFactory(stage=S.LEAD, phone="", job_title="", company="Acme")
    other = make_mql(owner=rep, phone="+33612345678", job_title="CTO", company="Acme SA")
    client = api.as_user(marketer)
    client.post("/api/v1/events/", [event("a1", survivor), event("b1", other)], format="json")
    SalesActivity.objects.create(
        contact=other,
        kind="call",
        direction="outbound",
        outcome="connected",
        owner=rep,
        author=rep,
    )
    scores = dict(Contact.objects.values_list("pk", "engagement_score"))
    answer = merge(client, survivor, other, fields={"company": "other"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["id"] == survivor.pk
    assert body["stage"] == "mql"  # the furthest along of lead and MQL
    assert body["owner"] == rep.pk  # the survivor had none
    assert (body["phone"], body["job_title"], body["company"]) == (
        "+33612345678",
        "CTO",
        "Acme SA",
    )
    assert body["engagement_score"] == scores[survivor.pk] + scores[other.pk]  # both visits
    assert Activity.objects.filter(contact=survivor).count() == 2
    assert SalesActivity.objects.filter(contact=survivor).count() == 1
    gone = client.get(f"/api/v1/contacts/{other.pk}/")
    assert gone.status_code == 404 and gone.json()["merged_into"] == survivor.pk
    assert client.get("/api/v1/contacts/", {"search": "Acme"}).json()["count"] == 1
    (row,) = Transition.objects.filter(contact=survivor, move=Move.MERGE)
    assert (row.from_stage, row.to_stage, row.actor) == (S.LEAD, S.MQL, marketer)
    assert row.data == {"merge": Merge.objects.get().pk, "other": other.pk}
    assert Transition.objects.filter(contact=other).exists()  # the other's history is kept
    listed = client.get("/api/v1/merges/").json()["results"]
    assert [(m["survivor"], m["other"], m["by"]) for m in listed] == [
        (survivor.pk, other.pk, marketer.pk)
    ]
    assert AuditEntry.objects.filter(content_type__model="merge", actor=marketer).count() == 1


def test_the_other_address_is_freed_and_its_new_events_reach_the_survivor(api, marketer):
    survivor = ContactFactory(email="ada@work.example")
    other = ContactFactory(email="ada@home.example")
    client = api.as_user(marketer)
    assert merge(client, survivor, other).status_code == 200
    client.post(
        "/api/v1/events/",
        [
            {
                "id": "e1",
                "type": "page_viewed",
                "occurred_at": timezone.now().isoformat(),
                "email": "ada@work.example",
            }
        ],
        format="json",
    )
    assert Activity.objects.get().contact_id == survivor.pk
    assert Contact.objects.get(pk=other.pk).email is None


def test_a_merge_is_told_to_the_webhooks(api, marketer):
    Webhook.objects.create(
        url="http://127.0.0.1:9/", events=[Event.CONTACT_MERGED], secret="s" * 20
    )
    survivor, other = ContactFactory(), ContactFactory()
    merge(api.as_user(marketer), survivor, other)
    (delivery,) = Delivery.objects.all()
    assert delivery.event == "contact.merged" and delivery.contact_id == survivor.pk
    assert delivery.data["merged"] == other.pk


def test_bad_merges_are_refused_and_change_nothing(api, marketer, rep):
    survivor, other = ContactFactory(), ContactFactory()
    client = api.as_user(marketer)
    assert merge(client, survivor, survivor).status_code == 400
    assert "fields" in merge(client, survivor, other, fields={"stage": "other"}).json()
    assert "fields" in merge(client, survivor, other, fields={"phone": "both"}).json()
    assert merge(api.as_user(rep), survivor, other).status_code == 403
    assert not Merge.objects.exists()
    client = api.as_user(marketer)
    assert merge(client, survivor, other).status_code == 200
    again = merge(client, ContactFactory(), other)
    assert again.status_code == 409 and "merged into" in again.json()["detail"]


def test_an_undo_puts_both_back_and_keeps_what_happened_since(api, marketer, rep):
    make_policy()
    survivor = ContactFactory(stage=S.LEAD, email="s@example.com", phone="")
    other = make_mql(owner=rep, email="o@example.com", phone="+33612345678")
    client = api.as_user(marketer)
    client.post("/api/v1/events/", [event("b1", other)], format="json")
    due = Contact.objects.get(pk=other.pk).sla_due_at
    assert due is not None
    merge(client, survivor, other, fields={"email": "other"})
    assert Contact.objects.get(pk=other.pk).sla_due_at is None
    assert Contact.objects.get(pk=survivor.pk).email == "o@example.com"
    client.patch(f"/api/v1/contacts/{survivor.pk}/", {"job_title": "Buyer"}, format="json")
    merge_id = Merge.objects.get().pk
    undone = client.post(f"/api/v1/merges/{merge_id}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    kept, back = Contact.objects.get(pk=survivor.pk), Contact.objects.get(pk=other.pk)
    assert (kept.email, kept.phone, kept.stage, kept.owner) == ("s@example.com", "", S.LEAD, None)
    assert kept.job_title == "Buyer"  # edited after the merge: stays on the survivor
    assert (back.email, back.merged_into, back.stage, back.owner) == (
        "o@example.com",
        None,
        S.MQL,
        rep,
    )
    assert Activity.objects.get().contact_id == other.pk
    assert back.sla_due_at == due  # its clock runs again
    assert client.get(f"/api/v1/contacts/{other.pk}/").status_code == 200
    assert client.post(f"/api/v1/merges/{merge_id}/undo/").status_code == 409


def test_an_undo_is_refused_when_the_address_is_taken_or_too_late(api, marketer):
    survivor, other = ContactFactory(), ContactFactory(email="taken@example.com")
    client = api.as_user(marketer)
    merge(client, survivor, other)
    newcomer = ContactFactory(email="taken@example.com")
    refused = client.post(f"/api/v1/merges/{Merge.objects.get().pk}/undo/")
    assert refused.status_code == 409 and f"#{newcomer.pk}" in refused.json()["detail"]
    assert Contact.objects.get(pk=other.pk).merged_into_id == survivor.pk
    newcomer.delete()
    Merge.objects.update(at=timezone.now() - timedelta(days=31))
    late = client.post(f"/api/v1/merges/{Merge.objects.get().pk}/undo/")
    assert late.status_code == 409 and "30 days" in late.json()["detail"]


def test_the_funnel_counts_a_merged_pair_once_and_an_undone_one_twice(api, marketer):
    survivor = ContactFactory(stage=S.LEAD, lead_at=timezone.now())
    other = ContactFactory(stage=S.LEAD, lead_at=timezone.now())
    today = timezone.localdate()

    def leads_counted() -> int:
        report = funnel_report(period=Period.of(date(today.year, 1, 1), today), today=today)
        return report.total.counts["lead"]

    assert leads_counted() == 2
    client = api.as_user(marketer)
    merge(client, survivor, other)
    assert leads_counted() == 1
    client.post(f"/api/v1/merges/{Merge.objects.get().pk}/undo/")
    assert leads_counted() == 2


def test_a_merge_hands_nobody_off_in_the_reports(api, marketer):
    """The survivor takes the other's stage (MQL) at the merge: the hand-off report keeps
    counting the one real hand-off, on the other record, and none at the merge."""
    other = make_mql(at=timezone.now() - timedelta(minutes=5))
    survivor = ContactFactory(stage=S.LEAD, lead_at=timezone.now())
    today = timezone.localdate()
    period = Period.of(date(today.year, 1, 1), today)
    assert handoff_report(period=period).total.passed == 1
    merge(api.as_user(marketer), survivor, other)
    assert Contact.objects.get(pk=survivor.pk).stage == S.MQL
    assert handoff_report(period=period).total.passed == 1
    stays_rebuild()  # the history gives the same figures as the stays kept in step
    assert handoff_report(period=period).total.passed == 1


def test_erasing_the_survivor_erases_the_merged_record_and_the_snapshots(marketer):
    survivor = ContactFactory(first_name="Ada", last_name="Lovelace")
    other = ContactFactory(first_name="Ada", last_name="Lovelace", phone="+33612345678")
    from leads.merging import contacts_merge

    contacts_merge(survivor=survivor, other=other, by=marketer)
    services.contact_erase(contact=survivor, by=marketer)
    gone = Contact.objects.get(pk=other.pk)
    assert gone.erased_at is not None and gone.phone == "" and gone.phone_key == ""
    assert "Lovelace" not in str(Merge.objects.get().before)


def test_a_record_merged_before_follows_its_survivor_and_comes_back_on_undo(api, marketer):
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    client = api.as_user(marketer)
    merge(client, a, c)
    merge(client, b, a)
    assert client.get(f"/api/v1/contacts/{c.pk}/").json()["merged_into"] == b.pk  # one hop
    (last,) = Merge.objects.filter(other=a)
    assert client.post(f"/api/v1/merges/{last.pk}/undo/").status_code == 200
    assert Contact.objects.get(pk=c.pk).merged_into_id == a.pk
    first = Merge.objects.get(other=c)
    assert client.post(f"/api/v1/merges/{first.pk}/undo/").status_code == 200
    assert not Contact.objects.filter(merged_into__isnull=False).exists()
