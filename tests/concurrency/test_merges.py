"""Two people merging overlapping pairs at once: one merge wins, the other gets a 409, and
no record is merged into one that is itself merged away."""

import threading

import pytest
from django.db import connection

from leads.errors import MergeConflict
from leads.merging import contacts_merge
from leads.models import Contact, Merge
from tests.factories import ContactFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def merged_at_once(*pairs, by) -> tuple[list[int], list[str]]:
    """Run each (survivor, other) merge in a thread of its own, all at once."""
    start, won, refused, errors = threading.Barrier(len(pairs)), [], [], []

    def merge(survivor, other):
        try:
            start.wait(timeout=10)
            won.append(contacts_merge(survivor=survivor, other=other, by=by).pk)
        except MergeConflict as conflict:
            refused.append(str(conflict))
        except Exception as error:  # the test reports it, a thread would swallow it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return won, refused


@pytest.mark.parametrize("shape", ["same other", "each into the other"])
def test_of_two_overlapping_merges_one_wins_and_the_other_is_a_conflict(marketer, shape):
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    pairs = [(b, a), (c, a)] if shape == "same other" else [(b, a), (a, b)]
    won, refused = merged_at_once(*pairs, by=marketer)
    assert (len(won), len(refused)) == (1, 1)
    assert "was merged into" in refused[0]
    (gone,) = Contact.objects.filter(merged_into__isnull=False)
    assert Contact.objects.get(pk=gone.merged_into_id).merged_into_id is None
    assert Merge.objects.count() == 1


def test_a_chain_of_merges_at_once_leaves_one_hop_to_the_person(marketer):
    """A into B and C into A: C into A first makes a chain (then C points at B, the
    person); A into B first leaves A merged, and C into it is a conflict."""
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    won, refused = merged_at_once((b, a), (a, c), by=marketer)
    assert len(won) + len(refused) == 2 and Merge.objects.count() == len(won)
    merged = Contact.objects.filter(merged_into__isnull=False)
    assert {contact.merged_into_id for contact in merged} == {b.pk}
