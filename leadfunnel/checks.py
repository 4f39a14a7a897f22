"""System checks of the project's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Back-ends that keep mail on the server (a log, a file, memory): in production the
# password-reset links they hold would let whoever reads the logs take over any account.
NOT_SENDING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def email_is_sent(app_configs, **kwargs) -> list[Error]:
    if settings.EMAIL_BACKEND in NOT_SENDING:
        return [
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mail (password-reset links "
                "among it) would be written where the server keeps it, not sent.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587.",
                id="leadfunnel.E001",
            )
        ]
    return []
