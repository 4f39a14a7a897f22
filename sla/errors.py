"""The SLA's own refusals (HTTP 409, like every ``leads.errors.Conflict``)."""

from datetime import datetime
from typing import Any

from leads.errors import Conflict


class TooFewAttempts(Conflict):
    """An MQL rejected as unreachable before the policy's attempts were made."""

    def __init__(self, *, attempts: int, required: int, days: float, required_days: int) -> None:
        self.attempts, self.required = attempts, required
        self.days, self.required_days = days, required_days
        span = f" over {required_days} day(s) (so far {days:.1f})" if required_days else ""
        super().__init__(
            f"Cannot reject as unreachable yet: {attempts} of {required} outbound "
            f"attempts logged{span}."
        )

    def fields(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "required_attempts": self.required,
            "days": round(self.days, 2),
            "required_days": self.required_days,
        }


def days_between(start: datetime | None, end: datetime | None) -> float:
    return 0.0 if start is None or end is None else (end - start).total_seconds() / 86400


class TouchAnsweredClock(Conflict):
    """A touch that answered a first-touch SLA clock, deleted or changed so it would not."""

    def __init__(self, *, started_at: datetime) -> None:
        self.started_at = started_at
        super().__init__(
            "This touch answered the SLA clock of the hand-off of "
            f"{started_at:%Y-%m-%d %H:%M} UTC: it stays as the record. Change its subject, "
            "notes or outcome instead."
        )

    def fields(self) -> dict[str, Any]:
        return {"clock_started_at": self.started_at}
