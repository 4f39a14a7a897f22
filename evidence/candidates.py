"""
A candidate scoring model: a set of rules and the thresholds they are judged by.

The rules are ``scoring.models.Rule`` instances, saved (the current ones) or not (edited on
the page, suggested by the model, sent to the API), checked by scoring's own validation and
replayed with scoring's own condition code: a candidate means exactly what it would mean
once saved. It is kept on an analysis's row as plain JSON (``as_json``), so the analysis can
run again, and be read later, with the rules as they were when it was asked for.
"""

from dataclasses import dataclass, replace
from typing import Any

from scoring.models import Rule, RuleSet, ScoringSettings

RULE_FIELDS = Rule.DEFINITION_FIELDS
THRESHOLD_FIELDS = ("mql_threshold", "min_fit", "min_engagement", "half_life_days")
CURRENT = "Current rules"


@dataclass(frozen=True)
class Thresholds:
    """What makes an MQL (``ScoringSettings.is_mql``) and how engagement fades."""

    mql_threshold: int
    min_fit: int | None = None
    min_engagement: int | None = None
    half_life_days: int | None = None

    @classmethod
    def current(cls) -> "Thresholds":
        settings = ScoringSettings.load()
        return cls(**{name: getattr(settings, name) for name in THRESHOLD_FIELDS})

    @property
    def half_life_seconds(self) -> float | None:
        return self.half_life_days * 86400.0 if self.half_life_days else None

    def as_json(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}


@dataclass(frozen=True)
class Candidate:
    name: str
    rules: tuple[Rule, ...]
    thresholds: Thresholds

    @property
    def active_rules(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.active]

    @property
    def profile_rules(self) -> list[Rule]:
        return [rule for rule in self.active_rules if not rule.is_event_rule]

    @property
    def event_rules(self) -> list[Rule]:
        return [rule for rule in self.active_rules if rule.is_event_rule]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rules": [rule_json(rule) for rule in self.rules],
            "settings": self.thresholds.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Candidate":
        return cls(
            name=data["name"],
            rules=tuple(rule_from_json(rule) for rule in data["rules"]),
            thresholds=Thresholds(**data["settings"]),
        )


def current_candidate(name: str = CURRENT) -> Candidate:
    """The rules and thresholds in force now (switched-off rules left out)."""
    return Candidate(
        name=name,
        rules=tuple(Rule.objects.filter(active=True).order_by("pk")),
        thresholds=Thresholds.current(),
    )


def version_candidate(ruleset: RuleSet) -> Candidate:
    """A version's rules and thresholds (a draft before it is published, an archived one
    before a rollback), with the decay in force now: it belongs to no version."""
    versioned = {
        name: getattr(ruleset, name) for name in THRESHOLD_FIELDS if name in ruleset.FIELDS
    }
    return Candidate(
        name=ruleset.name,
        rules=tuple(ruleset.rules.filter(active=True).order_by("pk")),
        thresholds=replace(Thresholds.current(), **versioned),
    )


def rule_json(rule: Rule) -> dict[str, Any]:
    """A rule's definition, with the id of the saved rule it is (or was edited from)."""
    return {"id": rule.pk, **{name: getattr(rule, name) for name in RULE_FIELDS}}


def rule_from_json(data: dict[str, Any]) -> Rule:
    return Rule(pk=data.get("id"), **{name: data[name] for name in RULE_FIELDS if name in data})


def checked_rule(fields: dict[str, Any]) -> Rule:
    """An unsaved rule, checked as ``scoring.services.rule_create`` checks one (field types,
    the condition, the constraints); raises ``ValidationError`` with messages per field."""
    rule = rule_from_json(fields)
    rule.full_clean(exclude=["counted"], validate_unique=False)
    return rule


def checked_thresholds(fields: dict[str, Any]) -> Thresholds:
    """Thresholds checked as ``scoring.services.settings_update`` checks them (the hot level
    plays no part in a backtest)."""
    settings = ScoringSettings(hot_threshold=None, **{k: fields.get(k) for k in THRESHOLD_FIELDS})
    settings.full_clean(exclude=["id"], validate_unique=False, validate_constraints=False)
    return Thresholds(**{name: getattr(settings, name) for name in THRESHOLD_FIELDS})
