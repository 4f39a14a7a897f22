"""The sites allowed to embed a form, written as browsers send them in ``Origin``."""

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from leads.normalise import NUL_MESSAGE, holds_nul


def origins_clean(value: Any) -> list[str]:
    """Each entry as ``scheme://host[:port]``, lower-case, without a path: what a browser
    sends, so the comparison is a plain equality."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Give a list of addresses such as https://www.example.com."))
    if holds_nul(value):
        raise ValidationError(NUL_MESSAGE)
    cleaned: list[str] = []
    for item in value:
        parts = urlsplit(item.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                _("%(item)r is no site address (https://www.example.com).") % {"item": item}
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValidationError(
                _("%(item)r: give the site only, without a path.") % {"item": item}
            )
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if origin not in cleaned:
            cleaned.append(origin)
    return cleaned
