from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from .. import touches
from ..models import Campaign, Contact, Transition
from ..normalise import (
    CURRENCY_HELP,
    NUL_MESSAGE,
    country_code,
    currency_code,
    holds_nul,
    validate_currency,
)


class CountryOrNameField(CountryField):
    """ISO 3166 alpha-2 in and out; an alpha-3 or numeric code or a name (English, French,
    German) is taken too, and anything that is no country is a 400."""

    def to_internal_value(self, data: Any) -> Any:
        if data in ("", None):
            return super().to_internal_value(data)
        code = country_code(str(data))
        if not code:
            self.fail("invalid_choice", input=data)
        return code


class CurrencyField(serializers.CharField):
    """An ISO 4217 code ("eur" is taken as EUR)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", CURRENCY_HELP)
        # The model's check too, which the schema reads (a list of the codes).
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(max_length=3, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return currency_code(str(super().to_internal_value(data)))
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class TextField(serializers.CharField):
    """A text, and only a text: DRF's CharField takes the number 5 for "5", which the schema
    (a string) does not allow, so a client's bug would be stored as a name."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StorableJSONField(serializers.JSONField):
    """A JSON value the database can store: refused with a field message, not a 500, when a
    string in it holds NUL."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if holds_nul(value):
            raise serializers.ValidationError(NUL_MESSAGE)
        return value


class ContactSerializer(serializers.ModelSerializer[Contact]):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }
    email = serializers.EmailField(max_length=254)
    country = CountryOrNameField(required=False, allow_blank=True)  # type: ignore[no-untyped-call]
    attributes = StorableJSONField(required=False)

    class Meta:
        model = Contact
        fields = ["id", *Contact.PROFILE_FIELDS, "attributes", *Contact.SYSTEM_FIELDS]
        read_only_fields = ["id", *Contact.SYSTEM_FIELDS]

    def validate_attributes(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be a JSON object."))
        return value


class TransitionSerializer(serializers.ModelSerializer[Transition]):
    class Meta:
        model = Transition
        fields = ["id", "move", "from_stage", "to_stage", "at", "actor", "reason", "data"]


class UtmCampaignsField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> Any:
        campaign = self.parent.instance if self.parent is not None else None
        try:
            return touches.utm_campaigns_clean(data, campaign)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    currency = CurrencyField(required=False, default="EUR")
    utm_campaigns = UtmCampaignsField(
        required=False,
        help_text='The utm_campaign values that mean this campaign, e.g. ["spring-webinar"]: '
        "touches that carry one are credited to it.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "channel",
            "spend",
            "currency",
            "started_on",
            "ended_on",
            "utm_campaigns",
        ]
        extra_kwargs = {"spend": {"min_value": 0}}

    def save(self, **kwargs: Any) -> Campaign:
        campaign = super().save(**kwargs)
        touches.touches_claim(campaign)
        return campaign

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        started = attrs.get("started_on", getattr(self.instance, "started_on", None))
        ended = attrs.get("ended_on", getattr(self.instance, "ended_on", None))
        if started and ended and ended < started:
            raise serializers.ValidationError(
                {"ended_on": [_("A campaign cannot end before it starts.")]}
            )
        return attrs


class ContactRangeJobSerializer(serializers.ModelSerializer[Any]):
    """A background job over every contact (``leads.models.ContactRangeJob``) as its caller
    polls it; a kind of job adds its own counts with ``job_fields``."""

    progress = serializers.FloatField(read_only=True, help_text="0 to 1.")


def job_fields(*own: str) -> list[str]:
    """The fields of a job's representation: its state and progress, then ``own``, then
    who asked for it and when it ran."""
    return [
        *("id", "status", "progress", "done", "total"),
        *own,
        *("requested_by", "created_at", "started_at", "finished_at", "error"),
    ]
