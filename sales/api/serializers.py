from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from leads.models import Contact

from .. import services
from ..models import SalesActivity, SalesTask

MAX_BATCH = services.MAX_BATCH


def _active_users() -> Any:
    return get_user_model().objects.filter(is_active=True)


class ActivitySerializer(serializers.ModelSerializer[SalesActivity]):
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.active())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, help_text="Whom it counts for (default: you)."
    )
    occurred_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    external_id = serializers.CharField(
        max_length=200,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A dialer's or mail tool's id: the same one twice is stored once.",
    )

    class Meta:
        model = SalesActivity
        fields = [
            "id",
            "contact",
            *SalesActivity.EDITABLE_FIELDS,
            "author",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Check the entry as the service will, so a batch's errors come by position."""
        if self.instance is not None:
            return attrs  # an edit is checked by activity_update, on the locked row
        try:
            services.activity_check(
                by=self.context["request"].user, contact=attrs["contact"], fields=attrs
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class ActivityUpdateSerializer(ActivitySerializer):
    class Meta(ActivitySerializer.Meta):
        read_only_fields = [*ActivitySerializer.Meta.read_only_fields, "contact", "external_id"]


class ActivityBatchResultSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField(help_text="Activities stored by this request.")
    duplicates = serializers.IntegerField(help_text="Entries whose external_id was stored.")
    results = ActivitySerializer(many=True)


class TaskSerializer(serializers.ModelSerializer[SalesTask]):
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.active())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, help_text="Whose task it is (default: you)."
    )

    class Meta:
        model = SalesTask
        fields = [
            "id",
            "title",
            "contact",
            "owner",
            "kind",
            "due_at",
            "done_at",
            "reminded_at",
            "activity",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "done_at", "reminded_at", "activity", "created_by", "created_at"]


class TaskUpdateSerializer(TaskSerializer):
    class Meta(TaskSerializer.Meta):
        read_only_fields = [*TaskSerializer.Meta.read_only_fields, "contact"]


class TaskCompleteSerializer(serializers.Serializer[Any]):
    done_at = serializers.DateTimeField(required=False, help_text="Default: now.")
