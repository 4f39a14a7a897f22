"""Saving a record the way every service does: the fields set, the model's checks run."""

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def checked_save(instance: M, **fields: Any) -> M:
    """Set ``fields`` on ``instance``, run ``full_clean`` (a ``ValidationError`` with
    messages per field, nothing saved) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance
