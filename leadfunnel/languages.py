"""Which language a person reads: their own preference, else what their browser asks for
(Django's LocaleMiddleware reads Accept-Language and the switcher's cookie), else the
installation's LANGUAGE_CODE. The API follows Accept-Language alone, as clients expect."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import Profile

# The signed-in user's preference, read once per session ("" when they have none).
SESSION_KEY = "preferred_language"


def preferred_language(user: Any) -> str:
    """The language ``user`` chose on their profile, or "" for none."""
    return Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or ""


def language_of(user: Any) -> str:
    """The language to write to ``user`` in when no request says (e-mails, notifications)."""
    return preferred_language(user) or settings.LANGUAGE_CODE


def language_prefer(request: HttpRequest, language: str) -> None:
    """Keep ``language`` ("" for the browser's) as the signed-in user's preference, for this
    session at once and on their profile for the next ones."""
    user = cast(User, request.user)  # only ever called for a signed-in user
    Profile.objects.update_or_create(user=user, defaults={"language": language})
    request.session[SESSION_KEY] = language


@receiver(user_logged_in, dispatch_uid="leadfunnel.languages.preference_load")
def preference_load(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = preferred_language(user)


class PreferredLanguageMiddleware:
    """After authentication: a signed-in user's preference replaces the browser's language
    for the pages (not the API, which answers in the language of Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An unreadable session (the database down): the view fails too, and answers 503.
        with suppress(DatabaseError):
            self.activate(request)
        return self.get_response(request)

    def activate(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is None or request.path.startswith("/api/") or not user.is_authenticated:
            return
        if SESSION_KEY not in request.session:  # a session from before the preference
            request.session[SESSION_KEY] = preferred_language(user)
        language = request.session[SESSION_KEY]
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
