"""
Forms of the scoring pages. They read what a marketer types (a condition's value as text,
``50`` or ``/pricing`` or ``student, intern``) into the shapes a rule stores; whether a
condition can work is ``scoring.conditions``' call, through ``rule_create``/``rule_update``
and ``settings_update``, whose errors the views put back on these forms.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .conditions import NUMBER_FIELDS, TEXT_FIELDS, Operator
from .models import Dimension, Rule, ScoringSettings

# The event types of the API's documentation, offered as suggestions (any type is allowed).
EVENT_TYPES = (
    "email_opened",
    "email_clicked",
    "page_viewed",
    "form_submitted",
    "content_downloaded",
    "webinar_registered",
    "demo_requested",
    "trial_started",
)
PROFILE_ATTRIBUTES = sorted(TEXT_FIELDS | NUMBER_FIELDS)
KINDS = (
    ("event", _("Behaviour: an event the person did")),
    ("profile", _("Profile: who they are")),
)
TEXTUAL = frozenset({Operator.CONTAINS, Operator.STARTSWITH})


def parse_scalar(text: str, *, textual: bool) -> Any:
    """``50`` is a number and ``true`` a boolean unless the condition compares text."""
    if textual:
        return text
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_value(text: str, *, attribute: str, operator: str) -> Any:
    """A condition's value from its text: a list for "one of" (comma-separated)."""
    text = text.strip()
    if not text:
        return None
    textual = attribute in TEXT_FIELDS or operator in TEXTUAL
    if operator == Operator.IN:
        return [parse_scalar(part.strip(), textual=textual) for part in text.split(",")]
    return parse_scalar(text, textual=textual)


def value_text(value: Any) -> str:
    """The reverse of ``parse_value``, to edit a stored value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value_text(part) for part in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RuleForm(forms.Form):
    """A rule as a marketer thinks of it: a behaviour or a trait, and its points."""

    name = forms.CharField(max_length=200, help_text=_("What the team calls it: “Pricing page”."))
    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, initial="event")
    dimension = forms.ChoiceField(
        choices=Dimension.choices,
        help_text=_(
            "Fit: the person matches the buyer. Engagement: they show interest (fades with time)."
        ),
    )
    points = forms.IntegerField(
        min_value=-1000, max_value=1000, help_text=_("Negative for a bad sign (a student).")
    )
    event_type = forms.CharField(
        max_length=50,
        required=False,
        label=_("Event type"),
        widget=forms.TextInput(attrs={"list": "event-types", "autocomplete": "off"}),
        help_text=_("e.g. content_downloaded, page_viewed."),
    )
    attribute = forms.CharField(
        max_length=100,
        required=False,
        label=_("Condition on"),
        widget=forms.TextInput(attrs={"list": "attributes", "autocomplete": "off"}),
        help_text=_(
            "Behaviour: an event property such as url (optional). Profile: a contact "
            "field such as company_size, or attributes.&lt;key&gt;."
        ),
    )
    operator = forms.ChoiceField(
        choices=[("", "—"), *Operator.choices], required=False, label=_("Operator")
    )
    value = forms.CharField(
        max_length=2000,
        required=False,
        help_text=_("A number, a text, true/false; for “one of”, values separated by commas."),
    )
    max_times = forms.IntegerField(
        min_value=1,
        required=False,
        label=_("Count at most"),
        help_text=_("Behaviour only: the most times one person earns it (empty: no limit)."),
    )
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: Rule, data: Any = None) -> "RuleForm":
        initial = {
            "name": rule.name,
            "kind": "event" if rule.is_event_rule else "profile",
            "dimension": rule.dimension,
            "points": rule.points,
            "event_type": rule.event_type,
            "attribute": rule.attribute,
            "operator": rule.operator,
            "value": value_text(rule.value),
            "max_times": rule.max_times,
            "active": rule.active,
        }
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == "profile":
            cleaned["event_type"], cleaned["max_times"] = "", None
        elif cleaned.get("kind") == "event" and not cleaned.get("event_type"):
            self.add_error("event_type", _("Name the event that gives the points."))
        return cleaned

    def rule_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``rule_create``/``rule_update``."""
        data = {key: value for key, value in self.cleaned_data.items() if key != "kind"}
        data["operator"] = data["operator"] or ""
        data["value"] = parse_value(
            data["value"], attribute=data["attribute"], operator=data["operator"]
        )
        return data


class ThresholdsForm(forms.ModelForm[ScoringSettings]):
    """The MQL line, its minimums per dimension, the hot level and the decay."""

    class Meta:
        model = ScoringSettings
        fields = ["mql_threshold", "min_fit", "min_engagement", "hot_threshold", "half_life_days"]
        labels = {
            "mql_threshold": _("MQL threshold"),
            "min_fit": _("Minimum fit"),
            "min_engagement": _("Minimum engagement"),
            "hot_threshold": _("Ready-for-sales level"),
            "half_life_days": _("Half-life of engagement (days)"),
        }
        help_texts = {
            "mql_threshold": _("A lead whose score reaches this becomes an MQL."),
            "hot_threshold": _(
                "Flags an MQL as ready for sales (SQL stays the rep's call). Empty: no such level."
            ),
        }


class CompanyScoringForm(forms.ModelForm[ScoringSettings]):
    """How a company's scores come from its contacts', and the MQA line."""

    class Meta:
        model = ScoringSettings
        fields = ["company_aggregate", "company_top_n", "mqa_threshold"]
        labels = {
            "company_aggregate": _("A company's score is"),
            "company_top_n": _("Best contacts averaged"),
            "mqa_threshold": _("Marketing-qualified account at"),
        }
