"""Reporting listens to the core: each move and each campaign change updates the stays in the
same transaction (``transitions_recorded`` and ``contact_saved`` are sent inside it)."""

from django.dispatch import receiver

from leads.models import Contact, Transition
from leads.signals import contact_saved, transitions_recorded

from . import services


@receiver(transitions_recorded, dispatch_uid="reporting.stays.move")
def follow_the_moves(sender, *, moves: list[tuple[Contact, Transition]], **kwargs) -> None:
    services.stays_record_moves(moves=moves)


@receiver(contact_saved, dispatch_uid="reporting.stays.campaign")
def follow_the_campaign(
    sender, *, contact: Contact, created: bool, changed: set[str], **kwargs
) -> None:
    if not created and "campaign" in changed:
        services.stays_follow_contacts(contact_ids=[contact.pk])
