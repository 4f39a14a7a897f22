"""Reporting listens to the core: each move and each campaign change updates the stays in the
same transaction (``transition_recorded`` and ``contact_saved`` are sent inside it)."""

from django.dispatch import receiver

from leads.models import Contact, Transition
from leads.signals import contact_saved, transition_recorded

from . import services


@receiver(transition_recorded, dispatch_uid="reporting.stays.move")
def follow_the_move(sender, *, contact: Contact, transition: Transition, **kwargs) -> None:
    services.stay_record_move(contact=contact, transition=transition)


@receiver(contact_saved, dispatch_uid="reporting.stays.campaign")
def follow_the_campaign(
    sender, *, contact: Contact, created: bool, changed: set[str], **kwargs
) -> None:
    if not created and "campaign" in changed:
        services.stays_follow_contact(contact=contact)
