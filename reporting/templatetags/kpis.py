"""``{% kpi_definitions %}``: the reports' definitions, for the definitions page (a page of
``leads``, which imports no other app: the template asks for them instead)."""

from django import template

from ..definitions import KPIS

register = template.Library()


@register.inclusion_tag("reporting/_kpi_definitions.html")
def kpi_definitions() -> dict:
    return {"kpis": KPIS}
