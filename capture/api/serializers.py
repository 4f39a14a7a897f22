from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework import serializers

from leads.models import Campaign

from ..models import Form
from ..origins import origins_clean
from ..questions import questions_clean


class QuestionsField(serializers.JSONField):
    """The questions, checked as the service checks them, with a field message."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        try:
            return questions_clean(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class OriginsField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> Any:
        try:
            return origins_clean(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class FormSerializer(serializers.ModelSerializer[Form]):
    fields = QuestionsField(  # type: ignore[assignment]  # the contract's name
        required=False,
        help_text='What the form asks, in order: e.g. ["first_name", {"name": "company", '
        '"required": true}, {"name": "budget", "label": "Your budget"}]. Contact fields or '
        "custom attributes (lower-case names); the e-mail is always asked, first.",
    )
    allowed_origins = OriginsField(
        required=False, help_text='The sites that may embed it: ["https://www.example.com"].'
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    page_url = serializers.SerializerMethodField(help_text="The hosted page (GET and POST).")
    submission_count = serializers.SerializerMethodField(help_text="How many it took so far.")

    class Meta:
        model = Form
        fields = [
            "id",
            "name",
            "key",
            "fields",
            "campaign",
            "consent_text",
            "double_opt_in",
            "thank_you_message",
            "redirect_url",
            "allowed_origins",
            "active",
            "page_url",
            "submission_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["key", "created_at", "updated_at"]

    def get_submission_count(self, form: Form) -> int:
        counted = getattr(form, "submission_count", None)  # the list's annotation
        return counted if counted is not None else form.submissions.count()

    def get_page_url(self, form: Form) -> str:
        path = reverse("capture:hosted", args=[form.key])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
