"""What the evidence endpoints take and give. Candidate rules are checked by scoring's own
validation (``evidence.candidates.checked_rule``), so a bad condition is a 400 naming the
field, before anything is queued."""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from reporting.api.serializers import PeriodQuerySerializer
from scoring.api.serializers import RuleSerializer
from scoring.models import RuleSet

from ..candidates import (
    RULE_FIELDS,
    Candidate,
    checked_rule,
    checked_thresholds,
    current_candidate,
    version_candidate,
)
from ..models import Analysis, Target
from ..services import holdout_start

MAX_RULES = 200
LONGEST_PERIOD = timedelta(days=5 * 366)


def _drf_errors(error: DjangoValidationError) -> dict:
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: texts
        for field, texts in error.message_dict.items()
    }


class EvidencePeriodSerializer(PeriodQuerySerializer):
    """The period of the history to look at: twelve months to today by default."""

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        period = attrs["period"]
        if period.end > timezone.localdate():
            raise serializers.ValidationError(
                {"end": [_("The history ends today at the latest.")]}
            )
        if period.end - period.start > LONGEST_PERIOD:
            raise serializers.ValidationError({"start": [_("Choose at most five years.")]})
        return attrs


class CandidateRuleSerializer(RuleSerializer):
    """A rule of a candidate: saved or not; checked as creating it would check it."""

    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The current rule this one is (or is edited from), if any.",
    )
    kind = None  # type: ignore[assignment]  # a candidate rule has no kind of its own

    class Meta(RuleSerializer.Meta):
        fields = ["id", *RULE_FIELDS]
        read_only_fields: list[str] = []

    def validate(self, attrs: dict) -> dict:
        try:
            checked_rule(attrs)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_drf_errors(error)) from error
        return attrs


class ThresholdsSerializer(serializers.Serializer):
    mql_threshold = serializers.IntegerField(min_value=-100_000, max_value=100_000)
    min_fit = serializers.IntegerField(
        min_value=-100_000, max_value=100_000, allow_null=True, required=False
    )
    min_engagement = serializers.IntegerField(
        min_value=-100_000, max_value=100_000, allow_null=True, required=False
    )


class CandidateThresholdsSerializer(ThresholdsSerializer):
    mql_threshold = serializers.IntegerField(min_value=-100_000, max_value=100_000, required=False)
    half_life_days = serializers.IntegerField(
        min_value=1, max_value=3650, allow_null=True, required=False
    )


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    ruleset = serializers.PrimaryKeyRelatedField(
        queryset=RuleSet.objects.all(),
        required=False,
        help_text="A version to start from (a draft, an archived one) instead of the current "
        "rules and thresholds; `rules` and `settings` then change that version's.",
    )
    rules = CandidateRuleSerializer(  # type: ignore[call-arg]  # ListSerializer arguments
        many=True,
        required=False,
        max_length=MAX_RULES,
        help_text="The rule set to replay (switched-off rules are ignored). Omitted: the "
        "current rules.",
    )
    settings = CandidateThresholdsSerializer(
        required=False, help_text="Thresholds that differ from the current ones."
    )


def candidate_of(data: dict, position: int) -> Candidate:
    """A candidate from its validated input, the current rules and thresholds filling in
    what it does not say."""
    version = data.get("ruleset")
    current = version_candidate(version) if version else current_candidate()
    rules = data.get("rules")
    changes = data.get("settings") or {}
    name = data.get("name") or (
        current.name if rules is None and not changes else f"Candidate {'AB'[position]}"
    )
    try:
        thresholds = checked_thresholds(current.thresholds.as_json() | changes)
    except DjangoValidationError as error:
        raise serializers.ValidationError({"settings": _drf_errors(error)}) from error
    return Candidate(
        name=name,
        rules=current.rules if rules is None else tuple(checked_rule(r) for r in rules),
        thresholds=thresholds,
    )


class BacktestRequestSerializer(EvidencePeriodSerializer):
    candidates = CandidateSerializer(  # type: ignore[call-arg]  # ListSerializer arguments
        many=True,
        required=False,
        min_length=1,
        max_length=2,
        help_text="One or two rule sets, side by side (default: the current rules).",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        given = attrs.get("candidates") or [{}]
        attrs["candidates"] = [candidate_of(data, n) for n, data in enumerate(given)]
        return attrs


class SignalsRequestSerializer(EvidencePeriodSerializer):
    target = serializers.ChoiceField(
        choices=Target.choices, default=Target.SQL, help_text="The outcome to sort by."
    )
    window_days = serializers.IntegerField(
        min_value=1,
        max_value=730,
        default=90,
        help_text="What a lead did up to this many days after becoming one, and before "
        "sales took it.",
    )
    min_support = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        default=30,
        help_text="Signals shown by fewer contacts (or missing from fewer) are flagged.",
    )


class SuggestionRequestSerializer(SignalsRequestSerializer):
    holdout_months = serializers.IntegerField(
        min_value=1,
        max_value=12,
        default=3,
        help_text="The last months of the period, kept to test the model on.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if holdout_start(attrs["period"], attrs["holdout_months"]) <= attrs["period"].start_at:
            raise serializers.ValidationError(
                {"holdout_months": [_("Leave at least one month before them to learn from.")]}
            )
        return attrs


class AdoptRequestSerializer(serializers.Serializer):
    rules = CandidateRuleSerializer(  # type: ignore[call-arg]  # ListSerializer arguments
        many=True,
        min_length=1,
        max_length=MAX_RULES,
        help_text="The suggested rules to keep, as reviewed and edited. One with the `id` "
        "of a current rule updates it; the others are created.",
    )
    replace_current = serializers.BooleanField(
        default=False, help_text="Switch off the rules in force that are not adopted."
    )
    settings = ThresholdsSerializer(
        required=False, help_text="New thresholds (e.g. the suggested MQL threshold)."
    )


class AnalysisSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True, help_text="0 to 1.")
    result = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="Once done. A backtest: `columns` (what really happened, then each "
        "candidate: MQLs, precision, recall, load, months). Signals: `population` and "
        "`signals`, strongest evidence first. A suggestion: `rules`, `settings`, `quality` "
        "(held-out AUC and precision, current vs suggested).",
    )

    class Meta:
        model = Analysis
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "step",
            "steps_done",
            "steps_total",
            "params",
            "result",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


def params_of(attrs: dict) -> dict:
    """A validated request as the JSON an analysis keeps (dates as text, candidates whole)."""
    params = {key: value for key, value in attrs.items() if key not in ("period", "candidates")}
    period = attrs["period"]
    params |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if "candidates" in attrs:
        params["candidates"] = [candidate.as_json() for candidate in attrs["candidates"]]
    return params
