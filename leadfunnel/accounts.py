"""Account pages beyond Django's own: a password reset that cannot be used to flood a
mailbox or probe addresses at will."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .clients import client_address
from .limits import WINDOW_SECONDS, spent


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset, at most PASSWORD_RESET_LIMIT e-mails an hour per client address (the
    real one, behind the proxy) and per e-mail address asked for."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = request.POST.get("email", "").strip().lower()
        limit = settings.PASSWORD_RESET_LIMIT
        by_address = spent(f"password-reset:ip:{client_address(request)}", limit)
        by_email = spent(f"password-reset:email:{email}", limit) if email else False
        if by_address or by_email:
            context = {"limit": settings.PASSWORD_RESET_LIMIT}
            response = render(request, "registration/password_reset_throttled.html", context)
            response.status_code = 429
            response["Retry-After"] = str(WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)
