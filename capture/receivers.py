"""The capture app listening to the lifecycle (connected in ``CaptureConfig.ready``)."""

from django.dispatch import receiver

from leads.erasure import scrub_rows
from leads.merging import rows_follow, rows_return
from leads.models import Contact
from leads.signals import contact_erased, contacts_merged, merge_undone

from .models import Submission


@receiver(contact_erased, sender=Contact, dispatch_uid="capture.erasure")
def submissions_forget(sender, *, contact, values, **kwargs) -> None:
    """The answers are the person's data; the consent proof (wording, time, the address's
    hash) and the campaign parameters stay."""
    submissions = Submission.objects.filter(contact=contact)
    scrub_rows(submissions, ("referrer", "landing_page"), values)
    submissions.update(email="", values={})


@receiver(contacts_merged, sender=Contact, dispatch_uid="capture.merged")
def submissions_follow(sender, *, merge, **kwargs) -> dict:
    return rows_follow(Submission, merge=merge)


@receiver(merge_undone, sender=Contact, dispatch_uid="capture.unmerged")
def submissions_go_back(sender, *, merge, **kwargs) -> None:
    rows_return(Submission, merge=merge)
