"""
Scoring a batch of new activities in memory: one pass over at most 1,000 events, no query.

The caller loads the state of the batch's contacts (their score parts and the counters of
the rules that may match) aged to ``now``, and writes back what changed set-based. Each
contact's events are walked in time order, so the event that takes the score over a level
is known: a promotion is dated at that event, not at the time the batch arrived.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .conditions import event_matcher
from .models import Dimension, Rule, Thresholds
from .sql import Crossing, decay_factor, whole


@dataclass(frozen=True)
class NewActivity:
    id: int
    contact_id: int
    type: str
    occurred_at: datetime
    properties: dict[str, Any]


@dataclass
class Counter:
    """How often one rule matched one contact (``ContactRuleScore``): ``value`` is the count
    decayed (for rules that decay), valid at ``now``."""

    times: int = 0
    value: float = 0.0
    changed: bool = False


@dataclass
class Parts:
    """A contact's score parts (``ContactScore``), event engagement valid at ``now``."""

    profile_fit: int = 0
    profile_engagement: int = 0
    event_fit: int = 0
    event_engagement: float = 0.0
    mql: bool = False
    hot: bool = False

    STORED = ("profile_fit", "profile_engagement", "event_fit", "event_engagement", "mql")

    @classmethod
    def aged(cls, row: Any, factor: float) -> "Parts":
        """From a stored row (``models.ScoreParts``), its event engagement times
        ``factor`` (the decay since the row's ``as_of``)."""
        parts = cls(**{name: getattr(row, name) for name in cls.STORED})
        parts.event_engagement *= factor
        parts.hot = getattr(row, "hot", False)
        return parts

    def stored(self) -> dict[str, Any]:
        """The fields of a row (``models.ScoreParts``) that hold these parts."""
        return {name: getattr(self, name) for name in self.STORED}

    def figures(self) -> tuple[int, int, int]:
        """(score, fit, engagement) as ``Contact`` shows them."""
        fit = self.profile_fit + self.event_fit
        engagement = whole(self.profile_engagement + self.event_engagement)
        return fit + engagement, fit, engagement


@dataclass
class Outcome:
    counters: dict[tuple[int, int], Counter]
    parts: dict[int, Parts]
    engaged_at: dict[int, datetime] = field(default_factory=dict)
    crossings: list[Crossing] = field(default_factory=list)


@dataclass(frozen=True)
class _Gain:
    dimension: str
    points: int
    value: float


class BatchScorer:
    """The active event rules of a version, indexed by event type, with their conditions
    compiled, and its thresholds (the live ones, or a shadow version's)."""

    def __init__(
        self,
        rules: Iterable[Rule],
        thresholds: Thresholds,
        half_life: float | None,
        now: datetime,
    ):
        self.thresholds = thresholds
        self.now = now
        self.half_life = half_life
        self.by_type: dict[str, list[tuple[Rule, Callable[[dict[str, Any]], bool]]]] = defaultdict(
            list
        )
        for rule in rules:
            self.by_type[rule.event_type].append((rule, event_matcher(rule)))

    def rules_for(
        self, activities: Iterable[NewActivity], rules: Mapping[int, Rule]
    ) -> dict[int, Rule]:
        """Of ``rules`` (by id), those that could match: the only counters worth loading."""
        types = {a.type for a in activities}
        return {rule.pk: rules[rule.pk] for t in types for rule, _ in self.by_type.get(t, ())}

    def score(
        self,
        activities: Sequence[NewActivity],
        parts: dict[int, Parts],
        counters: dict[tuple[int, int], Counter],
    ) -> Outcome:
        """Apply ``activities`` to ``parts`` and ``counters`` (both changed in place).

        ``max_times`` counts events in the order they were received (by id), which is the
        order a recompute counts them in; within a batch that is also time order.
        """
        outcome = Outcome(counters=counters, parts=parts)
        timelines: dict[int, list[tuple[datetime, list[_Gain]]]] = defaultdict(list)
        for activity in sorted(activities, key=lambda a: (a.occurred_at, a.id)):
            gains = self._gains(activity, counters)
            timelines[activity.contact_id].append((activity.occurred_at, gains))
        for contact_id, timeline in timelines.items():
            self._walk(contact_id, timeline, parts.setdefault(contact_id, Parts()), outcome)
        return outcome

    def _gains(
        self, activity: NewActivity, counters: dict[tuple[int, int], Counter]
    ) -> list[_Gain]:
        gains: list[_Gain] = []
        for rule, matches in self.by_type.get(activity.type, ()):
            if not matches(activity.properties):
                continue
            counter = counters.setdefault((activity.contact_id, rule.pk), Counter())
            if rule.max_times is not None and counter.times >= rule.max_times:
                continue
            age = (self.now - activity.occurred_at).total_seconds()
            worth = decay_factor(age, self.half_life if rule.decays else None)
            counter.times += 1
            counter.value += worth
            counter.changed = True
            gains.append(_Gain(rule.dimension, rule.points, rule.points * worth))
        return gains

    def _walk(
        self,
        contact_id: int,
        timeline: list[tuple[datetime, list[_Gain]]],
        parts: Parts,
        outcome: Outcome,
    ) -> None:
        """Add the contact's gains in time order, noting the first engagement and the last
        event that took the score over each level (the one that counts if it stays over)."""
        over: dict[str, Crossing | None] = {"mql": None, "hot": None}
        for at, gains in timeline:
            for gain in gains:
                if gain.dimension == Dimension.FIT:
                    parts.event_fit += gain.points
                else:
                    parts.event_engagement += gain.value
                    if gain.points > 0:
                        outcome.engaged_at.setdefault(contact_id, at)
            score, fit, engagement = parts.figures()
            levels = {
                "mql": self.thresholds.is_mql(score=score, fit=fit, engagement=engagement),
                "hot": self.thresholds.is_hot(score=score),
            }
            for level, reached in levels.items():
                if not reached:
                    over[level] = None
                elif not getattr(parts, level):
                    over[level] = Crossing(contact_id, level, score, at)
                setattr(parts, level, reached)
        outcome.crossings += [crossing for crossing in over.values() if crossing]
