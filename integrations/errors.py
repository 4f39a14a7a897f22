"""Domain errors of the integrations app; the API answers them with 409."""

from typing import Any

from leads.errors import Conflict


class StateConflict(Conflict):
    """The job or delivery is not in a state that allows the action (HTTP 409 with it)."""

    def __init__(self, message: str, *, status: str):
        self.status = status
        super().__init__(message)

    def fields(self) -> dict[str, Any]:
        return {"status": self.status}
