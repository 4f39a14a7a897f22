"""Account pages beyond Django's own: a password reset that cannot be used to flood a
mailbox or probe addresses at will."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .clients import client_address

WINDOW_SECONDS = 3600


def _spent(key: str) -> bool:
    """Count one more use of ``key`` in the hour; whether it was already used up."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, WINDOW_SECONDS)
        used = 1
    return used > settings.PASSWORD_RESET_LIMIT


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset, at most PASSWORD_RESET_LIMIT e-mails an hour per client address (the
    real one, behind the proxy) and per e-mail address asked for."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = request.POST.get("email", "").strip().lower()
        by_address = _spent(f"password-reset:ip:{client_address(request)}")
        by_email = _spent(f"password-reset:email:{email}") if email else False
        if by_address or by_email:
            context = {"limit": settings.PASSWORD_RESET_LIMIT}
            response = render(request, "registration/password_reset_throttled.html", context)
            response.status_code = 429
            response["Retry-After"] = str(WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)
