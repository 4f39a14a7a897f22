"""A contact merged into another is the same person: its pages lead to the survivor's."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .errors import MergedAway


class MergedAwayMiddleware:
    """Turns a page's ``MergedAway`` (``leads.pages.contact_for``) into a redirect to the
    contact it was merged into, with a message saying so. The API answers 404 instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MergedAway):
            return None
        messages.info(request, _("%(merged)s This is that contact.") % {"merged": exception})
        return redirect("leads:contact_detail", pk=exception.survivor_id)
