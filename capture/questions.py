"""What a form may ask, and the Django form that asks it.

A question is a contact field (validated as the contact model validates it) or a custom
attribute (a short text kept in the contact's ``attributes``). The e-mail is always asked:
it is how a submission finds its contact.
"""

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils.translation import gettext as _

from leads.models import Contact
from leads.normalise import NUL_MESSAGE, holds_nul

# The contact's own details a form may ask: its profile, but the campaign (the form's).
CONTACT_FIELDS = tuple(name for name in Contact.PROFILE_FIELDS if name != "campaign")
ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# The field a person never sees and a bot fills in; and the names a submission itself uses.
HONEYPOT = "homepage"
RESERVED = frozenset(
    {HONEYPOT, "consent", "referrer", "landing_page", "gclid", "fbclid", "form"}
) | {name for name in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")}
ATTRIBUTE_MAX_LENGTH = 500


def _contact_names() -> set[str]:
    """Stage, owner, scores...: the contact's own fields that no form may write."""
    return {field.name for field in Contact._meta.get_fields()}


def questions_clean(value: Any) -> list[dict[str, Any]]:
    """A form's ``fields`` as stored: each ``{"name", "required", "label"}``, the e-mail
    first and required; a ``ValidationError`` naming what is wrong otherwise."""
    if not isinstance(value, list):
        raise ValidationError(_("Give a list of fields."))
    if holds_nul(value):
        raise ValidationError(NUL_MESSAGE)
    cleaned: list[dict[str, Any]] = []
    for position, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValidationError(
                _("Field %(position)d: give an object with a name.") % {"position": position + 1}
            )
        name, required, label = item["name"], item.get("required", False), item.get("label", "")
        if name not in CONTACT_FIELDS and name in _contact_names():
            raise ValidationError(
                _("%(name)r is the contact's own, which no form writes.") % {"name": name}
            )
        if name not in CONTACT_FIELDS and (name in RESERVED or not ATTRIBUTE_NAME.match(name)):
            raise ValidationError(
                _(
                    "%(name)r is neither a contact field (%(fields)s) nor a custom attribute "
                    "name (lower-case letters, digits and _)."
                )
                % {"name": name, "fields": ", ".join(CONTACT_FIELDS)}
            )
        if not isinstance(required, bool) or not isinstance(label, str) or len(label) > 200:
            raise ValidationError(
                _("%(name)s: required is true or false, label a short text.") % {"name": name}
            )
        if name in {q["name"] for q in cleaned}:
            raise ValidationError(_("%(name)s is asked twice.") % {"name": name})
        cleaned.append({"name": name, "required": required, "label": label})
    email = next((q for q in cleaned if q["name"] == "email"), None)
    cleaned = [q for q in cleaned if q is not email]
    return [
        {"name": "email", "required": True, "label": email["label"] if email else ""},
        *cleaned,
    ]


def _field_for(question: dict[str, Any]) -> forms.Field:
    name = question["name"]
    field: forms.Field | None = None
    if name in CONTACT_FIELDS:
        field = cast(Field[Any, Any], Contact._meta.get_field(name)).formfield()
    if field is None:
        field = forms.CharField(max_length=ATTRIBUTE_MAX_LENGTH)
    field.required = question["required"]
    field.label = question["label"] or (
        field.label if name in CONTACT_FIELDS else name.replace("_", " ").capitalize()
    )
    return field


def form_class(questions: list[dict[str, Any]], consent_text: str) -> type[forms.Form]:
    """The Django form of one web form: its questions, the consent box and the honeypot."""
    declared: dict[str, forms.Field] = {q["name"]: _field_for(q) for q in questions}
    declared["consent"] = forms.BooleanField(
        required=True,
        label=consent_text,
        error_messages={"required": _("Please give your consent to send the form.")},
    )
    declared[HONEYPOT] = forms.CharField(required=False, label=_("Leave this empty"))
    return type("WebForm", (forms.Form,), declared)


def answers_split(questions: list[dict[str, Any]], cleaned: dict[str, Any]) -> tuple[dict, dict]:
    """The contact fields and the attributes a submission gave (blanks left out: a form
    never empties what the contact already has)."""
    fields: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for question in questions:
        value = cleaned.get(question["name"])
        if value in (None, ""):
            continue
        target = fields if question["name"] in CONTACT_FIELDS else attributes
        target[question["name"]] = value
    return fields, attributes
