"""What the OpenAPI schema says beyond drf-spectacular's reading of the code: the limits the
server checks that a field's type does not show (non-empty lists, the window of dates, money
that has a digit) and the 404 of a page past a list's end. The error responses each view
documents are ``leads.api.responses``."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.utils import PolymorphicProxySerializer
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

    def _get_filter_parameters(self):
        # A django-filter choice left empty (``?kind=``, as a page's form sends it) means
        # no filter: the schema says so, or a client could not know that "" is taken.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and "" not in schema.get("enum", [""]):
                schema["enum"] = [*schema["enum"], ""]
        return parameters

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


def declare_limits(field: Any, schema: dict[str, Any]) -> None:
    """Write into ``schema`` what ``field`` refuses beyond its type: a list's length (DRF's
    ``allow_empty``, ``min_length``, ``max_length``), a decimal's digits (spectacular's
    pattern takes "" and "-"), and what the validators refuse (``VALIDATOR_SCHEMAS``: the
    window of dates, the currencies, the time zones)."""
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        length: Any = field  # both take min_length and max_length (ListSerializer too)
        shortest = length.min_length or (0 if field.allow_empty else 1)
        if shortest:
            schema["minItems"] = shortest
        if length.max_length is not None:
            schema["maxItems"] = length.max_length
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
            schema.update(limits())  # type: ignore[call-overload]


def _has_pattern(field) -> bool:
    """Whether spectacular writes a pattern of the field's own (a RegexValidator's)."""
    return any(isinstance(validator, RegexValidator) for validator in field.validators)


NO_NUL = r"^[^\u0000]+$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """The texts ``field`` takes: a digit at least, no sign when it may not be negative, a
    leading digit of 1 to 9 when it must be positive (0.5 is then left unsaid)."""
    places = field.decimal_places or 0
    whole = (field.max_digits or 0) - places
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


def one_or_batch(
    serializer: type[serializers.Serializer], name: str, most: int
) -> PolymorphicProxySerializer:
    """A request body that is one object or a list of 1 to ``most`` of them (events,
    activities): the schema names it ``<name>OrBatch`` and shows both forms."""
    return PolymorphicProxySerializer(
        component_name=f"{name}OrBatch",
        serializers=[
            serializer,
            serializer(many=True, min_length=1, max_length=most),  # type: ignore[call-arg]
        ],
        resource_type_field_name=None,
        many=False,
    )
