"""Domain errors to the HTTP answers of the API contract (docs: api.md, "Errors")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from leadfunnel.middleware import (
    MESSAGE,
    RETRY_AFTER_SECONDS,
    database_unreachable,
    log_unreachable,
)
from leads.errors import Conflict


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc), **exc.fields()}, status=status.HTTP_409_CONFLICT)
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
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
