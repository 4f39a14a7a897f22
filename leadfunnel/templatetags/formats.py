"""Template filters for what each language writes its own way: ``{{ spend|money:currency }}``."""

from django import template

from ..money import Amount
from ..money import money as money_text

register = template.Library()


@register.filter
def money(amount: Amount | None, currency: str = "") -> str:
    """``{{ campaign.spend|money:campaign.currency }}``: « 1 234,56 € » in French."""
    return money_text(amount, currency or "")


@register.filter
def money_units(amount: Amount | None, currency: str = "") -> str:
    """As ``money``, rounded to whole units: for costs per stage in the hundreds and more."""
    return money_text(amount, currency or "", cents=False)
