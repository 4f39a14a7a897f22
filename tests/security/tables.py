"""Walking the URL patterns, so a table can tell which endpoints and pages it misses."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "leads:contact_detail", "admin:index", "contact-list"
    path: str
    methods: frozenset[str]  # empty when the view does not say (a plain Django view)


def _methods(pattern: URLPattern) -> frozenset[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)  # a DRF viewset's {"get": "list", ...}
    if actions:
        return frozenset(method.upper() for method in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None and hasattr(view_class, "http_method_names"):
        implemented = [m for m in view_class.http_method_names if hasattr(view_class, m)]
        return frozenset(m.upper() for m in implemented) - {"OPTIONS", "HEAD"}
    return frozenset()


def routes(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif "(?P<format>" not in str(pattern.pattern) and "<drf_format_suffix" not in str(
            pattern.pattern
        ):  # DRF's ".json" twins of each route answer exactly as the route does
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name, prefix + str(pattern.pattern), _methods(pattern))
