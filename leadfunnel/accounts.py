"""Account pages beyond Django's own: a password reset that cannot be used to flood a
mailbox or probe addresses at will, the language switcher and the user's preferences."""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .clients import client_address
from .languages import language_prefer, preferred_language
from .limits import WINDOW_SECONDS, spent
from .models import Profile


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


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("As my browser asks"))] + list(settings.LANGUAGES),
        required=False,
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The header's switcher: the chosen language for this browser (a cookie, as Django's
    ``set_language`` keeps it) and, when signed in, on the user's profile. Back to ``next``
    when it is a page of this site."""
    form = LanguageForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = HttpResponseRedirect(back)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        language_prefer(request, language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["language"]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's own settings: today, the language of their pages and e-mails."""
    user = cast(User, request.user)  # signed in: login_required
    profile = Profile(user=user, language=preferred_language(user))
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        language_prefer(request, language)
        # Said in the language just chosen (else the browser's), as the next page will be.
        translation.activate(language or translation.get_language_from_request(request))
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    return render(request, "registration/preferences.html", {"form": form})
