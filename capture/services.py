"""Building forms and taking their submissions.

A submission becomes a lead in one transaction: the contact found or created by e-mail
(``leads.services.contacts_for_emails``, so two submissions of one address at the same
moment make one contact), its fields filled with what was given and never emptied, and a
``form_submitted`` event that scoring scores like any other. With double opt-in the
submission waits, with no contact, until the person follows the signed link of the
confirmation e-mail.
"""

from datetime import datetime
from typing import Any, cast

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leads.erasure import salted_hash
from leads.jobs import enqueue_on_commit
from leads.models import Contact
from leads.roles import Capability, User, account, can
from leads.services import contact_update, contacts_for_emails
from leads.touches import FORM_SUBMITTED
from scoring.services import EventIn, events_ingest

from .models import CLICK_IDS, UTM_FIELDS, Form, Submission
from .origins import origins_clean
from .questions import answers_split, questions_clean

CONFIRMATION_SALT = "capture.confirmation"
CONFIRMATION_DAYS = 7
TRACKING = (*UTM_FIELDS, *CLICK_IDS, "referrer", "landing_page")


def _check_builder(by: User | None) -> None:
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Forms are built by marketing and managers."))


@transaction.atomic
def form_save(*, by: User | None, form: Form | None = None, **fields: Any) -> Form:
    """Create (no ``form``) or change a form; its questions are checked and put in order."""
    _check_builder(by)
    if form is None:
        form = Form(created_by=account(by))
    if "fields" in fields:
        fields["fields"] = questions_clean(fields["fields"])
    if "allowed_origins" in fields:
        fields["allowed_origins"] = origins_clean(fields["allowed_origins"])
    for name, value in fields.items():
        setattr(form, name, value)
    if not form.fields:
        form.fields = questions_clean([])
    form.full_clean()
    form.save()
    return form


@transaction.atomic
def submission_take(
    *, form: Form, cleaned: dict[str, Any], tracking: dict[str, str], address: str, site: str
) -> Submission:
    """Store one valid submission; a lead at once, or after the confirmation e-mail, whose
    link starts with ``site`` (the address the person used, e.g. ``https://crm.example/``)."""
    now = timezone.now()
    values = {
        q["name"]: cleaned[q["name"]]
        for q in form.fields
        if cleaned.get(q["name"]) not in (None, "")
    }
    submission = Submission.objects.create(
        form=form,
        email=cleaned["email"],
        values=values,
        consent_text=form.consent_text,
        consented_at=now,
        address_hash=salted_hash(address),  # where it came from, not the address
        submitted_at=now,
        **{name: str(tracking.get(name, ""))[: _max_length(name)] for name in TRACKING},
    )
    if form.double_opt_in:
        enqueue_on_commit(
            "capture.tasks.confirmation_send",
            submission.pk,
            site,
            translation.get_language() or "",  # the e-mail speaks the page's language
            waiting="a form's confirmation e-mail (the person may submit again)",
        )
    else:
        _make_lead(submission, now)
    return submission


def _max_length(name: str) -> int:
    return cast(Field[Any, Any], Submission._meta.get_field(name)).max_length or 200


def confirmation_token(submission: Submission) -> str:
    return signing.dumps(submission.pk, salt=CONFIRMATION_SALT)


@transaction.atomic
def submission_confirm(*, token: str) -> Submission | None:
    """The person followed the link: they become a lead now. ``None`` for a link that is
    forged or older than ``CONFIRMATION_DAYS``; confirming twice changes nothing."""
    try:
        pk = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_DAYS * 86400)
    except signing.BadSignature:
        return None
    submission = Submission.objects.select_for_update().filter(pk=pk).first()
    if submission is not None and submission.confirmed_at is None:
        _make_lead(submission, timezone.now())
    return submission


def _make_lead(submission: Submission, at: datetime) -> None:
    """Find or create the contact, fill in what the form gave, record the event."""
    form = submission.form
    campaigns = {submission.email: form.campaign_id} if form.campaign_id else None
    pk = contacts_for_emails(emails=[submission.email], campaigns=campaigns)[
        submission.email.strip().lower()
    ]
    contact = Contact.objects.select_for_update().get(pk=pk)
    fields, attributes = answers_split(form.fields, submission.values)
    fields.pop("email", None)  # the contact's own spelling of it stays
    if attributes:
        fields["attributes"] = {**contact.attributes, **attributes}
    contact_update(contact=contact, by=None, **fields)
    submission.contact, submission.confirmed_at = contact, at
    submission.save(update_fields=["contact", "confirmed_at"])
    properties = {"form": form.pk, "form_name": form.name, **submission.tracking()}
    events_ingest(
        events=[
            EventIn(
                key=f"form-submission-{submission.pk}",
                type=FORM_SUBMITTED,
                occurred_at=at,
                contact_id=contact.pk,
                campaign_id=form.campaign_id,
                properties=properties,
            )
        ]
    )
