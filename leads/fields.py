"""Field declarations that the models of every app would otherwise spell out in full."""

from typing import Any

from django.db import models
from django.utils.functional import Promise


def optional_fk(
    to: Any,
    verbose_name: str | Promise | None = None,
    *,
    related_name: str = "+",
    on_delete: Any = models.SET_NULL,
    **options: Any,
) -> "models.ForeignKey[Any, Any]":
    """A link that may be empty: who created a row, the campaign a form feeds, and so on.

    Most such links outlive their target (the row stays when the user or campaign goes), so
    the target's deletion empties them unless `on_delete` says otherwise; and most have no
    use for a reverse accessor, hence `related_name="+"` unless one is named.
    """
    options.setdefault("blank", True)
    if verbose_name is not None:
        options["verbose_name"] = verbose_name
    return models.ForeignKey(
        to, null=True, on_delete=on_delete, related_name=related_name, **options
    )
