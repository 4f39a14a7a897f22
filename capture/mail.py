"""The double opt-in e-mail: a signed link that makes the person a lead."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Submission
from .services import CONFIRMATION_DAYS, confirmation_token


def confirmation_send(submission_id: int, site: str, language: str = "") -> bool:
    """Send the link, in the language the form was shown in; False when the submission is
    gone or already confirmed."""
    submission = Submission.objects.select_related("form").filter(pk=submission_id).first()
    if submission is None or submission.confirmed_at is not None:
        return False
    path = reverse("capture:confirm", args=[confirmation_token(submission)])
    context = {
        "form": submission.form,
        "link": site.rstrip("/") + path,
        "days": CONFIRMATION_DAYS,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Please confirm: %(form)s") % {"form": submission.form.name}
        body = render_to_string("capture/confirmation_email.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[submission.email])
    return True
