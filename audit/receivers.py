"""What the audit log does when ``leads`` announces a change (connected in ``ready``)."""

from django.dispatch import receiver

from leads.erasure import scrub_rows
from leads.models import Contact
from leads.signals import contact_erased

from .models import AuditEntry


@receiver(contact_erased, sender=Contact, dispatch_uid="audit.contact_erased")
def scrub_erased_person(sender, contact, values: list[str] | None = None, **kwargs) -> None:
    """An audited setting may name a person (a rule on one e-mail, a webhook's description):
    after their erasure the log keeps the change, not the name."""
    scrub_rows(AuditEntry.objects.all(), ["object_repr", "before", "after"], values or [])
