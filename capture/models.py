"""Web forms that take leads from a website, and what each submission brought."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk
from leads.models import Campaign, Contact

# The page's tracking parameters a submission keeps (the hosted page reads them from its
# address, the embed snippet from the page it sits on).
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CLICK_IDS = ("gclid", "fbclid")


def new_key() -> str:
    """A form's public key: in the page address and the embed snippet, not guessable."""
    return secrets.token_urlsafe(12)


class Form(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("name"))
    key = models.CharField(
        max_length=32, unique=True, default=new_key, editable=False, verbose_name=_("key")
    )
    fields = models.JSONField(
        default=list,
        help_text=_(
            "What the form asks, in order: contact fields and custom attributes, each "
            '{"name": ..., "required": true|false, "label": ...}. The e-mail is always asked.'
        ),
        verbose_name=_("fields"),
    )
    campaign = optional_fk(
        Campaign,
        _("campaign"),
        related_name="forms",
        help_text=_("The campaign a contact this form creates comes from."),
    )
    consent_text = models.TextField(
        help_text=_("The wording of the required consent checkbox, kept with each submission."),
        verbose_name=_("consent text"),
    )
    double_opt_in = models.BooleanField(
        default=False,
        help_text=_("Send a confirmation e-mail; the person becomes a lead once they confirm."),
        verbose_name=_("double opt in"),
    )
    thank_you_message = models.TextField(
        blank=True,
        default="",
        help_text=_("Shown after a submission (unless it redirects)."),
        verbose_name=_("thank you message"),
    )
    redirect_url = models.URLField(
        blank=True,
        default="",
        help_text=_("Where the person goes after submitting, if anywhere."),
        verbose_name=_("redirect url"),
    )
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text=_('The sites that may embed the form, e.g. ["https://www.example.com"].'),
        verbose_name=_("allowed origins"),
    )
    active = models.BooleanField(
        default=True, help_text=_("A disabled form answers 404."), verbose_name=_("active")
    )
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One person's answers to a form, with where they came from and the consent they gave.

    ``confirmed_at`` is when they became a lead: at once, or when they followed the link of a
    double opt-in. Until then ``contact`` is empty and nothing else in the app knows them.
    """

    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("form")
    )
    contact = optional_fk(Contact, _("contact"), related_name="submissions")
    email = models.EmailField(
        blank=True, verbose_name=_("email")
    )  # empty once the person is erased
    values = models.JSONField(
        default=dict, help_text=_("The answers, by field name."), verbose_name=_("values")
    )
    utm_source = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm source")
    )
    utm_medium = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm medium")
    )
    utm_campaign = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm campaign")
    )
    utm_term = models.CharField(max_length=200, blank=True, default="", verbose_name=_("utm term"))
    utm_content = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm content")
    )
    gclid = models.CharField(max_length=200, blank=True, default="", verbose_name=_("gclid"))
    fbclid = models.CharField(max_length=200, blank=True, default="", verbose_name=_("fbclid"))
    referrer = models.CharField(
        max_length=2000, blank=True, default="", verbose_name=_("referrer")
    )
    landing_page = models.CharField(
        max_length=2000, blank=True, default="", verbose_name=_("landing page")
    )
    consent_text = models.TextField(
        help_text=_("The consent wording as the person saw it."), verbose_name=_("consent text")
    )
    consented_at = models.DateTimeField(verbose_name=_("consented at"))
    address_hash = models.CharField(
        max_length=64,
        help_text=_("A keyed hash of the client address the consent came from."),
        verbose_name=_("address hash"),
    )
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["form", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.form} <{self.email}>"

    def tracking(self) -> dict[str, str]:
        """The page's parameters, referrer and landing page that were given."""
        names = (*UTM_FIELDS, *CLICK_IDS, "referrer", "landing_page")
        return {name: getattr(self, name) for name in names if getattr(self, name)}
