"""Content negotiation for the views that document ``?format=`` (reports, CSV files)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown ``?format=`` is bad input, a 400 naming ``format`` (DRF answers 404)."""

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            unknown = _("Unknown format: use one of %(known)s.") % {"known": known}
            raise ValidationError({"format": [unknown]})
        return matching
