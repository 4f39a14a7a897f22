"""What the evidence app does when ``leads`` announces a change (connected in ``ready``)."""

from django.dispatch import receiver

from leads.erasure import scrub_rows
from leads.models import Contact
from leads.signals import contact_erased

from .models import Analysis


@receiver(contact_erased, sender=Contact, dispatch_uid="evidence.contact_erased")
def scrub_analyses(sender, contact, values: list[str] | None = None, **kwargs) -> None:
    """An analysis keeps aggregates, but a property value it lists (a URL with an e-mail in
    it, say) may name the person: scrub them from what analyses asked and found."""
    scrub_rows(Analysis.objects.all(), ["params", "result", "error"], values or [])
