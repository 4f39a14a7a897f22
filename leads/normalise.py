"""
What a typed currency or country becomes, written once for the API, the pages, the
services and the imports: an ISO 4217 code (Babel's list of currencies), and an ISO 3166
alpha-2 code from a code of any kind or a country's name.
"""

from functools import lru_cache

from babel.numbers import is_currency, list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

CURRENCY_HELP = gettext_lazy("An ISO 4217 code, e.g. EUR.")
# ISO 4217's codes for "no currency" and "testing": not money a budget is in.
NOT_MONEY = frozenset({"XXX", "XTS"})

# Names people write that are not the ISO short names (django-countries knows those, in
# English, French and German, besides the alpha-2, alpha-3 and numeric codes).
COUNTRY_ALIASES = {
    "UK": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "USA": "US",
    "UNITED STATES": "US",
}
COUNTRY_LANGUAGES = ("en", "fr", "de")


def currency_code(value: str) -> str:
    """``value`` as an ISO 4217 code ("eur " -> "EUR"); ValidationError if it is none."""
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not is_currency(code) or code in NOT_MONEY:
        raise ValidationError(
            _("%(code)s is not a currency: %(help)s")
            % {"code": code or _("An empty text"), "help": CURRENCY_HELP}
        )
    return code


@lru_cache(maxsize=1)
def currencies() -> list[str]:
    """Every code ``currency_code`` takes, in order."""
    return sorted(set(list_currencies()) - NOT_MONEY)


def validate_currency(value: str) -> None:
    """A field validator: the stored code must be one (models, forms and serializers)."""
    currency_code(value)


@lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """The alpha-2 code of a country given by code (alpha-2, alpha-3, numeric) or name, in
    English, French or German; "" when it is no country."""
    value = (value or "").strip()
    upper = value.upper()
    found = COUNTRY_ALIASES.get(upper) or countries.alpha2(upper)
    for language in COUNTRY_LANGUAGES:
        found = found or str(countries.by_name(value, language=language))
    return found


NUL_MESSAGE = _("Null characters are not allowed.")  # DRF's words for a text field's


def holds_nul(value: object) -> bool:
    """Whether a JSON value has the NUL character in a key or a string anywhere inside it:
    valid JSON, which PostgreSQL's jsonb (and text) cannot store."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False
