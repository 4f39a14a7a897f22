"""Domain errors: the API maps them to HTTP codes, pages to form errors and messages."""

from .stages import VERBS, Move, Stage


class StageConflict(Exception):
    """The contact's current stage does not allow the move (HTTP 409)."""

    def __init__(self, *, move: Move, stage: Stage, why: str = ""):
        self.move = Move(move)
        self.stage = Stage(stage)
        self.why = why or f"the contact is {self.stage.label}"
        super().__init__(f"Cannot {VERBS[self.move]}: {self.why}.")


class DuplicateContact(Exception):
    """A contact with this e-mail exists already (HTTP 409 with its id)."""

    def __init__(self, *, existing_id: int):
        self.existing_id = existing_id
        super().__init__("A contact with this e-mail already exists.")
