"""The sales app listening to the lifecycle (connected in ``SalesConfig.ready``)."""

from django.dispatch import receiver

from leads.erasure import scrub_rows
from leads.merging import rows_follow, rows_return
from leads.models import Contact, LeadStatus
from leads.signals import contact_erased, contacts_merged, merge_undone, transitions_recorded
from scoring.signals import companies_qualified

from .accounts import accounts_hand_over
from .models import ActivityRevision, SalesActivity, SalesTask
from .status import lead_status_follow


@receiver(transitions_recorded, sender=Contact, dispatch_uid="sales.lead_status")
def lead_status_after_hand_off(sender, *, moves, **kwargs) -> None:
    """A move is a hand-off (a new stage, or a new owner): the touches before it no longer
    count. A contact whose status is ``new`` stays so, so a batch of promotions writes
    nothing here."""
    lead_status_follow([c for c, _ in moves if c.lead_status != LeadStatus.NEW])


@receiver(contact_erased, sender=Contact, dispatch_uid="sales.erasure")
def scrub_on_erasure(sender, *, contact, values, **kwargs) -> None:
    """What a rep wrote about the person may name them: scrub it with the rest."""
    scrub_rows(SalesActivity.objects.filter(contact=contact), ("subject", "body"), values)
    scrub_rows(SalesTask.objects.filter(contact=contact), ("title",), values)
    ActivityRevision.objects.filter(contact=contact).update(before={})


SALES_ROWS = (SalesActivity, SalesTask, ActivityRevision)


@receiver(contacts_merged, sender=Contact, dispatch_uid="sales.merged")
def touches_follow_the_merge(sender, *, merge, survivor, other, **kwargs) -> dict:
    """The other's calls, e-mails, notes and tasks are the person's: the survivor's now."""
    moved: dict[str, list[int]] = {}
    for model in SALES_ROWS:
        moved |= rows_follow(model, merge=merge)
    lead_status_follow([survivor])
    return moved


@receiver(merge_undone, sender=Contact, dispatch_uid="sales.unmerged")
def touches_go_back(sender, *, merge, survivor, other, **kwargs) -> None:
    for model in SALES_ROWS:
        rows_return(model, merge=merge)
    lead_status_follow([survivor, other])


@receiver(companies_qualified, dispatch_uid="sales.account_qualified")
def account_qualified(sender, company_ids: list[int], at, **kwargs) -> None:
    accounts_hand_over(company_ids=company_ids, at=at)
