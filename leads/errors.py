"""Domain errors: the API maps them to HTTP codes, pages to form errors and messages.

Bad input is Django's ``ValidationError`` (a 400 with messages per field). An action that
the current state of a record does not allow is a ``Conflict``: every app's conflicts
derive from it, and ``leadfunnel.api.exceptions`` answers them all the same way, a 409
with ``detail`` and what the client needs to know of the current state (``fields()``).
"""

from typing import Any

from django.utils.translation import gettext as _

from .stages import VERBS, Move, Stage


class Conflict(Exception):
    """The action does not fit the record's current state (HTTP 409)."""

    def fields(self) -> dict[str, Any]:
        """What the 409's body says besides ``detail``."""
        return {}


class StageConflict(Conflict):
    """The contact's current stage does not allow the move (HTTP 409 with the stage)."""

    def __init__(self, *, move: Move | str, stage: Stage | str, why: str = "") -> None:
        self.move = Move(move)
        self.stage = Stage(stage)
        self.why = why or _("the contact is %(stage)s") % {"stage": self.stage.label}
        super().__init__(
            _("Cannot %(move)s: %(why)s.") % {"move": VERBS[self.move], "why": self.why}
        )

    def fields(self) -> dict[str, Any]:
        return {"stage": self.stage}


class DuplicateContact(Conflict):
    """A contact with this e-mail exists already (HTTP 409 with its id)."""

    def __init__(self, *, existing_id: int | None) -> None:
        self.existing_id = existing_id
        super().__init__(_("A contact with this e-mail already exists."))

    def fields(self) -> dict[str, Any]:
        return {"id": self.existing_id}


class MergeConflict(Conflict):
    """The contacts cannot be merged, or a merge undone, as they stand (HTTP 409)."""


class MergedAway(Exception):
    """The contact was merged into another (HTTP 404 with ``merged_into``; pages redirect)."""

    def __init__(self, *, survivor_id: int) -> None:
        self.survivor_id = survivor_id
        super().__init__(
            _("This contact was merged into contact #%(survivor)s.") % {"survivor": survivor_id}
        )
