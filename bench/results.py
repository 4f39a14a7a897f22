"""What a benchmark reports: one figure, its unit, and the target it is held to."""

import json
import math
import operator
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# A target as the benchmarks write it: a comparison and a number, then its unit ("< 300 ms",
# "<= 10x", ">= 200 req/s"), the number in the figure's own unit.
_TARGET = re.compile(r"^\s*(<=|>=|<|>)\s*([0-9][0-9,]*(?:\.[0-9]+)?)")
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    note: str = ""

    @property
    def passed(self) -> bool | None:
        """Whether the figure meets its target; None without one (a floor, a count)."""
        found = _TARGET.match(self.target)
        if found is None:
            return None
        compare, bar = found.groups()
        return _COMPARE[compare](self.value, float(bar.replace(",", "")))


def write_json(path: Path, results: Sequence[Result], **about: Any) -> None:
    """Every figure with its target and pass flag, and ``about`` the run (size, database,
    commit), for a machine to compare runs."""
    figures = [{**asdict(result), "passed": result.passed} for result in results]
    path.write_text(json.dumps({**about, "results": figures}, indent=2) + "\n")


def median_ms(fn: Callable[[], object], *, repeat: int = 15, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds, after warm-up runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def p50_p95(times: Sequence[float]) -> tuple[float, float]:
    """The median and the 95th percentile of ``times`` (the highest of fewer than 20)."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def timings_ms(
    fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2, budget_seconds: float = 30
) -> list[float]:
    """Wall times of ``fn`` in milliseconds after warm-up runs: ``repeat`` of them, or as many
    as ``budget_seconds`` allow (three at least), so that a slow report does not take the
    whole run."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    deadline = time.perf_counter() + budget_seconds
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times
