"""
The stage actions, each declared once: the inputs it asks for, the lifecycle service it
calls, and the words the pages and the API describe it with.

The API's request bodies (``Action.serializer``) and the pages' forms (``Action.form``) are
both built from the same ``Input`` declarations, so a limit or an error message cannot be
changed on one side and forgotten on the other. The rules themselves (who may, from which
stage) stay in ``leads.services``; an input only checks the shape of what was sent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers

from . import services
from .api.serializers import CurrencyField
from .forms import DATE_INPUT, sales_reps
from .models import Contact
from .normalise import CURRENCY_HELP, currency_code
from .pages import user_name
from .stages import Move

REASON_MAX = 2000
TOO_LONG: dict[str, Any] = {
    "max_length": format_lazy(_("Write at most {limit} characters."), limit=REASON_MAX)
}
CENT = Decimal("0.01")  # the least a budget or an amount may be
ABOVE_ZERO = {
    "budget": _("The budget must be greater than zero."),
    "amount": _("The amount must be greater than zero."),
}


@dataclass(frozen=True)
class Input:
    """One value an action asks for, with the field it is on a page and in an API body."""

    name: str
    label: StrOrPromise
    required: bool = True

    def form_field(self) -> forms.Field:
        raise NotImplementedError

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Input):
    """A note or a reason. Its length is checked on the text as sent, as the schema says (DRF
    would check it after stripping, which counts control characters such as \\x1d as white
    space); the services strip it themselves."""

    def form_field(self) -> forms.Field:
        return forms.CharField(
            label=self.label,
            required=self.required,
            max_length=REASON_MAX,
            error_messages=TOO_LONG,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.CharField(
            max_length=REASON_MAX,
            trim_whitespace=False,
            error_messages=TOO_LONG,
            required=self.required,
            allow_blank=not self.required,
        )


@dataclass(frozen=True)
class Switch(Input):
    """A yes/no with a default, offered on a page as two worded choices."""

    yes: StrOrPromise = ""
    no: StrOrPromise = ""
    default: bool = True

    def form_field(self) -> forms.Field:
        return forms.TypedChoiceField(
            label=self.label,
            choices=[("true", self.yes), ("false", self.no)],
            coerce=lambda value: value == "true",
            initial="true" if self.default else "false",
            empty_value=self.default,  # type: ignore[arg-type]  # what coerce gives
            required=False,
            widget=forms.RadioSelect,
        )

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.BooleanField(
            default=self.default, help_text=f"true: {self.yes.lower()}; false: {self.no.lower()}."
        )


@dataclass(frozen=True)
class Money(Input):
    """An amount of money, above zero, to the cent."""

    def _limits(self) -> dict[str, Any]:
        return {
            "max_digits": 14,
            "decimal_places": 2,
            "min_value": CENT,
            "error_messages": {"min_value": ABOVE_ZERO[self.name]},
        }

    def form_field(self) -> forms.Field:
        return forms.DecimalField(label=self.label, **self._limits())

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.DecimalField(**self._limits())


class CurrencyFormField(forms.CharField):
    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return currency_code(value) if value else value


@dataclass(frozen=True)
class Currency(Input):
    """An ISO 4217 code ("eur" is taken as EUR)."""

    def form_field(self) -> forms.Field:
        return CurrencyFormField(
            label=self.label, initial="EUR", max_length=3, help_text=CURRENCY_HELP
        )

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return CurrencyField()


@dataclass(frozen=True)
class Day(Input):
    def form_field(self) -> forms.Field:
        return forms.DateField(label=self.label, widget=DATE_INPUT)

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.DateField()


@dataclass(frozen=True)
class Rep(Input):
    """A sales rep, or none for the shared queue. A page offers the active reps; the API takes
    any active user's id and leaves the "is it a rep" rule to the service."""

    def form_field(self) -> forms.Field:
        field = forms.ModelChoiceField(
            queryset=sales_reps(),
            required=False,
            empty_label=_("Shared queue (unassigned)"),
            label=self.label,
        )
        field.label_from_instance = user_name  # type: ignore[method-assign,assignment]
        return field

    def serializer_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.PrimaryKeyRelatedField(
            queryset=get_user_model().objects.filter(is_active=True), allow_null=True
        )


NOTE = Text("reason", _("Note"), required=False)
REASON = Text("reason", _("Reason"))


@dataclass(frozen=True)
class Action:
    """One stage action: the keyword arguments of ``service`` are the inputs' values."""

    slug: str
    move: Move
    service: Callable[..., Contact]
    inputs: tuple[Input, ...]
    summary: str  # the API operation's
    label: StrOrPromise  # the page's button
    verb: StrOrPromise  # "accept {name}", for "Could not accept Jane Doe: ..."
    done: StrOrPromise  # the success message, formatted with name, stage, owner, budget and amount
    tone: str = "primary"

    @property
    def name(self) -> str:
        return self.slug.replace("-", "_")

    @cached_property
    def form(self) -> type[forms.Form]:
        fields = {each.name: each.form_field() for each in self.inputs}
        return type(f"{self._class_name}Form", (forms.Form,), fields)

    @cached_property
    def serializer(self) -> type[serializers.Serializer[Any]]:
        fields = {each.name: each.serializer_field() for each in self.inputs}
        return type(f"{self._class_name}Serializer", (serializers.Serializer,), fields)

    @property
    def _class_name(self) -> str:
        return self.slug.title().replace("-", "")

    @property
    def one_click(self) -> bool:
        """Nothing to fill in (an optional note at most): a button does it."""
        return not any(each.required for each in self.inputs)

    def new_form(self, data: Any = None) -> forms.Form:
        # Every action has its own ids on a page that shows several action forms.
        return self.form(data, auto_id=f"id_{self.slug}_%s")


ACTIONS = {
    action.slug: action
    for action in (
        Action(
            "claim",
            Move.CLAIM,
            services.contact_claim,
            (NOTE,),
            "Take an unassigned MQL from the shared queue",
            _("Claim"),
            _("claim {name}"),
            _("{name} is yours now: accept or reject it before the deadline."),
        ),
        Action(
            "accept",
            Move.ACCEPT,
            services.contact_accept,
            (NOTE,),
            "Accept an MQL: MQL -> SQL",
            _("Accept"),
            _("accept {name}"),
            _("{name} accepted: now an SQL."),
        ),
        Action(
            "reject",
            Move.REJECT,
            services.contact_reject,
            (
                REASON,
                Switch(
                    "recycle",
                    _("Then"),
                    yes=_("Back to marketing for nurturing"),
                    no=_("Disqualify for good"),
                ),
            ),
            "Reject an MQL: recycle or disqualify",
            _("Reject"),
            _("reject {name}"),
            _("{name} rejected: now {stage}."),
            "danger",
        ),
        Action(
            "mark-mql",
            Move.MARK_MQL,
            services.contact_mark_mql,
            (NOTE,),
            "Mark as MQL (marketing)",
            _("Mark MQL"),
            _("mark {name} as MQL"),
            _("{name} is now an MQL, waiting in the sales queue."),
        ),
        Action(
            "fast-track",
            Move.FAST_TRACK,
            services.contact_fast_track,
            (REASON,),
            "Take a lead straight to SQL",
            _("Fast-track to SQL"),
            _("fast-track {name}"),
            _("{name} fast-tracked: now an SQL."),
            "secondary",
        ),
        Action(
            "qualify",
            Move.QUALIFY,
            services.contact_qualify,
            (
                NOTE,
                Money("budget", _("Budget")),
                Currency("currency", _("Currency")),
                Day("close_by", _("Expected close")),
            ),
            "SQL -> QSO",
            _("Qualify"),
            _("qualify {name}"),
            _("{name} qualified: an opportunity of {budget}."),
        ),
        Action(
            "win",
            Move.WIN,
            services.contact_win,
            (NOTE, Money("amount", _("Signed amount"))),
            "QSO -> client",
            _("Mark won"),
            _("mark {name} as won"),
            _("{name} signed for {amount}: a new client."),
        ),
        Action(
            "lose",
            Move.LOSE,
            services.contact_lose,
            (REASON,),
            "SQL or QSO -> lost",
            _("Mark lost"),
            _("mark {name} as lost"),
            _("{name} marked as lost."),
            "danger",
        ),
        Action(
            "disqualify",
            Move.DISQUALIFY,
            services.contact_disqualify,
            (REASON,),
            "Take a contact out for good",
            _("Disqualify"),
            _("disqualify {name}"),
            _("{name} disqualified."),
            "danger",
        ),
        Action(
            "assign",
            Move.ASSIGN,
            services.contact_assign,
            (NOTE, Rep("owner", _("Give to"))),
            "Give the contact to a rep",
            _("Assign"),
            _("assign {name}"),
            _("{name} is now with {owner}."),
            "secondary",
        ),
    )
}
