from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """What a user chose for themselves: the language of their pages and e-mails (blank:
    the browser's, then the installation's LANGUAGE_CODE)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the language your browser asks for."),
    )

    def __str__(self) -> str:
        return str(self.user)
