"""The reports' query parameters (validated: a bad one is a 400 naming it) and their output
shapes, which the OpenAPI schema documents field by field."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.dates import DAY_WINDOW, earliest_day, validate_day
from leads.models import Campaign, Channel
from leads.stages import FUNNEL

from ..models import Target
from ..periods import Period, month_start
from ..selectors import GroupBy, Mode, Scope
from ..selectors.attribution import Attribution
from ..selectors.funnel import COUNTED, STEPS
from ..selectors.response_time import BANDS as RESPONSE_BANDS
from ..selectors.response_time import NEVER as NEVER_TOUCHED
from ..selectors.velocity import TIMED

# --- Query parameters ---------------------------------------------------------------------


def twelve_months_to(end: date) -> date:
    """The first day of the month eleven months before ``end``'s: a year of whole months
    (fewer when ``end`` is in the calendar's first year, which has no year before it)."""
    months = max(end.year * 12 + end.month - 1 - 11, 12)
    return date(months // 12, months % 12 + 1, 1)


WINDOW = " " + DAY_WINDOW


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        validators=[validate_day],
        help_text="First day, in the team's time zone (default: twelve months back to the "
        "first of the month)." + WINDOW,
    )
    end = serializers.DateField(
        required=False,
        validators=[validate_day],
        help_text="Last day, included (default: today)." + WINDOW,
    )

    def to_internal_value(self, data):
        # An empty ``start=`` is no date (the schema's format): a 400, not the default range.
        # A body that is no object at all gets DRF's own "expected a dictionary".
        fields = data if isinstance(data, Mapping) else {}
        empty = [name for name in ("start", "end") if fields.get(name, None) == ""]
        if empty:
            raise serializers.ValidationError(
                {name: ["Give a day, YYYY-MM-DD."] for name in empty}
            )
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        end = attrs.pop("end", None) or timezone.localdate()
        start = attrs.pop("start", None) or max(twelve_months_to(end), earliest_day())
        if start > end:
            raise serializers.ValidationError(
                {"start": [_("The start must not be after the end.")]}
            )
        attrs["period"] = Period.of(start, end)
        return attrs


class ReportQuerySerializer(PeriodQuerySerializer):
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, help_text="Only this campaign's contacts."
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Only contacts of this channel."
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="Only the contacts this user owns now.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        campaign, owner = attrs.pop("campaign", None), attrs.pop("owner", None)
        attrs["scope"] = Scope(
            campaign=campaign.pk if campaign else None,
            channel=attrs.pop("channel", None),
            owner=owner.pk if owner else None,
        )
        return attrs


def _group_by(*choices: GroupBy) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[(choice.value, choice.label) for choice in choices],
        required=False,
        allow_null=True,
        default=None,
        help_text="Split the report into groups; the total is always given.",
    )


def _mode(default: Mode) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Mode.choices,
        default=default,
        help_text="cohort: of the contacts first seen in the range, how many reached each stage; "
        "period: how many entered each stage during the range.",
    )


class FunnelQuerySerializer(ReportQuerySerializer):
    group_by = _group_by(GroupBy.CAMPAIGN, GroupBy.CHANNEL, GroupBy.OWNER, GroupBy.MONTH)
    mode = _mode(Mode.COHORT)
    attribution = serializers.ChoiceField(
        choices=Attribution.choices,
        default=Attribution.FIRST,
        help_text="How each stage's credit is shared among the campaigns that touched the "
        "contact before it (the definitions page explains each): counts per campaign and cost "
        "per stage follow.",
    )


class HandoffQuerySerializer(ReportQuerySerializer):
    group_by = _group_by(GroupBy.OWNER, GroupBy.CAMPAIGN, GroupBy.CHANNEL, GroupBy.MONTH)


class VelocityQuerySerializer(ReportQuerySerializer):
    group_by = _group_by(GroupBy.OWNER, GroupBy.CAMPAIGN, GroupBy.CHANNEL, GroupBy.MONTH)


class ResponseTimeQuerySerializer(ReportQuerySerializer):
    group_by = _group_by(GroupBy.OWNER, GroupBy.CAMPAIGN, GroupBy.CHANNEL, GroupBy.MONTH)


class TrendsQuerySerializer(ReportQuerySerializer):
    mode = _mode(Mode.PERIOD)


# --- Output -------------------------------------------------------------------------------


def _mapping(name: str, keys: Iterable[str], field: Callable[[], serializers.Field]) -> type:
    """A serializer with one field per key (a count per stage, a rate per step, ...)."""
    return type(name, (serializers.Serializer,), {key: field() for key in keys})


def _rate() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True)


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


def _hours() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True)


@extend_schema_field({"type": "number"})
class CreditField(serializers.Field):
    """How many contacts reached a stage; per campaign under a multi-touch attribution, the
    sum of their credits (a decimal number, unrounded so that shares add up)."""

    def to_representation(self, value: Any) -> int | float:
        return int(value) if value == int(value) else float(value)


StageCounts = _mapping("StageCounts", [s.value for s in COUNTED], serializers.IntegerField)
StageCredits = _mapping("StageCredits", [s.value for s in COUNTED], CreditField)
StepRates = _mapping("StepRates", [step.name for step in STEPS], _rate)
StageCosts = _mapping("StageCosts", [s.value for s in FUNNEL], _money)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    time_zone = serializers.CharField(source="tz")


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    source = serializers.CharField(help_text="Rate = reached target / reached source.")  # type: ignore[assignment]  # a field, not the label
    target = serializers.CharField()
    team = serializers.CharField(help_text="The team that owns the step.")


class FunnelLineSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text="Campaign or rep id, channel, or YYYY-MM; null: none."
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label
    counts = StageCredits(
        help_text="Contacts that reached each stage; per campaign or channel with an "
        "attribution other than first, the sum of the credits its touches earned."
    )
    rates = StepRates(help_text="Reached B / reached A; null when nobody reached A.")
    spend = _money()
    currency = serializers.CharField(allow_null=True)
    spend_prorated = serializers.BooleanField(
        help_text="Part of the spend is prorated by days: a campaign ran partly in the range."
    )
    cost = StageCosts(help_text="Spend / attributed contacts that reached the stage.")


class FunnelReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    mode = serializers.ChoiceField(choices=Mode.choices)
    mode_help = serializers.CharField()
    group_by = serializers.CharField(allow_null=True)
    steps = StepSerializer(many=True)
    groups = FunnelLineSerializer(many=True)
    total = FunnelLineSerializer()
    notes = serializers.ListField(child=serializers.CharField())


class HandoffLineSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label
    passed = serializers.IntegerField(help_text="MQLs passed to sales (each entry into MQL).")
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    recycled = serializers.IntegerField(help_text="Rejected back to marketing for nurturing.")
    disqualified = serializers.IntegerField(help_text="Rejected for good.")
    waiting = serializers.IntegerField(help_text="Not acted on yet.")
    acceptance_rate = serializers.FloatField(allow_null=True)
    rejection_rate = serializers.FloatField(allow_null=True)
    reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rejections by reason."
    )


class HandoffReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField(allow_null=True)
    groups = HandoffLineSerializer(many=True)
    total = HandoffLineSerializer()


class SpreadSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median_hours = _hours()
    p90_hours = _hours()


class StageTimeSerializer(SpreadSerializer):
    still_there = serializers.IntegerField(help_text="Entered in the range, not left yet.")


StageTimes = _mapping("StageTimes", [s.value for s in TIMED], StageTimeSerializer)


class SlaComplianceSerializer(serializers.Serializer):
    """Hand-offs by verdict, each against the deadline it was given when it was made."""

    handed_off = serializers.IntegerField(help_text="Hand-offs made in the range.")
    in_time = serializers.IntegerField(help_text="Answered by the deadline.")
    late = serializers.IntegerField(help_text="Answered after the deadline.")
    overdue = serializers.IntegerField(help_text="Not answered, and the deadline was reached.")
    pending = serializers.IntegerField(help_text="Not answered yet, the deadline still ahead.")
    withdrawn = serializers.IntegerField(
        help_text="Taken off the owner before the deadline, unanswered: not judged."
    )
    no_deadline = serializers.IntegerField(help_text="Made while no SLA policy ran.")
    share_within_sla = serializers.FloatField(
        allow_null=True, help_text="in_time / (in_time + late + overdue)."
    )


class VelocityLineSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label
    stages = StageTimes(help_text="Time spent in each stage.")
    first_action = SpreadSerializer(help_text="From the hand-off to the first sales action.")
    sla = SlaComplianceSerializer()
    verdict = serializers.ChoiceField(
        choices=["within_sla", "over_sla"],
        allow_null=True,
        help_text="The median wait for a sales action against the SLA.",
    )


class VelocityReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField(allow_null=True)
    sla_hours = serializers.FloatField()
    groups = VelocityLineSerializer(many=True)
    total = VelocityLineSerializer()
    notes = serializers.ListField(child=serializers.CharField())


class TargetLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    month = serializers.DateField()
    goal = serializers.IntegerField()
    actual = serializers.IntegerField(help_text="Contacts that entered the stage that month.")
    gap = serializers.IntegerField(help_text="Goal - actual (negative: beaten).")
    progress = serializers.FloatField(allow_null=True, help_text="Actual / goal.")
    elapsed = serializers.FloatField(help_text="Share of the month gone by.")
    expected_to_date = serializers.FloatField(help_text="Goal x elapsed.")
    pace = serializers.FloatField(allow_null=True, help_text="Actual / expected to date.")
    projected = serializers.FloatField(allow_null=True, help_text="Actual / elapsed.")
    on_track = serializers.BooleanField(allow_null=True)
    needed_per_day = serializers.FloatField(
        allow_null=True, help_text="What each remaining day needs to reach the goal."
    )


class TargetsReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    targets = TargetLineSerializer(many=True)


class TrendMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label
    counts = StageCounts()
    rates = StepRates()
    change = StepRates(help_text="The rate minus the previous month's.")


class TrendsReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    mode = serializers.ChoiceField(choices=Mode.choices)
    steps = StepSerializer(many=True)
    months = TrendMonthSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


# --- Targets (CRUD) -----------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "stage", "month", "goal", "created_by", "created_at", "updated_at"]
        read_only_fields = ["created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "month": {"help_text": "Any day of the month; stored as its first day."},
            "goal": {"min_value": 1},
        }

    def validate_month(self, value: date) -> date:
        return month_start(value)


class BandSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    sql_rate = serializers.FloatField(
        allow_null=True, help_text="The share of these hand-offs that reached SQL."
    )


ResponseBands = _mapping(
    "ResponseBands", [key for key, _ in RESPONSE_BANDS] + [NEVER_TOUCHED], BandSerializer
)


class ResponseLineSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label
    handed_off = serializers.IntegerField(help_text="MQL hand-offs made in the range.")
    touched = serializers.IntegerField(help_text="Those with a first touch (or an answer).")
    median_minutes = serializers.FloatField(allow_null=True)
    p90_minutes = serializers.FloatField(allow_null=True)
    working_median_minutes = serializers.FloatField(
        allow_null=True, help_text="In working minutes, when the MQL policy has business hours."
    )
    working_p90_minutes = serializers.FloatField(allow_null=True)
    bands = ResponseBands(help_text="Hand-offs by time to first touch; none: never touched.")


class ResponseTimeReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField(allow_null=True)
    business_hours = serializers.BooleanField()
    groups = ResponseLineSerializer(many=True)
    total = ResponseLineSerializer()
    notes = serializers.ListField(child=serializers.CharField())
