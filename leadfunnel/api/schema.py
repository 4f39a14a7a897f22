"""What the OpenAPI schema says beyond drf-spectacular's reading of the code: the error
responses (it documents only successes) and the limits the server checks that a field's
type does not show (non-empty lists, the window of dates, money that has a digit)."""

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from leads.dates import (
    day_pattern,
    event_moment_pattern,
    planned_moment_pattern,
    validate_day,
    validate_event_moment,
    validate_planned_moment,
)
from leads.normalise import currencies, validate_currency
from sla.models import time_zones, validate_time_zone

# What a field validator refuses, as the schema says it.
VALIDATOR_SCHEMAS = {
    validate_day: lambda: {"pattern": day_pattern()},
    validate_planned_moment: lambda: {"pattern": planned_moment_pattern()},
    validate_event_moment: lambda: {"pattern": event_moment_pattern()},
    validate_currency: lambda: {"enum": currencies()},
    validate_time_zone: lambda: {"enum": time_zones()},
}

_detail = inline_serializer("Detail", {"detail": serializers.CharField()})
_conflict = inline_serializer(
    "StageConflict", {"detail": serializers.CharField(), "stage": serializers.CharField()}
)
_duplicate = inline_serializer(
    "DuplicateContact",
    {"detail": serializers.CharField(), "id": serializers.IntegerField()},
)
_field_errors = inline_serializer(
    "FieldErrors",
    {"field": serializers.ListField(child=serializers.CharField(), required=False)},
)

ERRORS = {
    400: OpenApiResponse(_field_errors, description="Bad input: messages per field."),
    401: OpenApiResponse(_detail, description="Not authenticated."),
    403: OpenApiResponse(_detail, description="Not allowed for this user."),
    404: OpenApiResponse(_detail, description="Unknown id."),
    409: OpenApiResponse(_conflict, description="The current stage does not allow it."),
    413: OpenApiResponse(_detail, description="The body is over the endpoint's limit."),
    429: OpenApiResponse(_detail, description="Throttled: see Retry-After."),
}

# The other 409s, with their own bodies (``leadfunnel.api.exceptions`` writes them): use
# one in place of ``409`` in ``errors()``, e.g. ``{**errors(404), **IN_USE}``.
DUPLICATE = {
    409: OpenApiResponse(_duplicate, description="The e-mail is taken: `id` is its contact.")
}
IN_USE = {409: OpenApiResponse(_detail, description="Other records still refer to this one.")}
TAKEN = {
    409: OpenApiResponse(
        _field_errors, description="Taken: another record has this value (the field says)."
    )
}


def errors(*codes: int) -> dict:
    """The documented error responses for an operation, e.g. ``errors(400, 404, 409)``.

    401, 403 and 429 apply to every operation and are always included.
    """
    return {code: ERRORS[code] for code in sorted({401, 403, 429, *codes})}


def crud_schema(
    serializer,
    *,
    created=None,
    taken: bool = False,
    in_use: bool = False,
    destroy_description: str | None = None,
):
    """The documented answers of a model viewset: ``created`` is what a creation answers
    when it is not ``serializer``; ``taken`` when a value must be unique (409), ``in_use``
    when a record others refer to cannot be deleted (409)."""
    conflict = TAKEN if taken else {}
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **errors(400)}),
        create=extend_schema(responses={201: created or serializer, **errors(400), **conflict}),
        retrieve=extend_schema(responses={200: serializer, **errors(404)}),
        update=extend_schema(responses={200: serializer, **errors(400, 404), **conflict}),
        partial_update=extend_schema(responses={200: serializer, **errors(400, 404), **conflict}),
        destroy=extend_schema(
            description=destroy_description,
            responses={204: None, **errors(404), **(IN_USE if in_use else {})},
        ),
    )


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, told the limits of a request's fields that it does not read."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request":
            declare_limits(field, schema)
        return schema

    def _map_basic_serializer(self, serializer, direction):
        # What a serializer says of its fields together (``openapi_relations``: "contact or
        # email, not both"), which no one field's schema can.
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            schema.update(getattr(serializer, "openapi_relations", {}))
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        # A body of one of several shapes (an event or a batch) must be one of them: there
        # must be a body.
        schema, required = super()._get_request_for_media_type(serializer, direction)
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)

    def _unwrap_list_serializer(self, serializer, direction):
        # A list inside a oneOf (one event or a batch) is mapped here, not as a field.
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and direction == "request":
            declare_limits(serializer, schema)
        return schema


def declare_limits(field, schema: dict) -> None:
    """Write into ``schema`` what ``field`` refuses beyond its type: a list's length (DRF's
    ``allow_empty``, ``min_length``, ``max_length``), the window of dates (``leads.dates``)
    a decimal's digits (spectacular's pattern takes "" and "-"), and the validators'
    (``VALIDATOR_SCHEMAS``)."""
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        shortest = field.min_length or (0 if field.allow_empty else 1)
        if shortest:
            schema["minItems"] = shortest
        if field.max_length is not None:
            schema["maxItems"] = field.max_length
    elif isinstance(field, serializers.DecimalField) and field.max_digits is not None:
        schema["pattern"] = _decimal_pattern(field)
    elif isinstance(field, serializers.PrimaryKeyRelatedField):
        schema["minimum"] = 1
    elif isinstance(field, serializers.CharField) and not _has_pattern(field):
        # DRF refuses a NUL character, and a text of spaces where it must not be blank.
        # (A blank one is spectacular's second branch of a oneOf.)
        if field.allow_blank or not field.trim_whitespace:
            schema["pattern"] = NO_NUL
        else:
            schema["pattern"] = NOT_BLANK
    for validator, limits in VALIDATOR_SCHEMAS.items():
        if validator in field.validators:
            schema.update(limits())


def _has_pattern(field) -> bool:
    """Whether spectacular writes a pattern of the field's own (a RegexValidator's)."""
    return any(isinstance(validator, RegexValidator) for validator in field.validators)


NO_NUL = r"^[^\u0000]+$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """The texts ``field`` takes: a digit at least, no sign when it may not be negative, a
    leading digit of 1 to 9 when it must be positive (0.5 is then left unsaid)."""
    places = field.decimal_places or 0
    whole = field.max_digits - places
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    low = field.min_value
    if low is not None and low > 0:
        return rf"^[1-9]\d{{0,{whole - 1}}}{fraction}$"
    sign = "" if low is not None and low >= 0 else "-?"
    return rf"^{sign}\d{{1,{whole}}}{fraction}$"


def document_missing_pages(result: dict, **kwargs) -> dict:
    """drf-spectacular post-processing: every paginated list may answer 404 for a page past
    its end (``leadfunnel.api.pagination``), so the schema says so wherever there is a
    ``page`` parameter."""
    missing = {
        "description": "No such page: past the end of the list.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "page" in names:
                operation.setdefault("responses", {}).setdefault("404", missing)
    return result
