"""
A database that refuses connections (restarting, failing over, out of connection slots) is a
moment's outage, not a bug: the answer is 503 with Retry-After, a page for people and
``{"detail": ...}`` for the API, never a 500 with a trace. Django reconnects on the next
request once the database is back (``CONN_HEALTH_CHECKS``), so nothing else is needed.
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = _("The database is unavailable for a moment. Please try again shortly.")
# SQLSTATEs a server sends when it will not take the connection: class 08 (connection
# exceptions) and the shutdown, crash-recovery, starting-up and too-many-connections codes.
# https://www.postgresql.org/docs/current/errcodes-appendix.html
_REFUSING = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached, rather than a statement
    failing on a live connection (a deadlock or a timeout has a SQLSTATE of its own and
    stays a 500: it is a bug to fix, not an outage to wait out). SQLite's errors carry no
    SQLSTATE: there any OperationalError, mostly a locked file, is taken for an outage."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    code = getattr(error.__cause__, "pgcode", None)
    return code is None or code.startswith(_REFUSING)


def log_unreachable(request: HttpRequest, error: BaseException) -> None:
    logger.warning("Database unavailable, 503 for %s %s: %s", request.method, request.path, error)


class DatabaseUnavailableMiddleware:
    """Turn a view's failure to reach the database into the 503 page (API views answer
    through ``leadfunnel.api.exceptions`` with the same message)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unreachable(exception):
            return None
        log_unreachable(request, exception)
        # No request context: its processors read the user, from the database.
        retry = request.get_full_path() if request.method == "GET" else ""
        page = render_to_string("503.html", {"retry": retry})
        return HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
