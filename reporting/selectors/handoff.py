"""
The MQL hand-off report: the MQLs marketing passed to sales in the range, and what sales did
with them (accepted, rejected and why, or still waiting). Each entry into MQL is a hand-off, a
recycled contact that comes back is handed off again; outcomes are as of now.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, TextField, Value, When

from leads.stages import Move, Stage

from ..periods import Period
from ..rollups import HANDOFFS, rollups_ready
from .cells import CELL_GROUPS, cells_summed
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

    def add(self, row: dict) -> None:
        """Count ``total`` passes that ended by ``exit_move`` (none yet: waiting)."""
        n, move = row["total"], row["exit_move"]
        self.passed += n
        if not move:
            self.waiting += n
        elif move == Move.ACCEPT:
            self.accepted += n
        elif move == Move.REJECT:
            self.rejected += n
            self.recycled += n if row["exit_stage"] == Stage.RECYCLED else 0
            self.disqualified += n if row["exit_stage"] == Stage.DISQUALIFIED else 0
            self.reasons[row["reason"]] = self.reasons.get(row["reason"], 0) + n

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


OUTCOME = ("exit_move", "exit_stage", "reason")


def handoff_report(
    *, period: Period, group_by: GroupBy | None = None, scope: Scope = NO_FILTER
) -> HandoffReport:
    """Hand-offs and their outcomes per group and in total, with rejections by reason."""
    total = HandoffLine(key=None, label="Total")
    lines: dict[Any, HandoffLine] = {}
    for row in _passes(period, group_by, scope):
        for line in _lines_of(row, group_by, total, lines):
            line.add(row)
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


def _passes(period: Period, group_by: GroupBy | None, scope: Scope) -> Iterable[dict]:
    """The passes counted per group and outcome: rows of ``group``, the ``OUTCOME`` and
    ``total``. From the hand-off rollup on PostgreSQL, else from the stays."""
    if rollups_ready(period.tz):
        group = {"group": CELL_GROUPS[group_by]} if group_by else {}
        return cells_summed(HANDOFFS, period=period, scope=scope, fields=OUTCOME, keys=group)
    stays = stays_entered(period, scope).filter(stage=Stage.MQL)
    handoffs, keys = with_group(stays, group_by, period)
    reason = Case(
        When(exit_move=Move.REJECT, then=F("exit__reason")),
        default=Value(""),
        output_field=TextField(),
    )
    by_outcome = handoffs.values(*keys, "exit_move", "exit_stage", reason=reason)
    return by_outcome.annotate(total=Count("entered_at")).order_by()


def _lines_of(row: dict, group_by, total: HandoffLine, lines: dict) -> list[HandoffLine]:
    """The total and, when grouped, the row's group (created on first sight)."""
    if group_by is None:
        return [total]
    key = group_key(group_by, row["group"])
    return [total, lines.setdefault(key, HandoffLine(key, ""))]
