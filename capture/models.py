"""Web forms that take leads from a website, and what each submission brought."""

import secrets

from django.conf import settings
from django.db import models

from leads.models import Campaign, Contact

# The page's tracking parameters a submission keeps (the hosted page reads them from its
# address, the embed snippet from the page it sits on).
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CLICK_IDS = ("gclid", "fbclid")


def new_key() -> str:
    """A form's public key: in the page address and the embed snippet, not guessable."""
    return secrets.token_urlsafe(12)


class Form(models.Model):
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    fields = models.JSONField(
        default=list,
        help_text="What the form asks, in order: contact fields and custom attributes, each "
        '{"name": ..., "required": true|false, "label": ...}. The e-mail is always asked.',
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forms",
        help_text="The campaign a contact this form creates comes from.",
    )
    consent_text = models.TextField(
        help_text="The wording of the required consent checkbox, kept with each submission."
    )
    double_opt_in = models.BooleanField(
        default=False,
        help_text="Send a confirmation e-mail; the person becomes a lead once they confirm.",
    )
    thank_you_message = models.TextField(
        blank=True, default="", help_text="Shown after a submission (unless it redirects)."
    )
    redirect_url = models.URLField(
        blank=True, default="", help_text="Where the person goes after submitting, if anywhere."
    )
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='The sites that may embed the form, e.g. ["https://www.example.com"].',
    )
    active = models.BooleanField(default=True, help_text="A disabled form answers 404.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One person's answers to a form, with where they came from and the consent they gave.

    ``confirmed_at`` is when they became a lead: at once, or when they followed the link of a
    double opt-in. Until then ``contact`` is empty and nothing else in the app knows them.
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    email = models.EmailField(blank=True)  # empty once the person is erased
    values = models.JSONField(default=dict, help_text="The answers, by field name.")
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    utm_campaign = models.CharField(max_length=200, blank=True, default="")
    utm_term = models.CharField(max_length=200, blank=True, default="")
    utm_content = models.CharField(max_length=200, blank=True, default="")
    gclid = models.CharField(max_length=200, blank=True, default="")
    fbclid = models.CharField(max_length=200, blank=True, default="")
    referrer = models.CharField(max_length=2000, blank=True, default="")
    landing_page = models.CharField(max_length=2000, blank=True, default="")
    consent_text = models.TextField(help_text="The consent wording as the person saw it.")
    consented_at = models.DateTimeField()
    address_hash = models.CharField(
        max_length=64, help_text="A keyed hash of the client address the consent came from."
    )
    submitted_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["form", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.form} <{self.email}>"

    def tracking(self) -> dict[str, str]:
        """The page's parameters, referrer and landing page that were given."""
        names = (*UTM_FIELDS, *CLICK_IDS, "referrer", "landing_page")
        return {name: getattr(self, name) for name in names if getattr(self, name)}
