from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import Scope, entered


class AuditContextMiddleware:
    """Every audited change made while answering a request is the requesting user's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with entered(Scope(request=request)):
            return self.get_response(request)
