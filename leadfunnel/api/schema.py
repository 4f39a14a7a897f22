"""Error responses for the OpenAPI schema: drf-spectacular documents only successes."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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


def errors(*codes: int) -> dict:
    """The documented error responses for an operation, e.g. ``errors(400, 404, 409)``.

    401, 403 and 429 apply to every operation and are always included.
    """
    return {code: ERRORS[code] for code in sorted({401, 403, 429, *codes})}


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
