"""Amounts of money as the reader's language writes them: "€1,234.56", « 1 234,56 € »."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.utils.translation import get_language, to_locale

Amount = Decimal | float | int


def money(amount: Amount | None, currency: str = "", *, cents: bool = True) -> str:
    """``amount`` in ``currency`` (ISO 4217) for the active language, "—" for none. Without
    ``cents`` it is rounded to whole units (a cost per client of 12 345 € needs none); without
    a currency it is the number alone."""
    if amount is None:
        return "—"
    locale = Locale.parse(to_locale(get_language() or "en"))
    if not currency:
        return format_decimal(amount, format="#,##0.00" if cents else "#,##0", locale=locale)
    pattern = locale.currency_formats["standard"].pattern
    if not cents:
        pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=cents)
