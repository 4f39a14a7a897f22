"""The SLA's own refusals (HTTP 409, like every ``leads.errors.Conflict``)."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from leads.errors import Conflict


class TooFewAttempts(Conflict):
    """An MQL rejected as unreachable before the policy's attempts were made."""

    def __init__(self, *, attempts: int, required: int, days: float, required_days: int) -> None:
        self.attempts, self.required = attempts, required
        self.days, self.required_days = days, required_days
        facts = {"attempts": attempts, "required": required, "days": required_days, "so_far": days}
        if required_days:
            text = _(
                "Cannot reject as unreachable yet: %(attempts)d of %(required)d outbound attempts "
                "logged over %(days)d day(s) (so far %(so_far).1f)."
            )
        else:
            text = _(
                "Cannot reject as unreachable yet: %(attempts)d of %(required)d outbound attempts "
                "logged."
            )
        super().__init__(text % facts)

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
            _(
                "This touch answered the SLA clock of the hand-off of %(started)s UTC: it stays "
                "as the record. Change its subject, notes or outcome instead."
            )
            % {"started": f"{started_at:%Y-%m-%d %H:%M}"}
        )

    def fields(self) -> dict[str, Any]:
        return {"clock_started_at": self.started_at}
