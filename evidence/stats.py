"""
The statistics a marketer is shown, each small enough to check by hand.

- The conversion rate of the contacts who showed a signal and of those who did not, each with
  a 95 % Wilson score interval: unlike the textbook ``p ± 1.96 * se`` it stays within 0..1
  and stays honest for small counts and rates near 0, which is where most signals sit (a 2 %
  conversion seen on 40 contacts).
- Their ratio, the lift, with its 95 % interval on the log scale (Katz's method for a ratio
  of two proportions).
- The two-proportion z statistic (pooled): how many standard errors apart the two rates are.
  It grows with the gap and with the number of contacts, so sorting by it puts the
  best-supported differences first, whichever way they go.
- AUC from a histogram of scores: the chance that a contact who converted scored higher than
  one who did not (ties count half), what ``sklearn.metrics.roc_auc_score`` gives.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes / trials``; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def lift_interval(k1: int, n1: int, k0: int, n0: int) -> tuple[float, float] | None:
    """Katz's interval of ``(k1/n1) / (k0/n0)``; None when either rate is 0 (no log)."""
    if not (k1 and n1 and k0 and n0):
        return None
    spread = Z95 * math.sqrt(1 / k1 - 1 / n1 + 1 / k0 - 1 / n0)
    ratio = (k1 / n1) / (k0 / n0)
    return ratio * math.exp(-spread), ratio * math.exp(spread)


def two_proportion_z(k1: int, n1: int, k0: int, n0: int) -> float:
    """z of the difference between ``k1/n1`` and ``k0/n0`` (0 when either group is empty or
    nobody, or everybody, converted)."""
    if not n1 or not n0:
        return 0.0
    pooled = (k1 + k0) / (n1 + n0)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
    if spread <= 0:
        return 0.0
    return (k1 / n1 - k0 / n0) / math.sqrt(spread)


def _rounded(interval: tuple[float, float] | None, digits: int = 4) -> list[float] | None:
    return [round(bound, digits) for bound in interval] if interval else None


@dataclass(frozen=True)
class Comparison:
    """One outcome among the contacts with a signal and among those without it."""

    converted_with: int
    rate_with: float | None
    rate_without: float | None
    lift: float | None
    lift_interval: tuple[float, float] | None
    interval_with: tuple[float, float] | None
    interval_without: tuple[float, float] | None
    z: float

    @classmethod
    def of(cls, *, n_with: int, k_with: int, n_all: int, k_all: int) -> "Comparison":
        n_without, k_without = n_all - n_with, k_all - k_with
        rate_with, rate_without = rate(k_with, n_with), rate(k_without, n_without)
        return cls(
            converted_with=k_with,
            rate_with=rate_with,
            rate_without=rate_without,
            lift=rate_with / rate_without if rate_with is not None and rate_without else None,
            lift_interval=lift_interval(k_with, n_with, k_without, n_without),
            interval_with=wilson(k_with, n_with),
            interval_without=wilson(k_without, n_without),
            z=two_proportion_z(k_with, n_with, k_without, n_without),
        )

    def as_json(self) -> dict:
        def value(x: float | None) -> float | None:
            return round(x, 4) if x is not None else None

        return {
            "converted_with": self.converted_with,
            "rate_with": value(self.rate_with),
            "rate_without": value(self.rate_without),
            "lift": value(self.lift),
            "lift_interval": _rounded(self.lift_interval),
            "interval_with": _rounded(self.interval_with),
            "interval_without": _rounded(self.interval_without),
            "z": round(self.z, 2),
        }


def auc(histogram: Iterable[tuple[float, int, int]]) -> float | None:
    """AUC from ``(score, contacts, of whom converted)`` rows; None when nobody, or
    everybody, converted."""
    by_score: dict[float, list[int]] = {}
    for score, n, k in histogram:
        counts = by_score.setdefault(score, [0, 0])
        counts[0] += n - k
        counts[1] += k
    negatives = sum(no for no, _ in by_score.values())
    positives = sum(yes for _, yes in by_score.values())
    if not positives or not negatives:
        return None
    below, wins = 0, 0.0
    for score in sorted(by_score):
        no, yes = by_score[score]
        wins += yes * (below + no / 2)
        below += no
    return wins / (positives * negatives)
