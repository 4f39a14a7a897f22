from django.contrib.auth import get_user_model
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from leads.dates import validate_planned_moment
from leads.stages import Stage

from ..models import (
    AssignmentRule,
    Breach,
    Notification,
    RepAvailability,
    SlaPolicy,
)
from ..selectors import sales_reps


class SlaPolicySerializer(serializers.ModelSerializer):
    stage = serializers.ChoiceField(
        choices=Stage.choices, read_only=True, help_text="The stage the clock runs on."
    )
    work_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        allow_empty=False,
        required=False,
        help_text="Working days for business hours, 0 = Monday.",
    )
    start_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    end_hour = serializers.IntegerField(min_value=1, max_value=24, required=False)
    escalate_to = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "clock",
            "stage",
            "hours",
            "business_hours",
            "time_zone",
            "work_days",
            "start_hour",
            "end_hour",
            "action",
            "escalate_to",
            "stops_on",
            "unreachable_attempts",
            "unreachable_days",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "stage", "created_at"]


class BreachSerializer(serializers.ModelSerializer):
    due = serializers.DateTimeField(source="due_at", read_only=True)

    class Meta:
        model = Breach
        fields = [
            "id",
            "contact",
            "owner",
            "policy",
            "kind",
            "due",
            "breached_at",
            "resolved_at",
            "action",
            "handed_to",
        ]
        read_only_fields = fields


class AssignmentRuleSerializer(serializers.ModelSerializer):
    reps = serializers.PrimaryKeyRelatedField(
        queryset=sales_reps(),
        many=True,
        required=False,
        help_text="The reps of the round-robin (empty: every active rep).",
    )
    # django-countries' own field: the model's Country value is not JSON (a 500 on PATCH).
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = AssignmentRule
        fields = ["id", "name", "priority", "active", "mode", "country", "channel", "reps"]


class RepAvailabilitySerializer(serializers.Serializer):
    """A rep's availability, read from the rep (never marked away reads as available)."""

    rep = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    away = serializers.BooleanField()
    away_until = serializers.DateTimeField(
        validators=[validate_planned_moment],
        allow_null=True,
        required=False,
        default=None,
        help_text="Back on (empty: until lifted); within DATES_HORIZON_DAYS of today.",
    )
    note = serializers.CharField(allow_blank=True, max_length=200, required=False, default="")

    def to_representation(self, instance):
        availability = getattr(instance, "sla_availability", None) or RepAvailability()
        return super().to_representation(
            {
                "rep": instance.pk,
                "username": instance.get_username(),
                "away": availability.away,
                "away_until": availability.away_until,
                "note": availability.note,
            }
        )


class NotificationSerializer(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="breach.contact_id", read_only=True)
    text = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "breach", "contact", "text", "created_at", "read_at"]
        read_only_fields = fields
