"""
The MQL hand-off report: the MQLs marketing passed to sales in the range, and what sales did
with them (accepted, rejected and why, or still waiting). Each entry into MQL is a hand-off, a
recycled contact that comes back is handed off again; outcomes are as of now.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from leads.stages import Move, Stage

from ..aggregates import grouped
from ..periods import Period
from .scope import NO_FILTER, GroupBy, Scope, group_key, group_labels, ordered_keys, rate
from .stays import stays_entered, with_group


@dataclass
class HandoffLine:
    key: str | None
    label: str
    passed: int = 0
    accepted: int = 0
    rejected: int = 0
    recycled: int = 0  # rejected back to marketing for nurturing
    disqualified: int = 0  # rejected for good
    waiting: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # rejections by reason

    @property
    def acceptance_rate(self) -> float | None:
        return rate(self.accepted, self.passed)

    @property
    def rejection_rate(self) -> float | None:
        return rate(self.rejected, self.passed)


@dataclass
class HandoffReport:
    period: Period
    group_by: GroupBy | None
    groups: list[HandoffLine]
    total: HandoffLine


COUNTS: dict[str, Any] = {
    "passed": Q(),
    "accepted": Q(exit_move=Move.ACCEPT),
    "rejected": Q(exit_move=Move.REJECT),
    "recycled": Q(exit_move=Move.REJECT, exit_stage=Stage.RECYCLED),
    "disqualified": Q(exit_move=Move.REJECT, exit_stage=Stage.DISQUALIFIED),
    "waiting": Q(exit__isnull=True),
}


def handoff_report(
    *, period: Period, group_by: GroupBy | None = None, scope: Scope = NO_FILTER
) -> HandoffReport:
    """Hand-offs and their outcomes per group and in total, with rejections by reason."""
    handoffs, keys = with_group(
        stays_entered(period, scope).filter(stage=Stage.MQL), group_by, period
    )
    tallies: dict[str, Any] = {
        name: Count("entered_at", filter=cond) for name, cond in COUNTS.items()
    }
    counts = grouped(handoffs, keys, **tallies)
    reasons = (
        handoffs.filter(exit_move=Move.REJECT)
        .values(*keys, reason=F("exit__reason"))
        .annotate(n=Count("entered_at"))
    )
    total = HandoffLine(key=None, label="Total")
    lines: dict[Any, HandoffLine] = {}
    for row in counts:
        for line in _lines_of(row, group_by, total, lines):
            for name in COUNTS:
                setattr(line, name, getattr(line, name) + row[name])
    for row in reasons.order_by():
        for line in _lines_of(row, group_by, total, lines):
            line.reasons[row["reason"]] = line.reasons.get(row["reason"], 0) + row["n"]
    labels = group_labels(group_by, lines)
    for key, line in lines.items():
        line.label = labels[key]
    for line in [total, *lines.values()]:
        line.reasons = dict(sorted(line.reasons.items(), key=lambda item: (-item[1], item[0])))
    return HandoffReport(
        period=period,
        group_by=group_by,
        groups=[lines[key] for key in ordered_keys(group_by, labels)],
        total=total,
    )


def _lines_of(row: dict, group_by, total: HandoffLine, lines: dict) -> list[HandoffLine]:
    """The total and, when grouped, the row's group (created on first sight)."""
    if group_by is None:
        return [total]
    key = group_key(group_by, row["group"])
    return [total, lines.setdefault(key, HandoffLine(key, ""))]
