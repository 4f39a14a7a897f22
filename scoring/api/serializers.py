import json
import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from leads.api.duplicates import ContactBriefSerializer
from leads.api.serializers import ContactRangeJobSerializer, StorableJSONField, job_fields
from leads.dates import latest_event_moment, moment_problem, validate_event_moment
from leads.models import Campaign, Company, Contact
from leads.normalise import NUL_MESSAGE, holds_nul

from ..conditions import EVENT_TYPE, Operator
from ..models import (
    RecomputeJob,
    Rule,
    RuleSet,
    ScoreChange,
    ScoringSettings,
    ShadowJob,
    Thresholds,
)
from ..services import EventIn

MAX_BATCH = 1000
# Clocks drift: an event a little in the future is accepted (and counted at full value).


class EventListSerializer(serializers.ListSerializer[Any]):
    """A batch: each event valid on its own, then the ids it refers to checked in one query
    each. Errors are keyed by position, as DRF keys those of the events themselves."""

    def to_internal_value(self, data: Any) -> list[EventIn]:
        events: list[EventIn] = super().to_internal_value(data)
        contacts = set(
            Contact.objects.active()
            .filter(pk__in={e.contact_id for e in events if e.contact_id})
            .values_list("pk", flat=True)
        )
        campaigns = set(
            Campaign.objects.filter(
                pk__in={e.campaign_id for e in events if e.campaign_id}
            ).values_list("pk", flat=True)
        )
        unknown = {n: _unknown_ids(e, contacts, campaigns) for n, e in enumerate(events)}
        errors: Any = {n: error for n, error in unknown.items() if error}  # keyed by position
        if errors:
            raise serializers.ValidationError(errors)
        return events


def _unknown_ids(event: EventIn, contacts: set[int], campaigns: set[int]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if event.contact_id and event.contact_id not in contacts:
        errors["contact"] = [f"Unknown contact {event.contact_id}."]
    if event.campaign_id and event.campaign_id not in campaigns:
        errors["campaign"] = [f"Unknown campaign {event.campaign_id}."]
    return errors


class EventSerializer(serializers.Serializer[Any]):
    """An activity event: the contact is given by `contact` (id) or by `email`."""

    # The fields document the event (schema); ``to_internal_value`` applies their checks
    # written out, because a batch is a thousand events and DRF's generic field machinery
    # took about 0.2 ms per event, most of a batch's validation time.

    id = serializers.CharField(
        max_length=200, help_text="Your unique key for the event: a repeat is accepted once."
    )
    type = serializers.RegexField(
        EVENT_TYPE.pattern,
        max_length=50,
        help_text="email_opened, email_clicked, page_viewed, form_submitted, "
        "content_downloaded, webinar_registered, demo_requested, trial_started, ...",
    )
    occurred_at = serializers.DateTimeField(
        validators=[validate_event_moment],
        help_text="ISO 8601, with a time zone; from DATES_EARLIEST (default 1970-01-01) to "
        "EVENTS_MAX_AHEAD_SECONDS (default one day) past now.",
    )
    contact = serializers.IntegerField(min_value=1, required=False, help_text="Contact id.")
    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text="Instead of `contact`: unknown e-mails become contacts.",
    )
    campaign = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    properties = serializers.DictField(required=False, help_text='e.g. {"url": "/pricing"}')

    openapi_relations = {
        "oneOf": [{"required": ["contact"]}, {"required": ["email"]}],
    }

    class Meta:
        list_serializer_class = EventListSerializer

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # ``null`` is one more event that is not an object: DRF's own check would answer a
        # bare ["This field may not be null."], under no field.
        return False, data

    def to_internal_value(self, data: Any) -> EventIn:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Each event must be a JSON object.")]}
            )
        if not hasattr(self, "_latest"):  # once per batch: the child serializer is shared
            self._latest = latest_event_moment()
        errors: dict[str, list[str]] = {}
        key = _text(data, "id", 200, errors)
        kind = _text(data, "type", 50, errors, pattern=EVENT_TYPE)
        occurred_at = _time(data, errors, latest=self._latest)
        contact_id, email = _id(data, "contact", errors), _email(data, errors)
        campaign_id, properties = _id(data, "campaign", errors), _properties(data, errors)
        if not errors and (contact_id is None) == (email is None):
            errors["contact"] = ["Give either `contact` (an id) or `email`, not both."]
        if errors or occurred_at is None:  # no time without its error
            raise serializers.ValidationError(errors)
        return EventIn(key, kind, occurred_at, contact_id, email, campaign_id, properties)


def _text(
    data: dict[str, Any],
    name: str,
    longest: int,
    errors: dict[str, Any],
    pattern: re.Pattern[str] | None = None,
) -> str:
    value = data.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors[name] = ["This field is required." if value is None else "Give a non-empty text."]
        return ""
    value = value.strip()
    if len(value) > longest:
        errors[name] = [f"Ensure this field has no more than {longest} characters."]
    elif pattern is not None and not pattern.match(value):
        errors[name] = ["Use letters, digits and _ . : - only."]
    return value


def _time(data: dict[str, Any], errors: dict[str, Any], *, latest: datetime) -> datetime | None:
    value = data.get("occurred_at")
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        errors["occurred_at"] = [
            "This field is required."
            if value is None
            else "Use ISO 8601, e.g. 2026-03-02T09:30:00Z."
        ]
        return None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    try:  # PostgreSQL refuses a zone offset past 15:59 (+22:25), which ISO 8601 allows
        moment = moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        errors["occurred_at"] = ["This time is out of range."]
        return None
    if problem := moment_problem(moment, latest=latest):
        errors["occurred_at"] = [problem]
    return moment


def _id(data: dict[str, Any], name: str, errors: dict[str, Any]) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        errors[name] = ["A valid id (a positive integer) is required."]
        return None
    return value


def _email(data: dict[str, Any], errors: dict[str, Any]) -> str | None:
    value = data.get("email")
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) > 254:
            raise DjangoValidationError("")
        validate_email(value.strip())
    except DjangoValidationError:
        errors["email"] = ["Enter a valid email address."]
        return None
    return value.strip()


def _properties(data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    value = data.get("properties")
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors["properties"] = ["Must be a JSON object."]
        return {}
    if holds_nul(value):
        errors["properties"] = [NUL_MESSAGE]
        return {}
    limit = settings.EVENT_MAX_PROPERTIES_BYTES
    if len(json.dumps(value, separators=(",", ":")).encode()) > limit:
        errors["properties"] = [f"Keep the properties within {limit:,} bytes of JSON."]
        return {}
    return value


class IngestResultSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField(help_text="Events stored and scored.")
    duplicates = serializers.IntegerField(help_text="Events whose `id` was seen before.")


class RuleSerializer(serializers.ModelSerializer[Any]):
    kind = serializers.SerializerMethodField(help_text="`event` or `profile`.")
    ruleset = serializers.PrimaryKeyRelatedField(
        queryset=RuleSet.objects.all(),
        required=False,
        help_text="The version the rule belongs to. On creation: a draft's id to add the "
        "rule to that draft; omitted, the rule joins the published version at once (a "
        "release). A rule stays in its version.",
    )
    value = StorableJSONField(required=False, allow_null=True)
    operator = serializers.ChoiceField(choices=Operator.choices, required=False, allow_blank=True)

    class Meta:
        model = Rule
        fields = ["id", "kind", "ruleset", *Rule.DEFINITION_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "points": {"min_value": -1000, "max_value": 1000},
            # What ``scoring.conditions`` takes, said for the schema; it checks it itself.
            "event_type": {"validators": [RegexValidator(EVENT_TYPE)]},
        }

    def get_kind(self, rule: Rule) -> str:
        return "event" if rule.is_event_rule else "profile"


# What a version's life records (the publishing and shadow services write it, never a client).
_HISTORY = [
    "reason",
    "created_by",
    "created_at",
    "published_at",
    "archived_at",
    "shadow_since",
    "shadow_until",
]


class RuleSetSerializer(serializers.ModelSerializer[Any]):
    rules = serializers.IntegerField(source="rule_count", read_only=True)

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "name",
            "state",
            "based_on",
            *Thresholds.FIELDS,
            "rules",
            *_HISTORY,
        ]
        read_only_fields = ["state", "based_on", *_HISTORY]
        extra_kwargs = {"name": {"required": False}}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """``from``, the version to copy (a Python keyword, hence declared here)."""
        fields = super().get_fields()
        fields["from"] = serializers.PrimaryKeyRelatedField(
            queryset=RuleSet.objects.all(),
            source="source",
            write_only=True,
            required=False,
            help_text="The version to copy into the new draft (default: the published one).",
        )
        return fields


class PublishSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, help_text="Why this version is published.")


class ShadowRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Why (for the audit log)."
    )


class ScoringSettingsSerializer(serializers.ModelSerializer[Any]):
    class Meta:
        model = ScoringSettings
        fields = [
            "mql_threshold",
            "min_fit",
            "min_engagement",
            "hot_threshold",
            "half_life_days",
            "company_aggregate",
            "company_top_n",
            "mqa_threshold",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class RecomputeRequestSerializer(serializers.Serializer[Any]):
    full = serializers.BooleanField(
        default=False,
        help_text="Rebuild every rule's counters from the stored events, not only those of "
        "the rules whose definition changed.",
    )


class RecomputeJobSerializer(ContactRangeJobSerializer):
    rebuilt_rules = serializers.SerializerMethodField(
        help_text="Rules whose counters are rebuilt from the stored events."
    )

    class Meta:
        model = RecomputeJob
        fields = read_only_fields = job_fields("promoted", "full", "rebuilt_rules")

    def get_rebuilt_rules(self, job: RecomputeJob) -> list[int]:
        return sorted(int(pk) for pk in job.rebuild)


class RulePointsSerializer(serializers.Serializer[Any]):
    rule = serializers.IntegerField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=["event", "profile"])  # type: ignore[assignment]
    active = serializers.BooleanField()
    times = serializers.IntegerField(help_text="How many times the rule matched.")
    points = serializers.IntegerField(help_text="Points given.")
    current_points = serializers.FloatField(help_text="The same points after decay.")


class DimensionScoreSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    rules = RulePointsSerializer(many=True)


class ScoreBreakdownSerializer(serializers.Serializer[Any]):
    contact = serializers.IntegerField()
    score = serializers.IntegerField()
    fit = DimensionScoreSerializer()
    engagement = DimensionScoreSerializer()
    as_of = serializers.DateTimeField(allow_null=True)
    mql = serializers.BooleanField(help_text="At or above the MQL level.")
    hot = serializers.BooleanField(help_text="At or above the hot level.")
    mql_threshold = serializers.IntegerField()
    hot_threshold = serializers.IntegerField(allow_null=True)
    qualifies = serializers.BooleanField(
        help_text="The figures pass the MQL criterion: the threshold and each minimum set."
    )


class PublishedSerializer(serializers.Serializer[Any]):
    ruleset = RuleSetSerializer()
    recompute = RecomputeJobSerializer()


class ShadowJobSerializer(ContactRangeJobSerializer):
    class Meta:
        model = ShadowJob
        fields = read_only_fields = job_fields("ruleset")


class ShadowStartedSerializer(serializers.Serializer[Any]):
    ruleset = RuleSetSerializer()
    build = ShadowJobSerializer(help_text="Every contact scored by the version first.")


class RepLoadSerializer(serializers.Serializer[Any]):
    owner = serializers.IntegerField(allow_null=True, help_text="Null: nobody yet.")
    name = serializers.CharField()
    published = serializers.IntegerField(help_text="MQLs the published set made them.")
    shadow = serializers.IntegerField(help_text="MQLs the shadow would have made them.")


class ComparisonSerializer(serializers.Serializer[Any]):
    """A shadow run's findings, since it began (until it ended, or now)."""

    ruleset = serializers.IntegerField(source="ruleset.pk")
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    running = serializers.BooleanField()
    build = ShadowJobSerializer(allow_null=True)
    published = serializers.IntegerField(help_text="MQLs the published set made.")
    shadow = serializers.IntegerField(help_text="MQLs the shadow would have made.")
    overlap = serializers.IntegerField(help_text="Made by both.")
    only_published = serializers.IntegerField()
    only_shadow = serializers.IntegerField()
    only_shadow_became = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Where those only the shadow made stand now: contacts per stage.",
    )
    load = RepLoadSerializer(many=True, help_text="MQLs per rep (owner now), by each set.")
    only_shadow_sample = ContactBriefSerializer(many=True, help_text="The latest 50 of them.")


class PublishPreviewSerializer(serializers.Serializer[Any]):
    to_mql = serializers.IntegerField(help_text="Contacts publishing it would make MQL.")
    contacts = ContactBriefSerializer(many=True, help_text="The 50 with the highest score.")


class ScoreChangeSerializer(serializers.ModelSerializer[Any]):
    class Meta:
        model = ScoreChange
        fields = ["at", "fit_delta", "engagement_delta", "cause", "ruleset"]


class ScoreAtQuerySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(
        required=False, help_text="Explain the score as it was at this moment (ISO 8601)."
    )


class ScoreAtSerializer(serializers.Serializer[Any]):
    """The score as it was: the ledger's changes up to ``at``, summed."""

    contact = serializers.IntegerField()
    at = serializers.DateTimeField()
    score = serializers.IntegerField()
    fit = serializers.IntegerField()
    engagement = serializers.IntegerField()
    ruleset = serializers.IntegerField(
        source="ruleset.pk", help_text="The rule set published at that moment."
    )
    mql_threshold = serializers.IntegerField()
    hot_threshold = serializers.IntegerField(allow_null=True)
    qualifies = serializers.BooleanField(help_text="It passed that version's MQL criterion.")
    changes = ScoreChangeSerializer(many=True, help_text="The latest 50 changes up to `at`.")


class CompanySerializer(serializers.ModelSerializer[Any]):
    contacts = serializers.IntegerField(source="contact_count", read_only=True)
    mqa = serializers.SerializerMethodField(help_text="A marketing-qualified account.")
    stages = serializers.SerializerMethodField(help_text="Its contacts per stage.")

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "domain",
            "owner",
            "contacts",
            "fit_score",
            "engagement_score",
            "score",
            "mqa",
            "mqa_at",
            "stages",
            "scored_at",
            "created_at",
        ]
        read_only_fields = [
            "domain",
            "fit_score",
            "engagement_score",
            "score",
            "mqa_at",
            "scored_at",
            "created_at",
        ]

    def get_mqa(self, company: Company) -> bool:
        return company.mqa_at is not None

    def get_stages(self, company: Company) -> dict[str, int]:
        mix: dict[int, dict[str, int]] = self.context.get("stage_mix", {})
        return mix.get(company.pk, {})
