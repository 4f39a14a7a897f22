"""
What "erased" means for text: a person's values (e-mail, names, phone, company, job title)
taken out of every free text and JSON that could hold them, wherever it is stored.

``contact_erase`` gathers the values before blanking the contact and hands them to every
app in ``contact_erased``; each app scrubs its own tables with the helpers here, so the
rule of what is personal and how it is replaced is written once.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from .models import Contact

ERASED = "[erased]"
SHORTEST = 3  # a two-letter first name would blank every "Al" in the database


def salted_hash(value: str) -> str:
    """A stand-in for an identifier built from personal data (an event key made from the
    e-mail): equal values stay equal, and without the SECRET_KEY nobody can test a guess."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def personal_values(contact: Contact) -> list[str]:
    """The strings that identify the person, longest first (so "Ada Lovelace" goes before
    "Ada"), ignoring the very short ones."""
    values = [
        contact.email or "",
        contact.full_name,
        contact.first_name,
        contact.last_name,
        contact.phone,
        contact.company,
        contact.job_title,
    ]
    found = {value.strip() for value in values if len(value.strip()) >= SHORTEST}
    return sorted(found, key=lambda value: (-len(value), value))


def scrub(data: Any, values: Iterable[str]) -> Any:
    """``data`` (text, or JSON: dicts, lists, strings) with every value replaced, any case."""
    values = list(values)
    if not values:
        return data
    pattern = re.compile("|".join(re.escape(value) for value in values), re.IGNORECASE)
    return _scrub(data, pattern)


def _scrub(data: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(data, str):
        return pattern.sub(ERASED, data)
    if isinstance(data, dict):
        return {_scrub(key, pattern): _scrub(value, pattern) for key, value in data.items()}
    if isinstance(data, list):
        return [_scrub(item, pattern) for item in data]
    return data


def rows_mentioning(
    queryset: QuerySet[Any], fields: Iterable[str], values: list[str]
) -> QuerySet[Any]:
    """The rows of ``queryset`` whose ``fields`` (text or JSON) contain one of ``values``."""
    if not values:
        return queryset.none()
    fields = list(fields)
    texts = {f"_text_{name}": Cast(name, TextField()) for name in fields}
    found = Q()
    for alias in texts:
        for value in values:
            found |= Q(**{f"{alias}__icontains": value})
    found_rows: QuerySet[Any] = queryset.annotate(**texts).filter(found)
    return found_rows


def scrub_rows(queryset: QuerySet[Any], fields: Iterable[str], values: list[str]) -> int:
    """Scrub ``fields`` of every row that mentions the person; the count of rows changed."""
    fields = list(fields)
    rows = list(rows_mentioning(queryset, fields, values))
    for row in rows:
        for name in fields:
            setattr(row, name, scrub(getattr(row, name), values))
    if rows:
        queryset.model._base_manager.bulk_update(rows, fields)
    return len(rows)
