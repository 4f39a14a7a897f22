"""
JSON bodies with limits a client can rely on (documented in the README and the schema):
at most ``API_MAX_BODY_BYTES`` (a view may allow more: the events endpoint takes a batch of
1,000 events with their properties), nested at most ``API_JSON_MAX_DEPTH`` levels. Past
them: a 413 or a 400, in JSON, never the 500 that Python's recursion limit gave.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def body_limit(view) -> int:
    return getattr(view, "max_body_bytes", None) or settings.API_MAX_BODY_BYTES


def depth_of(data) -> int:
    """How deeply ``data`` nests, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


class LimitedJSONParser(BaseParser):
    """DRF's JSON parsing with the limits above. Not a subclass of DRF's ``JSONParser``:
    DRF reads a ``JSONParser``'s body through Django's ``request.body``, whose own limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE) answers an HTML 400 before any parser runs."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit((parser_context or {}).get("view"))
        try:
            raw = stream.read(limit + 1) if stream is not None else b""
        except RequestDataTooBig:
            raw = b"x" * (limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"The body is over {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            data = None
            depth = settings.API_JSON_MAX_DEPTH + 1
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        else:
            depth = depth_of(data)
        if depth > settings.API_JSON_MAX_DEPTH:
            raise ParseError(
                _("The JSON is nested deeper than %(depth)d levels.")
                % {"depth": settings.API_JSON_MAX_DEPTH}
            )
        return data
