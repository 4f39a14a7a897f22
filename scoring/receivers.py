"""What scoring does when ``leads`` announces a change (connected in ``ScoringConfig.ready``).

All four signals are sent inside the change's transaction: the score follows in the same
commit, and an erased person's event properties go with the rest of their data.
"""

from typing import Any

from django.dispatch import receiver

from leads.merging import rows_follow, rows_return
from leads.models import Contact, Merge, Transition
from leads.signals import (
    contact_erased,
    contact_saved,
    contacts_created,
    contacts_merged,
    merge_undone,
    transitions_recorded,
)
from leads.stages import Stage

from . import releases, services
from .conditions import PROFILE_SOURCE_FIELDS
from .models import Activity

REFRESHED = [
    "score",
    "fit_score",
    "engagement_score",
    "stage",
    "stage_changed_at",
    "lead_at",
    "mql_at",
    "updated_at",
]


@receiver(contacts_created, sender=Contact, dispatch_uid="scoring.contacts_created")
def score_new_contacts(sender: type[Contact], contact_ids: list[int], **kwargs: Any) -> None:
    services.rescore_profiles(contact_ids=contact_ids)


@receiver(contact_saved, sender=Contact, dispatch_uid="scoring.contact_saved")
def rescore_changed_profile(
    sender: type[Contact], contact: Contact, created: bool, changed: set[str], **kwargs: Any
) -> None:
    if created or PROFILE_SOURCE_FIELDS & set(changed):
        services.rescore_profiles(contact_ids=[contact.pk])
        # The caller answers with this instance: show it the new score (and the stage, if
        # the score made an MQL of it).
        contact.refresh_from_db(fields=REFRESHED)


@receiver(contact_erased, sender=Contact, dispatch_uid="scoring.contact_erased")
def erase_activity_properties(
    sender: type[Contact], contact: Contact, values: list[str] | None = None, **kwargs: Any
) -> None:
    services.activities_erase(contact=contact)
    releases.versions_scrub(values or [])


@receiver(transitions_recorded, sender=Contact, dispatch_uid="scoring.recycled")
def rearm_recycled(
    sender: type[Contact], moves: list[tuple[Contact, Transition]], **kwargs: Any
) -> None:
    recycled = [contact.pk for contact, t in moves if t.to_stage == Stage.RECYCLED]
    if recycled:
        services.mql_marks_clear(contact_ids=recycled)


@receiver(contacts_merged, sender=Contact, dispatch_uid="scoring.merged")
def events_follow_the_merge(
    sender: type[Contact], *, merge: Merge, survivor: Contact, other: Contact, **kwargs: Any
) -> dict[str, list[int]]:
    """The other's events are the person's: the survivor is scored on both records' events
    (and may become an MQL by it), the other on none."""
    moved = rows_follow(Activity, merge=merge)
    services.rescore_contacts(contact_ids=[survivor.pk, other.pk])
    survivor.refresh_from_db(fields=REFRESHED)
    return moved


@receiver(merge_undone, sender=Contact, dispatch_uid="scoring.unmerged")
def events_go_back(
    sender: type[Contact], *, merge: Merge, survivor: Contact, other: Contact, **kwargs: Any
) -> None:
    rows_return(Activity, merge=merge)
    services.rescore_contacts(contact_ids=[survivor.pk, other.pk])
