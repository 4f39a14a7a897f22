from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.api.serializers import StorableJSONField
from leads.models import Campaign

from ..mapping import ImportField
from ..models import Delivery, DeliveryAttempt, Event, ImportJob, OnDuplicate, Webhook


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors_url = serializers.SerializerMethodField(help_text="The rejected rows, as CSV.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "file_name",
            "file_size",
            "encoding",
            "delimiter",
            "columns",
            "mapping",
            "on_duplicate",
            "campaign",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "skipped_count",
            "rejected_count",
            "look_alike_count",
            "cancel_requested",
            "error",
            "errors_url",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_errors_url(self, job: ImportJob) -> str:
        return reverse("import-errors-csv", args=[job.pk])


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file with a header row (comma or semicolon).")
    mapping = StorableJSONField(
        binary=True,
        required=False,
        help_text=(
            "JSON object: column header -> one of "
            f"{', '.join(ImportField.values)}. Unmapped columns are recognised by their "
            "header (e-mail, first name, prénom, company, organisation, ...) or kept as "
            "attributes."
        ),
    )
    on_duplicate = serializers.ChoiceField(choices=OnDuplicate.choices, default=OnDuplicate.SKIP)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        help_text="Campaign of the contacts the import creates (first touch: known ones keep "
        "theirs). Left out: none (a form field cannot say null).",
    )

    def validate_mapping(self, value):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise serializers.ValidationError(_("Must be a JSON object of column -> field name."))
        return value


class WebhookSerializer(serializers.ModelSerializer):
    # DRF drops the model's URL validator for its own, which also takes ftp://.
    url = serializers.URLField(
        max_length=500, validators=Webhook._meta.get_field("url").validators
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), allow_empty=False
    )
    secret = serializers.CharField(
        required=False,
        write_only=True,
        min_length=16,
        max_length=200,
        help_text="Signs every body; generated when left out. Write-only: shown once, in the "
        "answer to the creation and to `rotate-secret/`.",
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "secret", "active", "description", "created_at"]
        read_only_fields = ["created_at"]

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value))


class WebhookWithSecretSerializer(WebhookSerializer):
    """The answer that shows the secret, once: to the creation, and to a rotation."""

    secret = serializers.CharField(read_only=True, help_text="Keep it: it is not shown again.")


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "ok", "response_code", "duration_ms", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    payload = serializers.SerializerMethodField(help_text="The body sent, without signature.")
    attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "event",
            "event_id",
            "occurred_at",
            "contact",
            "status",
            "attempt_count",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "redelivery_of",
            "payload",
            "attempts",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_payload(self, delivery: Delivery) -> dict:
        return delivery.body()
