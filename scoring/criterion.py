"""
What makes an MQL, written once: the total score at or above the threshold, and each
dimension at or above its minimum when one is set (domain: multi-dimensional scoring).

The live engine, the recompute, the rule and threshold previews, the backtest and the
score explanation all ask this one object, in the form each needs: a Python test on
figures, a SQL condition for set-based statements, a ``Q`` for querysets.
``tests/scoring/test_criterion.py`` holds the three forms to the same answers.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class MqlCriterion:
    threshold: int
    min_fit: int | None = None
    min_engagement: int | None = None

    @classmethod
    def of(cls, thresholds: Any) -> "MqlCriterion":
        """From anything with ``mql_threshold``, ``min_fit`` and ``min_engagement``
        (the scoring settings, a backtest candidate's thresholds, a form's mapping)."""

        def read(name: str) -> Any:
            if isinstance(thresholds, dict):
                return thresholds.get(name)
            return getattr(thresholds, name, None)

        return cls(int(read("mql_threshold")), read("min_fit"), read("min_engagement"))

    def _bounds(self) -> list[tuple[str, int]]:
        """(figure, the least it may be), for each figure the criterion tests."""
        bounds = [("score", self.threshold)]
        bounds += [(name, int(least)) for name, least in self._minimums() if least is not None]
        return bounds

    def _minimums(self) -> tuple[tuple[str, int | None], ...]:
        return (("fit", self.min_fit), ("engagement", self.min_engagement))

    def passes(self, *, score: int, fit: int, engagement: int) -> bool:
        """The test on rounded figures."""
        figures = {"score": score, "fit": fit, "engagement": engagement}
        return all(figures[name] >= least for name, least in self._bounds())

    def sql(self, *, score: str, fit: str, engagement: str) -> tuple[str, list[int]]:
        """The test as a SQL condition over three expressions, and its parameters."""
        columns = {"score": score, "fit": fit, "engagement": engagement}
        bounds = self._bounds()
        tests = " AND ".join(f"({columns[name]}) >= %s" for name, _ in bounds)
        return f"({tests})", [least for _, least in bounds]

    def sql_inline(self, *, score: str, fit: str, engagement: str) -> str:
        """The same condition with the bounds written in (for SQL built without parameters:
        they are integers, so nothing can be injected through them)."""
        condition, params = self.sql(score=score, fit=fit, engagement=engagement)
        return condition.replace("%s", "{}").format(*(int(p) for p in params))

    def q(
        self, *, score: str = "score", fit: str = "fit_score", engagement: str = "engagement_score"
    ) -> Q:
        """The test as a filter on a queryset's fields."""
        fields = {"score": score, "fit": fit, "engagement": engagement}
        test = Q()
        for name, least in self._bounds():
            test &= Q(**{f"{fields[name]}__gte": least})
        return test

    @property
    def passes_at_zero(self) -> bool:
        """A test that zero points pass makes MQLs of people with no points at all."""
        return self.passes(score=0, fit=0, engagement=0)
