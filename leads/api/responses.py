"""The error responses of the OpenAPI schema, which drf-spectacular (it documents only
successes) does not see: every app's API views name theirs with ``errors()`` or
``crud_schema()``."""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.serializers import Serializer

T = TypeVar("T", bound=type)

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
_merged_away = inline_serializer(
    "MergedAway",
    {"detail": serializers.CharField(), "merged_into": serializers.IntegerField(required=False)},
)
MERGED_AWAY = {
    404: OpenApiResponse(
        _merged_away,
        description="Unknown id, or a contact merged into another: `merged_into` is that one.",
    ),
    409: OpenApiResponse(_detail, description="One of the two was merged or erased meanwhile."),
}
IN_USE = {409: OpenApiResponse(_detail, description="Other records still refer to this one.")}
_state_conflict = inline_serializer(
    "VersionConflict", {"detail": serializers.CharField(), "state": serializers.CharField()}
)
STATE_CONFLICT = {
    409: OpenApiResponse(_state_conflict, description="The record's state does not allow it.")
}
TAKEN = {
    409: OpenApiResponse(
        _field_errors, description="Taken: another record has this value (the field says)."
    )
}


def errors(*codes: int) -> dict[int, Any]:
    """The documented error responses for an operation, e.g. ``errors(400, 404, 409)``.

    401, 403 and 429 apply to every operation and are always included.
    """
    return {code: ERRORS[code] for code in sorted({401, 403, 429, *codes})}


def crud_schema(
    serializer: type[Serializer[Any]],
    *,
    created: type[Serializer[Any]] | None = None,
    taken: bool = False,
    in_use: bool = False,
    versioned: bool = False,
    destroy_description: str | None = None,
) -> Callable[[T], T]:
    """The documented answers of a model viewset: ``created`` is what a creation answers
    when it is not ``serializer``; ``taken`` when a value must be unique (409), ``in_use``
    when a record others refer to cannot be deleted (409), ``versioned`` when its writes
    are refused in some states of the version it belongs to (409 with ``state``)."""
    conflict = TAKEN if taken else STATE_CONFLICT if versioned else {}
    schema: Callable[[T], T] = extend_schema_view(
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
    return schema
