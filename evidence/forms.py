"""
Forms of the evidence page. They read what a marketer types into the request the API takes,
and the API's own serializers check it (``evidence.api.serializers``): one set of rules for
both, whose messages the forms show on their fields.
"""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as drf

from reporting.api.serializers import twelve_months_to
from scoring.conditions import describe
from scoring.models import Rule, RuleSet, RuleSetState

from .api import serializers
from .candidates import RULE_FIELDS, Thresholds, rule_from_json
from .models import Analysis, Target

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EDITED = "edited"
SUGGESTED = "suggested"
VERSION = "version"


def _at(errors: Any, position: int) -> Any:
    """The errors of one item of a list, which DRF keys by position."""
    if isinstance(errors, dict):
        return errors.get(position) or errors.get(str(position)) or {}
    return errors[position] if isinstance(errors, list) and len(errors) > position else {}


def _flatten(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [text for value in errors.values() for text in _flatten(value)]
    if isinstance(errors, list):
        return [text for value in errors for text in _flatten(value)]
    return [str(errors)]


class EvidenceForm(forms.Form):
    """A period of the history, checked by the API serializer of the analysis."""

    serializer: type[drf.Serializer]
    start = forms.DateField(widget=DATE, help_text=_("First day of the period."))
    end = forms.DateField(widget=DATE, help_text=_("Last day, included."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["end"].initial = today
        self.fields["start"].initial = twelve_months_to(today)

    def request_data(self) -> dict[str, Any]:
        """The API request this form stands for."""
        return {key: value for key, value in self.cleaned_data.items() if value is not None}

    def checked(self) -> dict[str, Any] | None:
        """The API serializer's validated data, or None with its errors on the form."""
        checked = self.serializer(data=self.request_data())
        if checked.is_valid():
            return checked.validated_data
        for field, errors in checked.errors.items():
            self.add_error(field if field in self.fields else None, _flatten(errors))
        return None


class SignalsForm(EvidenceForm):
    serializer = serializers.SignalsRequestSerializer
    target = forms.ChoiceField(
        choices=Target.choices,
        initial=Target.SQL,
        label=_("Sort by conversion to"),
        widget=forms.RadioSelect,
    )
    window_days = forms.IntegerField(
        initial=90,
        label=_("Look at the first (days)"),
        help_text=_("What a lead did in its first days, before sales took it."),
    )
    min_support = forms.IntegerField(
        initial=30,
        label=_("Small sample below"),
        help_text=_("Contacts with (or without) a signal."),
    )


class SuggestionForm(SignalsForm):
    serializer = serializers.SuggestionRequestSerializer
    field_order = ["start", "end", "target", "holdout_months"]
    holdout_months = forms.IntegerField(
        initial=3,
        label=_("Held-out months"),
        help_text=_("The last months of the period: the model is tested on them, never trained."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].label = _("Learn to predict")


class BacktestForm(EvidenceForm):
    """The current rules (candidate A) against candidate B: the current rules with points,
    switches and thresholds edited here, or the latest suggested points."""

    serializer = serializers.BacktestRequestSerializer
    source = forms.ChoiceField(
        choices=[
            (EDITED, _("The current rules as edited below")),
            (VERSION, _("A saved version")),
            (SUGGESTED, _("Suggested points")),
        ],
        initial=EDITED,
        label=_("Candidate B"),
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        max_length=100, initial=_("Edited rules"), label=_("Name of candidate B")
    )
    mql_threshold = forms.IntegerField(label=_("MQL threshold"))
    min_fit = forms.IntegerField(required=False, label=_("Minimum fit"))
    min_engagement = forms.IntegerField(required=False, label=_("Minimum engagement"))
    half_life_days = forms.IntegerField(required=False, label=_("Half-life (days)"))
    ruleset = forms.ModelChoiceField(
        queryset=RuleSet.objects.exclude(state=RuleSetState.PUBLISHED),
        required=False,
        label=_("Version"),
        help_text=_("A draft, the version in shadow or an archived one (the releases page)."),
    )

    def __init__(
        self,
        *args: Any,
        rules: list[Rule],
        thresholds: Thresholds,
        suggestion: Analysis | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rules, self.suggestion = rules, suggestion
        for name, value in thresholds.as_json().items():
            self.fields[name].initial = value
        for rule in rules:
            self.fields[f"points_{rule.pk}"] = forms.IntegerField(
                initial=rule.points, label=f"Points of {rule.name}"
            )
            self.fields[f"active_{rule.pk}"] = forms.BooleanField(
                required=False, initial=True, label=f"{rule.name} on"
            )
        if suggestion is None:
            source = cast(forms.ChoiceField, self.fields["source"])
            source.choices = list(source.choices)[:2]  # type: ignore[arg-type]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == VERSION and data.get("ruleset") is None:
            self.add_error("ruleset", _("Choose the version to backtest."))
        return data

    def rule_rows(self) -> list[tuple[Rule, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"points_{r.pk}"], self[f"active_{r.pk}"]) for r in self.rules]

    def request_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["source"] == VERSION:
            candidate = {"ruleset": data["ruleset"].pk}
        elif data["source"] == SUGGESTED and self.suggestion is not None:
            result = self.suggestion.result or {}
            candidate = {"name": "Suggested points", "rules": result["rules"]}
            candidate["settings"] = result["settings"]
        else:
            rules = [
                {
                    "id": rule.pk,
                    **{name: getattr(rule, name) for name in RULE_FIELDS},
                    "points": data[f"points_{rule.pk}"],
                    "active": data[f"active_{rule.pk}"],
                }
                for rule in self.rules
            ]
            settings = {name: data[name] for name in Thresholds.__dataclass_fields__}
            candidate = {"name": data["name"], "rules": rules, "settings": settings}
        return {"start": data["start"], "end": data["end"], "candidates": [{}, candidate]}

    def checked(self) -> dict[str, Any] | None:
        checked = self.serializer(data=self.request_data())
        if checked.is_valid():
            return checked.validated_data
        errors = dict(checked.errors)
        for field in ("start", "end"):
            if field in errors:
                self.add_error(field, _flatten(errors.pop(field)))
        candidate = _at(errors.pop("candidates", {}), 1)
        if "ruleset" in candidate:
            self.add_error("ruleset", _flatten(candidate.pop("ruleset")))
        for field, texts in (candidate.get("settings") or {}).items():
            self.add_error(field if field in self.fields else None, _flatten(texts))
        for n, rule in enumerate(self.rules):
            if rule_errors := _at(candidate.get("rules"), n):
                self.add_error(f"points_{rule.pk}", _flatten(rule_errors))
        leftover = {k: v for k, v in candidate.items() if k not in ("settings", "rules")}
        if leftover or errors:
            self.add_error(None, _flatten([leftover, errors]))
        return None


class AdoptForm(forms.Form):
    """The suggested rules as the marketer keeps and edits them, and the threshold."""

    mql_threshold = forms.IntegerField(
        label=_("MQL threshold"), help_text=_("Suggested so that sales get about as many MQLs.")
    )
    replace_current = forms.BooleanField(
        required=False,
        label=_("Switch off the current rules that are not kept"),
        help_text=_("Otherwise the kept rules are added to (or update) the current ones."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, suggestion: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.analysis = suggestion
        result = suggestion.result or {}
        self.suggested = result["rules"]
        self.fields["mql_threshold"].initial = result["settings"]["mql_threshold"]
        for n, rule in enumerate(self.suggested):
            self.fields[f"keep_{n}"] = forms.BooleanField(
                required=False, initial=True, label=f"Keep {rule['name']}"
            )
            self.fields[f"name_{n}"] = forms.CharField(
                max_length=200, initial=rule["name"], label=f"Name of rule {n + 1}"
            )
            self.fields[f"points_{n}"] = forms.IntegerField(
                initial=rule["points"], label=f"Points of {rule['name']}"
            )

    def rows(self) -> list[tuple[dict, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """Each suggested rule (with its condition in words) and its three fields."""
        return [
            (
                rule | {"condition": describe(rule_from_json(rule))},
                self[f"keep_{n}"],
                self[f"name_{n}"],
                self[f"points_{n}"],
            )
            for n, rule in enumerate(self.suggested)
        ]

    def checked(self) -> dict[str, Any] | None:
        """The adopt request the API takes, checked by its serializer."""
        data = self.cleaned_data
        kept = [
            (n, rule | {"name": data[f"name_{n}"], "points": data[f"points_{n}"]})
            for n, rule in enumerate(self.suggested)
            if data[f"keep_{n}"]
        ]
        # The suggested threshold was matched without minimums per dimension: they go.
        settings = {
            "mql_threshold": data["mql_threshold"],
            "min_fit": None,
            "min_engagement": None,
        }
        request = {
            "rules": [rule for _position, rule in kept],
            "replace_current": data["replace_current"],
            "settings": settings,
        }
        checked = serializers.AdoptRequestSerializer(data=request)
        if checked.is_valid():
            return checked.validated_data
        errors = dict(checked.errors)
        rule_errors = errors.pop("rules", {})
        if not kept:
            self.add_error(None, _("Keep at least one rule to adopt."))
        elif isinstance(rule_errors, dict):
            for position, (n, _rule) in enumerate(kept):
                if texts := _at(rule_errors, position):
                    self.add_error(f"points_{n}", _flatten(texts))
        else:
            self.add_error(None, _flatten(rule_errors))
        for field, texts in (errors.pop("settings", None) or {}).items():
            self.add_error(field if field in self.fields else None, _flatten(texts))
        if errors:
            self.add_error(None, _flatten(errors))
        return None
