"""
What two records of one person have in common although typed differently: the keys that
duplicate detection compares (``leads.duplicates``).

- A phone number becomes E.164 (``+33612345678``) with the ``phonenumbers`` library; a number
  written without its country code is read in ``PHONE_DEFAULT_REGION``. Text that is no
  possible number has no key, so "n/a" typed twice matches nothing.
- An e-mail is compared without case, spaces or a plus tag (``ada+news@x.io`` is
  ``ada@x.io``); whether the tag counts is ``DUPLICATES_IGNORE_PLUS``.
- A name is the person's names and company, lower-cased with the spaces collapsed: what a
  trigram similarity compares.

Each key is stored on the contact beside its source fields (``MatchKey``), kept by every
write that goes through the model, so finding the candidates of one contact is an index
lookup.
"""

from collections.abc import Callable
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import models


def phone_key(phone: str) -> str:
    """The number in E.164, or "" when it is no possible number."""
    text = (phone or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_key(email: str | None) -> str:
    """The address without case, spaces or plus tag: ``" Ada+News@X.io"`` -> ``ada@x.io``."""
    text = "".join((email or "").split()).lower()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local.split('+', 1)[0] or local}@{domain}"


def name_key(first_name: str, last_name: str, company: str) -> str:
    """Names and company as one lower-case text with single spaces, "" without a name."""
    names = " ".join(f"{first_name} {last_name}".split())
    if not names:
        return ""
    return " ".join(f"{names} {company}".lower().split())


class MatchKey(models.CharField):  # type: ignore[type-arg]  # django-stubs: set and get types
    """A key derived from other fields of the row, worked out whenever the row is saved
    (``pre_save``), so neither the services, the bulk inserts nor the admin can forget it.
    Never edited: ``editable=False`` keeps it out of forms, serializers and the admin."""

    def __init__(
        self,
        *args: Any,
        derive: Callable[..., str] | None = None,
        sources: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        self.derive, self.sources = derive, tuple(sources)
        kwargs.setdefault("max_length", 320)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")  # rows loaded by COPY without the column
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, "django.db.models.CharField", args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        assert self.derive is not None
        value = self.derive(*(getattr(model_instance, name) for name in self.sources))
        setattr(model_instance, self.attname, value)
        return value


def keys_rederive(rows: "models.QuerySet[Any]") -> int:
    """Work the keys out again for rows written around the model's ``save`` (a COPY, an
    ``INSERT ... SELECT``, a ``bulk_update``), in one bulk update. Returns how many rows."""
    model = rows.model
    keys = [field for field in model._meta.concrete_fields if isinstance(field, MatchKey)]
    sources = {source for key in keys for source in key.sources}
    loaded = list(rows.only(*sources))
    for row in loaded:
        for key in keys:
            key.pre_save(row, add=False)
    model._default_manager.bulk_update(loaded, [key.name for key in keys], batch_size=1000)
    return len(loaded)
