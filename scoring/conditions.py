"""
What a rule's condition may say, and what it means, in one place.

A profile rule is matched in SQL over many contacts at once (``profile_queryset``); an event
rule's property condition is matched in memory over an incoming batch (``event_matcher``)
and in SQL when a recompute rebuilds everything (``property_queryset``). The two event
paths give the same answer on the same data; the tests hold them to it.

Text comparisons: ``eq``/``ne``/``in`` are exact, ``contains``/``startswith`` ignore case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Expression, F, Q, QuerySet, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Lower, StrIndex, Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the models import this module for the operators and the checks
    from leads.models import Contact

    from .models import Activity, Rule


class Operator(models.TextChoices):
    """How a condition compares (the rule's ``operator``)."""

    EQ = "eq", _("equals")
    NE = "ne", _("does not equal")
    LT = "lt", _("<")
    LTE = "lte", _("<=")
    GT = "gt", _(">")
    GTE = "gte", _(">=")
    IN = "in", _("one of")
    CONTAINS = "contains", _("contains")
    STARTSWITH = "startswith", _("starts with")
    IS_SET = "is_set", _("is set")


TEXT_FIELDS = frozenset({"job_title", "company", "industry", "country", "phone", "email_domain"})
NUMBER_FIELDS = frozenset({"company_size"})
ATTRIBUTES_PREFIX = "attributes."
# Contact fields whose change means the profile rules must be applied again.
PROFILE_SOURCE_FIELDS = (TEXT_FIELDS - {"email_domain"}) | NUMBER_FIELDS | {"email", "attributes"}

_ORDERING = frozenset({Operator.LT, Operator.LTE, Operator.GT, Operator.GTE})
_TEXT_MATCH = frozenset({Operator.CONTAINS, Operator.STARTSWITH})
EVENT_OPERATORS = frozenset({Operator.EQ, Operator.IN, Operator.CONTAINS, Operator.STARTSWITH})
TEXT_OPERATORS = frozenset(Operator) - _ORDERING
NUMBER_OPERATORS = frozenset(Operator) - _TEXT_MATCH
JSON_OPERATORS = frozenset(Operator)

# An event's type, as events are sent and as event rules name them (at most 50 long).
EVENT_TYPE = re.compile(r"^[\w.:-]+$")
_KEY = re.compile(r"^[\w.-]{1,64}$")
_MAX_CHOICES = 500


def validate_rule(rule: Rule) -> None:
    """Raise ``ValidationError`` (messages per field) for a condition that cannot work."""
    errors: dict[str, list[str]] = {}
    if rule.event_type:
        if len(rule.event_type) > 50 or not EVENT_TYPE.match(rule.event_type):
            errors["event_type"] = [gettext("Use letters, digits and _ . : - (at most 50).")]
        allowed = _event_operators(rule, errors)
    else:
        if rule.max_times is not None:
            errors["max_times"] = [gettext("Only event rules have a maximum count.")]
        allowed = _profile_operators(rule, errors)
    if rule.attribute and not errors.get("attribute"):
        if rule.operator not in allowed:
            names = ", ".join(sorted(allowed))
            errors["operator"] = [f"Choose one of {names} for this attribute."]
        else:
            rule.value = _clean_value(rule, errors)
    elif rule.operator or rule.value is not None:
        errors.setdefault("attribute", [gettext("Name the attribute the condition is on.")])
    if errors:
        raise ValidationError(errors)


def _event_operators(rule: Rule, errors: dict[str, Any]) -> frozenset[Operator]:
    if rule.attribute and not _KEY.match(rule.attribute):
        errors["attribute"] = [_("A property name: letters, digits and _ . - (at most 64).")]
    return EVENT_OPERATORS


def _profile_operators(rule: Rule, errors: dict[str, Any]) -> frozenset[Operator]:
    attribute = rule.attribute
    if not attribute:
        errors["event_type"] = [
            _("Give an event type (event rule) or an attribute (profile rule).")
        ]
        return frozenset()
    if attribute in TEXT_FIELDS:
        return TEXT_OPERATORS
    if attribute in NUMBER_FIELDS:
        return NUMBER_OPERATORS
    key = attribute.removeprefix(ATTRIBUTES_PREFIX)
    if attribute.startswith(ATTRIBUTES_PREFIX) and _KEY.match(key):
        return JSON_OPERATORS
    fields = ", ".join(sorted(TEXT_FIELDS | NUMBER_FIELDS))
    errors["attribute"] = [f"Use one of {fields}, or attributes.<key>."]
    return frozenset()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _clean_value(rule: Rule, errors: dict[str, Any]) -> Any:
    """The value the operator needs, checked against the attribute's kind."""
    op, value = rule.operator, rule.value
    wanted: Callable[[Any], bool]
    if rule.attribute in NUMBER_FIELDS:
        wanted, message = _is_number, "a number"
    elif rule.attribute in TEXT_FIELDS:
        wanted, message = (lambda v: isinstance(v, str)), "a text"
    else:
        wanted, message = _is_scalar, gettext("a text, a number or true/false")
    if op == Operator.IS_SET:
        if value is None:
            return True
        if not isinstance(value, bool):
            errors["value"] = [_("true (is set) or false (is not set).")]
        return value
    if op in _ORDERING:
        wanted, message = _is_number, "a number"
    elif op in _TEXT_MATCH:
        wanted, message = (lambda v: isinstance(v, str) and v != ""), gettext("a non-empty text")
    if op == Operator.IN:
        if not (isinstance(value, list) and 0 < len(value) <= _MAX_CHOICES):
            errors["value"] = [f"A list of 1 to {_MAX_CHOICES} values."]
        elif not all(wanted(v) for v in value):
            errors["value"] = [f"Each value must be {message}."]
        return value
    if not wanted(value):
        errors["value"] = [f"The value must be {message}."]
    return value


# --- in memory: event properties ---------------------------------------------------------


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1 (as in PostgreSQL's jsonb), 5 equals 5.0."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _as_text(value: Any) -> str | None:
    """A property as the text that ``->>`` gives in SQL; None when there is none."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)


def event_matcher(rule: Rule) -> Callable[[dict[str, Any]], bool]:
    """A predicate on an event's ``properties`` for this (event) rule's condition."""
    key, op = rule.attribute, rule.operator
    expected: Any = rule.value  # checked by clean(): a list for "in", a text for the rest
    if not key:
        return lambda properties: True
    if op == Operator.EQ:
        return lambda p: key in p and _json_equal(p[key], expected)
    if op == Operator.IN:
        return lambda p: key in p and any(_json_equal(p[key], v) for v in expected)
    needle = expected.lower()
    if op == Operator.CONTAINS:
        return _text_matcher(key, lambda text: needle in text)
    if op == Operator.STARTSWITH:
        return _text_matcher(key, lambda text: text.startswith(needle))
    raise ValueError(f"{op} is not an event property operator")


def _text_matcher(key: str, test: Callable[[str], bool]) -> Callable[[dict[str, Any]], bool]:
    def match(properties: dict[str, Any]) -> bool:
        text = _as_text(properties.get(key))
        return text is not None and test(text.lower())

    return match


# --- in SQL: profile rules and event properties --------------------------------------------


def _target(attribute: str) -> Expression | F:
    """The expression a profile condition looks at."""
    if attribute == "email_domain":
        return Lower(Substr("email", StrIndex("email", Value("@")) + 1))
    if attribute.startswith(ATTRIBUTES_PREFIX):
        return KeyTransform(attribute.removeprefix(ATTRIBUTES_PREFIX), "attributes")
    return F(attribute)


def _present(kind: str, target: str) -> Q:
    """ "Is set": a NOT NULL text column that is not empty; a nullable value that is not NULL;
    a JSON key that exists and is not null."""
    if kind == "text":
        return ~Q(**{target: ""})
    if kind == "json":
        return Q(**{f"{target}__isnull": False}) & ~Q(**{target: None})
    return Q(**{f"{target}__isnull": False})


def _condition(op: str, value: Any, *, kind: str, target: str = "_target") -> Q:
    """The condition on the annotation ``target`` of the given kind (see ``_present``)."""
    match op:
        case Operator.IS_SET:
            return _present(kind, target) if value else ~_present(kind, target)
        case Operator.NE:
            return _present(kind, target) & ~Q(**{target: value})
        case Operator.CONTAINS:
            return Q(**{f"{target}__icontains": value})
        case Operator.STARTSWITH:
            return Q(**{f"{target}__istartswith": value})
        case Operator.EQ:
            return Q(**{target: value})
    return Q(**{f"{target}__{op}": value})


def _kind(attribute: str) -> str:
    if attribute.startswith(ATTRIBUTES_PREFIX):
        return "json"
    # email_domain comes from a nullable column (NULL once the contact is erased).
    if attribute in NUMBER_FIELDS or attribute == "email_domain":
        return "nullable"
    return "text"


def profile_queryset(rule: Rule, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """The contacts among ``contacts`` that this profile rule gives its points to."""
    matched: QuerySet[Contact] = contacts.annotate(_target=_target(rule.attribute)).filter(
        _condition(rule.operator, rule.value, kind=_kind(rule.attribute))
    )
    return matched


def rule_match(rule: Rule, name: str) -> tuple[dict[str, Any], Q]:
    """The rule's condition for a query that tests several rules in one pass over the rows
    (the evidence app's replay): what it looks at, as an annotation named ``name``, and the
    condition on it, on an activity (its type too) or on a contact. The same condition as
    ``profile_queryset`` and ``property_queryset``, which apply one rule at a time."""
    if rule.is_event_rule:
        if not rule.attribute:
            return {}, Q(type=rule.event_type)
        looks_at = {name: KeyTransform(rule.attribute, "properties")}
        condition = _condition(rule.operator, rule.value, kind="json", target=name)
        return looks_at, Q(type=rule.event_type) & condition
    condition = _condition(rule.operator, rule.value, kind=_kind(rule.attribute), target=name)
    return {name: _target(rule.attribute)}, condition


def property_queryset(rule: Rule, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The activities among ``activities`` whose properties meet this event rule's condition."""
    if not rule.attribute:
        return activities
    target = KeyTransform(rule.attribute, "properties")
    matched: QuerySet[Activity] = activities.annotate(_target=target).filter(
        _condition(rule.operator, rule.value, kind="json")
    )
    return matched


def describe(rule: Rule) -> str:
    """The rule's condition in words: “content_downloaded where url contains /pricing”."""
    condition = ""
    if rule.attribute:
        value = ", ".join(map(str, rule.value)) if isinstance(rule.value, list) else rule.value
        shown = "" if rule.operator == "is_set" else f" {value}"
        condition = f"{rule.attribute} {rule.get_operator_display()}{shown}"
    if not rule.is_event_rule:
        return condition
    where = f" where {condition}" if condition else ""
    cap = f", at most {rule.max_times}×" if rule.max_times else ""
    return f"{rule.event_type}{where}{cap}"
