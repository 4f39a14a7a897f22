"""``?format=csv`` for every report: one row per group (or month, or target), nested figures
flattened into dotted columns (``counts.mql``, ``cost.client``), titled in the reader's
language (``columns``)."""

import csv
import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.renderers import BaseRenderer

from .columns import column_title

# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a campaign
# named "=HYPERLINK(...)" must stay text. OWASP's advice: prefix it with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"counts": {"mql": 3}}`` -> ``{"counts.mql": 3}``."""
    flat: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}{name}.")
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def cell(value: Any) -> Any:
    """A value as a spreadsheet should read it: text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class CSVRenderer(BaseRenderer):
    """Rows (a list of mappings) as CSV with a header; an error body becomes one row."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = [flatten(row) for row in (data if isinstance(data, list) else [data or {}])]
        header = list(dict.fromkeys(name for row in rows for name in row))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=settings.CSV_DELIMITER)
        writer.writerow([cell(column_title(name)) for name in header])
        for row in rows:
            writer.writerow([cell(row.get(name)) for name in header])
        return buffer.getvalue().encode(self.charset)
