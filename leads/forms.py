"""
Forms of the browser pages. They check the shape of the input (types, required fields);
the rules themselves (who may, from which stage, a positive budget, a unique e-mail) stay in
``leads.services``, whose errors the views put back on these forms.
"""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import touches
from .models import Campaign, Contact
from .normalise import CURRENCY_HELP, currency_code
from .roles import Account, User
from .stages import Role

# The queue's one-click reasons, stored in the rep's language (sla reads "Unreachable" in
# every language: ``sla.models.says_unreachable``).
REJECT_REASONS = (_("Bad fit"), _("No interest"), _("Unreachable"), _("Duplicate"), _("Too small"))
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def sales_reps() -> QuerySet[Account]:
    """The people a contact may be given to: active members of the sales group."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SALES)
        .order_by("first_name", "last_name", "username")
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has one,
    else above the form (``Form.add_error`` refuses fields it does not know)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ContactForm(forms.Form):
    """A contact's details, with the model's own field types, labels and limits.

    A plain form rather than a ``ModelForm``: a model form would validate the e-mail's
    uniqueness itself and write the row, where ``contact_create``/``contact_update`` must
    (they announce the change, and report a duplicate with the existing contact's id).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Contact, fields=Contact.PROFILE_FIELDS))
        self.fields["email"].required = True
        campaign = cast(forms.ModelChoiceField[Campaign], self.fields["campaign"])
        campaign.queryset = Campaign.objects.order_by("name")
        campaign.empty_label = "No campaign"
        country = cast(forms.ChoiceField, self.fields["country"])
        countries: list[tuple[str, str]] = list(country.choices)  # type: ignore[arg-type]
        country.choices = [("", "Choose a country"), *countries[1:]]
        self.fields["campaign"].help_text = _("First touch: the campaign that brought them.")
        self.fields["company_size"].help_text = "Employees."

    @classmethod
    def for_contact(cls, contact: Contact, data: Any = None) -> "ContactForm":
        return cls(data, initial=forms.model_to_dict(contact, fields=Contact.PROFILE_FIELDS))

    def changed_fields(self) -> dict[str, Any]:
        """Only what the user changed: an edit must not rewrite (and announce) the rest."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class CampaignForm(forms.ModelForm[Campaign]):
    spend = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        label=_("Spend"),
        help_text=_("Everything it cost so far: reports divide it by leads, MQLs, clients."),
    )

    utm_campaigns = forms.CharField(
        label=_("UTM campaigns"),
        required=False,
        help_text=_(
            "The utm_campaign values that mean this campaign, one per line: touches "
            "that carry one are credited to it."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Campaign
        fields = ["name", "channel", "spend", "currency", "started_on", "ended_on"]
        widgets = {"started_on": DATE_INPUT, "ended_on": DATE_INPUT}
        help_texts = {
            "currency": CURRENCY_HELP,
            "ended_on": _("Leave empty while it runs."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["utm_campaigns"] = "\n".join(self.instance.utm_campaigns or [])

    def clean_currency(self) -> str:
        return currency_code(self.cleaned_data["currency"])

    def clean_utm_campaigns(self) -> list[str]:
        values = self.cleaned_data["utm_campaigns"].splitlines()
        return touches.utm_campaigns_clean([v for v in values if v.strip()], self.instance)

    def save(self, commit: bool = True) -> Campaign:
        """Save; with ``commit``, credit the campaign with the touches its UTM values claim
        (the admin commits later, in ``CampaignAdmin.save_model``)."""
        self.instance.utm_campaigns = self.cleaned_data["utm_campaigns"]
        campaign = super().save(commit)
        if commit:
            touches.touches_claim(campaign)
        return campaign

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("A campaign cannot end before it starts."))
        return cleaned


class BulkActionForm(forms.Form):
    """Several contacts of the list at once: mark them MQL or give them to a rep."""

    MAX = 200  # a page or two: each contact is moved (and refused) on its own

    action = forms.ChoiceField(choices=[("mark_mql", "Mark MQL"), ("assign", "Assign")])
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        error_messages={"required": "Select at least one contact."},
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Shared queue (unassigned)"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only contacts the user can see: a forged id is "not a valid choice".
        cast(
            forms.ModelMultipleChoiceField[Contact], self.fields["contacts"]
        ).queryset = Contact.objects.visible_to(user)
        cast(forms.ModelChoiceField[Account], self.fields["owner"]).queryset = sales_reps()

    def clean_contacts(self) -> QuerySet[Contact]:
        contacts: QuerySet[Contact] = self.cleaned_data["contacts"]
        if len(contacts) > self.MAX:
            raise ValidationError(
                _("Select at most %(limit)d contacts at a time.") % {"limit": self.MAX}
            )
        return contacts


class DefinitionForm(forms.Form):
    text = forms.CharField(
        label=_("Definition"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain words both teams agree on: criteria, thresholds, deadlines."),
    )
