from rest_framework import serializers

from ..models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    model = serializers.CharField(read_only=True, help_text="app_label.model, e.g. scoring.rule")
    changes = serializers.DictField(
        child=serializers.DictField(),
        read_only=True,
        help_text='The fields that differ: {"points": {"before": 10, "after": 15}}.',
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "model",
            "object_id",
            "object_repr",
            "changes",
            "before",
            "after",
        ]
