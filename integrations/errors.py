"""Domain errors of the integrations app; the API answers them with 409."""


class StateConflict(Exception):
    """The job or delivery is not in a state that allows the action (HTTP 409)."""

    def __init__(self, message: str, *, status: str):
        self.status = status
        super().__init__(message)
