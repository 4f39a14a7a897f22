"""Domain errors to the HTTP answers of the API contract (docs: api.md, "Errors")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from leads.errors import DuplicateContact, StageConflict


def exception_handler(exc, context):
    if isinstance(exc, StageConflict):
        return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DuplicateContact):
        return Response(
            {"detail": str(exc), "id": exc.existing_id}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "Other records still refer to this one."}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
