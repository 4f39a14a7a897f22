"""Domain errors to the HTTP answers of the API contract (docs: api.md, "Errors")."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from leadfunnel.middleware import (
    MESSAGE,
    RETRY_AFTER_SECONDS,
    database_unreachable,
    log_unreachable,
)
from leads.errors import Conflict, MergedAway


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc), **exc.fields()}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, MergedAway):
        return Response(
            {"detail": str(exc), "merged_into": exc.survivor_id}, status=status.HTTP_404_NOT_FOUND
        )
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "Other records still refer to this one."}, status=status.HTTP_409_CONFLICT
        )
    if database_unreachable(exc):
        # A moment's outage, not a bug: clients retry after Retry-After (as after a 429).
        log_unreachable(context["request"], exc)
        return Response(
            {"detail": MESSAGE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_by_field(exc))
    if isinstance(exc, ValidationError) and _only_taken(exc.get_codes()):
        # Well-formed, but the name (or the stage and month) is another record's: a
        # conflict with the stored state, as HTTP has it, and not bad input.
        return Response(exc.detail, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def _by_field(error: DjangoValidationError) -> dict[str, list[str]]:
    """A model's ValidationError as DRF says one: the errors that name no field (Django's
    ``__all__``) under ``non_field_errors``."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
        for name, messages in error.message_dict.items()
    }


def _only_taken(codes) -> bool:
    """Whether every error of a ValidationError is a uniqueness check's (code ``unique``)."""
    if isinstance(codes, dict):
        return bool(codes) and all(_only_taken(value) for value in codes.values())
    if isinstance(codes, list):
        return bool(codes) and all(_only_taken(value) for value in codes)
    return codes == "unique"
