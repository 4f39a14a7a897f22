"""The double opt-in e-mail: a signed link that makes the person a lead."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Submission
from .services import CONFIRMATION_DAYS, confirmation_token


def confirmation_send(submission_id: int, site: str) -> bool:
    """Send the link; False when the submission is gone or already confirmed."""
    submission = Submission.objects.select_related("form").filter(pk=submission_id).first()
    if submission is None or submission.confirmed_at is not None:
        return False
    path = reverse("capture:confirm", args=[confirmation_token(submission)])
    context = {
        "form": submission.form,
        "link": site.rstrip("/") + path,
        "days": CONFIRMATION_DAYS,
    }
    send_mail(
        subject=f"Please confirm: {submission.form.name}",
        message=render_to_string("capture/confirmation_email.txt", context),
        from_email=None,
        recipient_list=[submission.email],
    )
    return True
